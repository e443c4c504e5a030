#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The virtual switch's main scenario with a real DPDK app: the switch's
# generator feeds NIC 0, dpdk-testpmd forwards NIC 0 -> NIC 1 in io mode,
# and the sink checks every frame NIC 1 sends against the generator's
# table. Passes when every frame arrived exactly once, in order within its
# flow, intact and with good checksums, except the ones testpmd reports it
# dropped itself: the sink's loss must equal those.
#
# PMD is which netvsc forwards:
#  - upstream: Debian's dpdk-testpmd with upstream bus/vmbus and
#    net/netvsc, a client nobody here wrote. Upstream testpmd 22.11 does
#    not poll a netvsc port's queues (the PMD never marks them started), so
#    each NIC is wrapped in a fail-safe port (net_failsafe, as the old
#    vdev_netvsc set-up did), which testpmd forwards on.
#  - udrv: the SDK's dpdk-testpmd with udrv's PMD (udrv_net_netvsc.so,
#    found through LD_LIBRARY_PATH), IOVA as PA. NIC 0 gets a sink wire
#    too: a NIC whose only wire is a generator has no link.
# The generator starts once testpmd forwards (gen 0 start through simctl),
# so frames are not lost while testpmd is still starting.
#
# Usage: vswitch_e2e.sh BUILD_DIR upstream|udrv [gen key=value...]
set -u

TESTPMD=/usr/bin/dpdk-testpmd
here=$(cd "$(dirname "$0")" && pwd)
G0=5e5e0000-df3e-46c5-913f-f2d2f965ed0e
G1=5e5e0001-df3e-46c5-913f-f2d2f965ed0e

fail() {
	echo "FAIL: $*"
	exit 1
}

# ---- outer: hugepages + simrun around the inner half ----
if [ "${1:-}" != --inner ]; then
	build=$1 pmd=$2
	shift 2
	wires=()
	case $pmd in
	upstream)
		[ -x "$TESTPMD" ] || fail "$TESTPMD missing (scripts/setup.sh installs dpdk-dev)"
		;;
	udrv)
		wires=(--wire sink:0)
		;;
	*)
		fail "PMD must be upstream or udrv, not '$pmd'"
		;;
	esac
	gen="gen:0,start=no,rate=10000,count=20000,flows=8,size=64-1518,lossless=yes"
	for kv in "$@"; do
		gen="$gen,$kv"
	done
	# In a sanitizer build, simrun preloads the sanitizer into bash and
	# testpmd too: their leaks are not ours (vswitch-selftest checks the
	# switch's own).
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	exec timeout 240 "$here/with-hugepages.sh" 128 "$build/sim/simrun" \
		--vmbus netvsc,count=2 --wire "$gen" "${wires[@]}" --wire sink:1 \
		-- "$0" --inner "$build" "$pmd" @HUGEDIR@ @PREFIX@
fi

# ---- inner: under simrun ----
shift
build=$1 pmd=$2 hugedir=$3 prefix=$4
simctl="$build/sim/simctl"
work=$(mktemp -d /tmp/udrv-vsw-e2e.XXXXXX) || exit 1
app_pid=
cleanup() {
	[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
	exec 3>&- 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# key=value from the report line that starts with $1 (gen=0, sink=1)
val() {
	grep "^$1 " <<<"$3" | head -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

mkfifo "$work/cmd"
if [ "$pmd" = upstream ]; then
	app=(env -u LD_LIBRARY_PATH "$TESTPMD" --no-pci
	     --vdev "net_failsafe0,dev($G0)" --vdev "net_failsafe1,dev($G1)")
else
	# the SDK's testpmd (the test's environment names it)
	app=("${UDRV_TESTPMD:-dpdk-testpmd}" --no-pci --iova-mode=pa
	     -d udrv_net_netvsc.so)
fi
"${app[@]}" -l 0-1 -m 128 --huge-dir="$hugedir" --file-prefix="$prefix" \
	-- -i --total-num-mbufs=16384 --rxd=2048 --txd=2048 \
	<"$work/cmd" >"$work/out" 2>&1 &
app_pid=$!
exec 3>"$work/cmd"
cmd() {
	echo "$*" >&3
}
# testpmd's stdout is buffered, its prompts are not: a command is done
# when the prompt after it is out.
wait_prompts() {
	for _ in $(seq 300); do
		[ "$(grep -o "testpmd> " "$work/out" | wc -l)" -ge "$1" ] && return 0
		kill -0 "$app_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$work/out"
	fail "testpmd: no prompt $1"
}
wait_prompts 1
# Retry sends a moment instead of dropping them when NIC 1 is busy.
cmd "set fwd io retry"
cmd "start"
wait_prompts 3
"$simctl" gen 0 start >/dev/null || fail "simctl gen 0 start"

# Until the generator is done and the sink has seen nothing new a while.
last=-1 same=0
for _ in $(seq 600); do
	r=$("$simctl" vswitch report) || fail "simctl vswitch report"
	frames=$(val sink=1 frames "$r")
	if [ "$(val gen=0 state "$r")" = done ] && [ "$frames" = "$last" ]; then
		same=$((same + 1))
		[ $same -ge 5 ] && break
	else
		same=0
	fi
	last=$frames
	sleep 0.2
done
cmd "stop"
cmd "show port stats all"
sleep 0.5
r=$("$simctl" vswitch report) || fail "simctl vswitch report"
cmd "quit"
exec 3>&-
for _ in $(seq 100); do
	kill -0 "$app_pid" 2>/dev/null || break
	sleep 0.1
done
wait "$app_pid" 2>/dev/null
app_pid=

echo "$r"
sent=$(val gen=0 sent "$r")
bad=0
# check KIND KEY VALUE
check() {
	local v
	v=$(val "$1" "$2" "$r")
	if [ "$v" = "$3" ]; then
		echo "ok: $1 $2=$v"
	else
		echo "FAIL: $1 $2=${v:-(none)}, expected $3"
		bad=1
	fi
}
[ "${sent:-0}" -gt 0 ] || fail "the generator sent nothing"
# What testpmd itself dropped: RX-dropped (the PMD's imissed: upstream's
# staging ring was full while the forwarding core was off the CPU; udrv
# leaves such frames with the host) and TX-dropped.
acc=$(grep -A2 "Accumulated forward statistics" "$work/out")
guest_drops=$(( $(grep -o "RX-dropped: *[0-9]*" <<<"$acc" | grep -o "[0-9]*$") +
		$(grep -o "TX-dropped: *[0-9]*" <<<"$acc" | grep -o "[0-9]*$") ))
# The sink's loss is exact: it must be what the guest counted, no more.
check gen=0 lost "$guest_drops"
check gen=0 received $((sent - guest_drops))
check gen=0 in_flight 0
check gen=0 duplicated 0
check gen=0 reordered 0
check sink=1 received $((sent - guest_drops))
check sink=1 corrupt 0
check sink=1 bad_csum 0
check sink=1 oversize 0
check sink=1 nostamp 0
if [ $bad -ne 0 ]; then
	grep -E "RX-|TX-" "$work/out"
	fail "frames lost or damaged between generator and sink"
fi
echo "PASS ($pmd): $sent frames generator -> NIC 0 -> testpmd io -> NIC 1 -> sink;" \
	"$guest_drops dropped by testpmd itself, none elsewhere"
