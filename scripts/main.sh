#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The main job: set up everything and show the drivers working on the
# modelled devices. Today: the VMBus bus probing modelled Hyper-V devices
# (monitored and event-signalled, with sub-channels) and exchanging packets
# on every channel; DPDK's dma example offloading its packet copies to the
# modelled DSA through udrv's idxd PMD.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$UDRV_ROOT"
udrv_build build >/dev/null

echo "== VMBus bus demo: modelled Hyper-V host, test-hv as the driver"
build/sim/simrun \
	--vmbus echo,count=2 \
	--vmbus echo,monitor=no \
	--vmbus lowspeed \
	-- build/app/test-hv/test-hv --no-pci --no-huge -m 256 --no-shconf \
	--log-level=bus.vmbus:info -- demo 2

echo
echo "== DSA dma example: dpdk-dma copies every frame with udrv's idxd PMD on the modelled DSA"
build/sim/simrun --dsa dsa0 -- tests/idxd/dma_example.sh --show \
	"$UDRV_DPDK_PREFIX/bin/dpdk-dma" "$UDRV_ROOT/build/drivers/dma/idxd/librte_dma_idxd.so" 2000
