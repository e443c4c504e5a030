#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The main job: set up everything, then show the drivers working on the
# modelled devices:
#  1. dpdk-testpmd on two synthetic NICs (udrv's netvsc PMD) behind the
#     modelled Hyper-V host, traffic flowing generator -> NIC 0 -> testpmd
#     -> NIC 1 -> sink, and what the sink counted;
#  2. the VMBus bus demo (echo devices, monitored and event-signalled);
#  3. DPDK's dma example offloading its packet copies to the modelled DSA
#     through udrv's idxd PMD.
# Usage: scripts/main.sh [seconds of traffic, default 10]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$UDRV_ROOT"
udrv_build build >/dev/null
secs=${1:-10}
# Plugins by file name through the library path: EAL refuses -d paths in a
# world-writable tree (a clone in /tmp).
export LD_LIBRARY_PATH="$UDRV_ROOT/build/drivers/net/netvsc:$UDRV_ROOT/build/drivers/bus/vmbus:$UDRV_ROOT/build/drivers/dma/idxd:$LD_LIBRARY_PATH"

work=$(mktemp -d /tmp/udrv-main.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== testpmd on two synthetic NICs: generator -> NIC 0 -> testpmd (io) -> NIC 1 -> sink"
printf 'set fwd io retry\nstart\n' > "$work/cmds"
# The generator starts when testpmd forwards (2 s) and stops a second
# before testpmd does, so that nothing is in flight at the end.
(sleep $((secs + 3)); echo stop; sleep 1; echo quit) |
	tests/with-hugepages.sh 512 build/sim/simrun \
	--vmbus netvsc,count=2 \
	--wire "gen:0,rate=max,size=64-1518,flows=64,proto=tcp,lossless=yes,start=2000,duration=$((secs * 1000))" \
	--wire sink:0 --wire sink:1 --report "$work/report" -- \
	dpdk-testpmd -l 0-1 --no-pci --iova-mode=pa \
	--huge-dir=@HUGEDIR@ --file-prefix=@PREFIX@ \
	-d udrv_net_netvsc.so \
	--log-level=net.netvsc:info -- -i --nb-cores=1 \
	--cmdline-file="$work/cmds" > "$work/testpmd.out" 2>&1 || true
grep -E "netvsc:|Forward statistics|RX-packets|TX-packets" "$work/testpmd.out" |
	grep -v "^  RX-packets: 0 " | head -n 20
echo
echo "What the sink counted:"
sink=$(grep '^sink=1 ' "$work/report" || true)
gen=$(grep '^gen=0 ' "$work/report" || true)
val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
printf '  generated   %s frames\n' "$(val "$gen" sent)"
printf '  received    %s frames, %s bytes\n' "$(val "$sink" received)" "$(val "$sink" bytes)"
printf '  rate        %s frames/s, %s Mbit/s\n' "$(val "$sink" pps)" "$(val "$sink" mbps)"
printf '  lost        %s (testpmd could not send these)\n' "$(val "$sink" lost)"
printf '  corrupt     %s   duplicated %s   reordered %s   bad checksums %s\n' \
	"$(val "$sink" corrupt)" "$(val "$sink" duplicated)" \
	"$(val "$sink" reordered)" "$(val "$sink" bad_csum)"

echo
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
	"$UDRV_DPDK_PREFIX/bin/dpdk-dma" udrv_dma_idxd.so 2000
