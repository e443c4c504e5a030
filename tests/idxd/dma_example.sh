#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# DPDK's dma example (dpdk-dma, packet copy offload) with udrv's idxd PMD,
# run under the DSA model: frames go into a TAP port, dpdk-dma copies each
# one through the DSA (hardware copy mode) and sends the copy back out of
# the port, where tap_traffic.py checks that every frame came back once,
# intact. dpdk-dma's own statistics must agree: no copy failed or dropped.
#
# Usage (under simrun --dsa ...):
#   dma_example.sh [--show] DPDK_DMA PLUGIN [COUNT]
# --show prints dpdk-dma's statistics and the dmadev dump (main job).
set -u
show=0
if [ "${1:-}" = "--show" ]; then
	show=1
	shift
fi
dpdk_dma=$1
plugin=$2
count=${3:-2000}
here=$(dirname "$0")
iface=udrvdma$$
iface=${iface:0:15}
log=$(mktemp /tmp/udrv-dma.XXXXXX) || exit 1
trap 'rm -f "$log"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null' EXIT

# Two lcores: the example wants a worker. No PCI; the TAP port is a vdev.
"$dpdk_dma" -l 0,1 --no-pci --no-huge -m 512 --no-shconf -d "$plugin" \
	--vdev "net_tap0,iface=$iface" --log-level=pmd.dma.idxd:info -- \
	-p 0x1 -q 1 -c hw -i 1 >"$log" 2>&1 &
pid=$!

python3 "$here/tap_traffic.py" "$iface" "$count"
traffic=$?
# Let dpdk-dma print its statistics once more, then dump the DMA device
# (SIGUSR1) and stop it.
sleep 2
kill -USR1 "$pid" 2>/dev/null
sleep 0.5
kill -INT "$pid" 2>/dev/null
for _ in $(seq 50); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -KILL "$pid" 2>/dev/null
wait "$pid"
rc=$?
pid=

# The last statistics block of dpdk-dma.
stats=$(tr -d '\033' <"$log" | sed 's/\[2J\[1;1H//g' |
	awk '/Statistics for port 0/ { block = "" } { block = block $0 "\n" }
	     /====================/ { last = block } END { printf "%s", last }')
get() { echo "$stats" | grep -m1 "$1" | awk '{ print $NF }'; }
sent=$(get 'Packets sent:')
recv=$(get 'Packets received:')
dropped=$(( $(get 'Packets dropped on tx:' || echo 0) + $(get 'Packets dropped on copy:' || echo 0) ))
submitted=$(get 'Total submitted ops:')
completed=$(get 'Total completed ops:')
failed=$(get 'Total failed ops:')

fail=0
[ $traffic -eq 0 ] || { echo "frames lost or damaged"; fail=1; }
[ $rc -eq 0 ] || { echo "dpdk-dma exited with $rc"; fail=1; }
grep -q "idxd: wq0.0: kernel WQ" "$log" || { echo "the idxd PMD did not probe"; fail=1; }
if [ -z "$recv" ] || [ -z "$completed" ]; then
	echo "no statistics from dpdk-dma"
	fail=1
else
	[ "$recv" -ge "$count" ] || { echo "dpdk-dma received $recv of $count"; fail=1; }
	[ "$sent" -eq "$recv" ] || { echo "dpdk-dma sent $sent of $recv"; fail=1; }
	[ "$dropped" -eq 0 ] || { echo "dpdk-dma dropped $dropped"; fail=1; }
	[ "$failed" -eq 0 ] || { echo "$failed DMA copies failed"; fail=1; }
	[ "$completed" -ge "$count" ] && [ "$completed" -eq "$submitted" ] ||
		{ echo "DMA ops: $submitted submitted, $completed completed"; fail=1; }
fi
if [ $show -eq 1 ] || [ $fail -ne 0 ]; then
	echo "---- dpdk-dma: final statistics"
	echo "$stats"
	echo "---- dpdk-dma: DMA device dump (SIGUSR1)"
	sed -n '/^idxd wq0.0/,/implausible/p' "$log"
fi
if [ $fail -ne 0 ]; then
	echo "---- dpdk-dma output"
	tr '\033' '~' <"$log" | tail -60
	echo "dma example: FAILED"
	exit 1
fi
echo "dma example: $count frames forwarded intact, each copied by the DSA ($completed DMA copies, 0 failed)"
