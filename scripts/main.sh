#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The main job: set up everything and show the drivers working on the
# modelled devices. Today: the VMBus bus probing modelled Hyper-V devices
# (monitored and event-signalled, with sub-channels) and exchanging packets
# on every channel.
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
