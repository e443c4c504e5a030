#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# dpdk-testpmd forwarding between two synthetic NICs under the modelled
# Hyper-V host: generator -> NIC 0 -> testpmd (io) -> NIC 1 -> sink.
# The generator starts 3 s after the NICs appear (testpmd is forwarding by
# then) and stops a second before testpmd does, so nothing is in flight at
# the end and every frame the sink missed must be one that testpmd or the
# PMD reports as dropped (TX-dropped, RX-missed). Fails on any corrupt, duplicated or reordered frame,
# on bad checksums, or on loss testpmd does not account for.
#
# Usage: netvsc-testpmd.sh BUILD_DIR udrv|upstream SECONDS QUEUES SIZE [sim options...]
set -u
build=$1 driver=$2 secs=$3 queues=$4 size=$5
shift 5
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/udrv-testpmd.XXXXXX)
trap 'rm -rf "$work"' EXIT
report=$work/report
out=$work/testpmd.out

case $driver in
udrv)
	testpmd=(dpdk-testpmd -d "$build/drivers/bus/vmbus/librte_bus_vmbus.so"
		 -d "$build/drivers/net/netvsc/librte_net_netvsc.so")
	;;
upstream)
	# Debian's binary with Debian's libraries and plugins (not ours).
	testpmd=(env -u LD_LIBRARY_PATH /usr/bin/dpdk-testpmd)
	[ -x /usr/bin/dpdk-testpmd ] || { echo "Debian's dpdk package is missing"; exit 1; }
	;;
*)
	echo "driver: udrv or upstream"; exit 2 ;;
esac

flows=$((queues > 1 ? 64 : 16))
cmds=$work/cmds
{
	echo "set fwd io retry"
	echo "start"
} > "$cmds"
run_ms=$(( (secs - 1) * 1000 ))
(sleep $((secs + 3)); echo "stop"; echo "show port stats all"; sleep 1; echo "quit") |
	"$root/tests/with-hugepages.sh" 512 "$build/sim/simrun" \
	--vmbus netvsc,count=2 \
	--wire "gen:0,rate=max,size=$size,flows=$flows,proto=tcp,lossless=yes,start=3000,duration=$run_ms" \
	--wire sink:0 --wire sink:1 --report "$report" "$@" -- \
	"${testpmd[@]}" -l 0-1 --no-pci --iova-mode=pa \
	--huge-dir=@HUGEDIR@ --file-prefix=@PREFIX@ -- -i \
	--rxq="$queues" --txq="$queues" --rss-ip --nb-cores=1 \
	--cmdline-file="$cmds" > "$out" 2>&1
rc=$?
grep -E "^(gen|sink)=|Accumulated|RX-packets|TX-packets" "$out" | tail -n 8
if [ $rc -ne 0 ] || [ ! -s "$report" ]; then
	tail -n 40 "$out"
	echo "FAIL: testpmd exited with $rc or the model wrote no report"
	exit 1
fi
sink=$(grep '^sink=1 ' "$report")
gen=$(grep '^gen=0 ' "$report")
val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# testpmd's total of frames it could not send, over all ports
tx_dropped=$(grep -A3 "Accumulated forward statistics" "$out" |
	sed -n 's/.*TX-dropped: *\([0-9]*\).*/\1/p' | tail -n 1)
rx_missed=$(sed -n 's/.*RX-missed: *\([0-9]*\).*/\1/p' "$out" |
	awk '{ s += $1 } END { print s + 0 }')
sent=$(val "$gen" sent) received=$(val "$sink" received)
lost=$(val "$sink" lost)
fail=0
for k in corrupt duplicated reordered bad_csum oversize nostamp; do
	v=$(val "$sink" $k)
	if [ "$v" != 0 ]; then
		echo "FAIL: sink $k=$v"
		fail=1
	fi
done
if [ "${received:-0}" -lt 1000 ]; then
	echo "FAIL: only ${received:-0} frames reached the sink"
	fail=1
fi
if [ "$lost" != $(( ${tx_dropped:-0} + rx_missed )) ]; then
	echo "FAIL: sink lost $lost frames, testpmd dropped ${tx_dropped:-?}, ports missed $rx_missed"
	fail=1
fi
echo "$driver: sent $sent received $received lost $lost (testpmd drops ${tx_dropped:-?}, missed $rx_missed), pps $(val "$sink" pps)"
exit $fail
