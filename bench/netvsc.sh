#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# netvsc: udrv's PMD against upstream's (Debian's DPDK 22.11 binaries) on
# the same modelled Hyper-V host in one run. The same forwarding loop
# (bench/netvsc_fwd.c, built against each DPDK) moves frames from NIC 0 to
# NIC 1; a lossless generator feeds NIC 0 and the host's sink counts what
# NIC 1 sends. Prints a Markdown table:
#  - packets per second at the sink, 64- and 1518-byte frames, 1 and 4
#    queues, and udrv/upstream;
#  - instructions per forwarded frame in the receive and send calls
#    (valgrind --tool=callgrind, counting fwd_rx/fwd_tx and what they
#    call), with the host's frames queued before the loop starts so that
#    the loop does not spin on empty rings.
# Usage: bench/netvsc.sh [seconds per point, default 5] [pps|ir|all]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/env.sh" >/dev/null
cd "$root"
udrv_build build >/dev/null
secs=${1:-5}
parts=${2:-all}
# the plugin by file name (EAL refuses -d paths in world-writable trees)
export LD_LIBRARY_PATH="$root/build/drivers/net/netvsc:$root/build/drivers/bus/vmbus:$LD_LIBRARY_PATH"
work=$(mktemp -d /tmp/udrv-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The loop, built against each DPDK.
gcc -O2 -o "$work/fwd-udrv" bench/netvsc_fwd.c \
	$(pkg-config --cflags --libs libdpdk) -Wl,-rpath,"$UDRV_DPDK_PREFIX/lib"
env -u PKG_CONFIG_PATH gcc -O2 -o "$work/fwd-upstream" bench/netvsc_fwd.c \
	$(env -u PKG_CONFIG_PATH pkg-config --cflags --libs libdpdk)

# run DRIVER QUEUES SIZE SECONDS FRAMES|idle WAIT_MS [valgrind args...]
run() {
	local drv=$1 nq=$2 size=$3 t=$4 frames=$5 wait=$6
	shift 6
	local cmd count="" gen
	[ "$frames" != 0 ] && [ "$frames" != idle ] && count=",count=$frames"
	# started by the loop once both ports are up (FWD_GEN_START)
	gen=(--wire "gen:0,rate=max,size=$size,flows=64,proto=tcp,lossless=yes,start=no$count")
	if [ "$frames" = idle ]; then
		gen=()
		frames=0
	fi
	if [ "$drv" = udrv ]; then
		cmd=("$@" "$work/fwd-udrv" -d udrv_net_netvsc.so)
	else
		# Debian's libraries and plugins, not the project's.
		cmd=(env -u LD_LIBRARY_PATH "$@" "$work/fwd-upstream")
	fi
	FWD_GEN_START=1 tests/with-hugepages.sh 512 build/sim/simrun \
		--vmbus netvsc,count=2 \
		"${gen[@]}" --wire sink:0 --wire sink:1 --report "$work/report" -- \
		"${cmd[@]}" -l 0-1 --no-pci --iova-mode=pa \
		--huge-dir=@HUGEDIR@ --file-prefix=@PREFIX@ -- \
		"$nq" "$t" "$frames" "$wait" > "$work/out" 2>&1 || true
}

sink_pps() {
	sed -n 's/^sink=1 .* pps=\([0-9]*\) .*/\1/p' "$work/report" | head -n 1
}

if [ "$parts" != ir ]; then
echo "| frame | queues | udrv pps | upstream pps | udrv / upstream |"
echo "| ---: | ---: | ---: | ---: | ---: |"
for size in 64 1518; do
	for nq in 1 4; do
		run udrv "$nq" "$size" "$secs" 0 0
		u=$(sink_pps)
		run upstream "$nq" "$size" "$secs" 0 0
		p=$(sink_pps)
		ratio=$(awk -v a="${u:-0}" -v b="${p:-0}" \
			'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
		echo "| $size | $nq | ${u:-0} | ${p:-0} | $ratio |"
	done
done
echo
fi
[ "$parts" = pps ] && exit 0

# Instructions per frame. The generator queues FRAMES frames before the
# loop starts (WAIT_MS), so bursts are full and few polls are empty. FRAMES
# stays below 1024: upstream stages received frames in a ring of nb_rxd
# (1024) entries and drops what does not fit (rx_missed), so a larger
# backlog would be lost, not forwarded. Each driver's cost of an empty
# poll is measured in a run without traffic and taken out.
echo "| driver | frame | frames | instructions in rx+tx | empty polls | per empty poll | per frame |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
frames=1000
declare -A per_frame idle_pe
for size in 64 1518; do
	for drv in udrv upstream; do
		if [ -z "${idle_pe[$drv]:-}" ]; then
			# idle: every poll is empty
			run "$drv" 1 64 3 idle 0 \
				valgrind --tool=callgrind --callgrind-out-file="$work/cg.idle.$drv" \
				--toggle-collect=fwd_rx --toggle-collect=fwd_tx
			idle_ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/out")
			idle_calls=$(sed -n 's/^rx calls \([0-9]*\) empty.*/\1/p' "$work/out")
			idle_pe[$drv]=$(awk -v ii="${idle_ir:-0}" -v ic="${idle_calls:-0}" \
				'BEGIN { printf "%.0f", (ic > 0 ? ii / ic : 0) }')
		fi
		run "$drv" 1 "$size" 120 "$frames" 3000 \
			valgrind --tool=callgrind --callgrind-out-file="$work/cg.$drv" \
			--toggle-collect=fwd_rx --toggle-collect=fwd_tx
		fwd=$(sed -n 's/^forwarded \([0-9]*\) frames.*/\1/p' "$work/out")
		ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/out")
		empty=$(sed -n 's/^rx calls [0-9]* empty \([0-9]*\).*/\1/p' "$work/out")
		pe=${idle_pe[$drv]}
		pf=$(awk -v i="${ir:-0}" -v e="${empty:-0}" -v f="${fwd:-0}" -v pe="$pe" \
			-v want="$frames" 'BEGIN {
				if (f == want) printf "%.0f", (i - e * pe) / f
				else print "n/a" }')
		per_frame[$drv.$size]=$pf
		echo "| $drv | $size | ${fwd:-0} | ${ir:-0} | ${empty:-0} | $pe | $pf |"
	done
done
echo
for size in 64 1518; do
	awk -v a="${per_frame[udrv.$size]}" -v b="${per_frame[upstream.$size]}" -v s="$size" 'BEGIN {
		if (b + 0 > 0 && a + 0 > 0)
			printf "udrv / upstream instructions per %d-byte frame: %.2f\n", s, a / b
		else
			printf "udrv / upstream instructions per %d-byte frame: n/a\n", s }'
done
