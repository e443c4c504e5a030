#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The virtual switch's main scenario with a real DPDK app and a client
# nobody here wrote: the switch's generator feeds NIC 0, Debian's
# dpdk-testpmd (upstream bus/vmbus and net/netvsc) forwards NIC 0 -> NIC 1
# in io mode, and the sink checks every frame NIC 1 sends against the
# generator's table. Passes when every frame arrived exactly once, in
# order within its flow, intact and with good checksums, except the ones
# testpmd reports it dropped itself: the sink's loss must equal those.
#
# Upstream testpmd 22.11 does not poll a netvsc port's queues (the PMD
# never marks them started), so each NIC is wrapped in a fail-safe port
# (net_failsafe, as the old vdev_netvsc set-up did), which testpmd forwards
# on. The generator starts once testpmd forwards (gen 0 start through
# simctl), so frames are not lost while testpmd is still starting.
#
# Usage: vswitch_e2e.sh BUILD_DIR [gen key=value...]
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
	build=$1
	shift
	[ -x "$TESTPMD" ] || fail "$TESTPMD missing (scripts/setup.sh installs dpdk-dev)"
	gen="gen:0,start=no,rate=10000,count=20000,flows=8,size=64-1518,lossless=yes"
	for kv in "$@"; do
		gen="$gen,$kv"
	done
	# In a sanitizer build, simrun preloads the sanitizer into bash and
	# testpmd too: their leaks are not ours (vswitch-selftest checks the
	# switch's own).
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	exec timeout 240 "$here/with-hugepages.sh" 128 "$build/sim/simrun" \
		--vmbus netvsc,count=2 --wire "$gen" --wire sink:1 \
		-- "$0" --inner "$build" @HUGEDIR@ @PREFIX@
fi

# ---- inner: under simrun ----
shift
build=$1 hugedir=$2 prefix=$3
simctl="$build/sim/simctl"
work=$(mktemp -d /tmp/udrv-vsw-e2e.XXXXXX) || exit 1
app_pid=
cleanup() {
	[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
	exec 3>&- 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# key=value from the report line of kind (gen, sink, port)
val() {
	grep "^$1=" <<<"$3" | head -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

mkfifo "$work/cmd"
env -u LD_LIBRARY_PATH "$TESTPMD" --no-pci -l 0-1 -m 128 --huge-dir="$hugedir" \
	--file-prefix="$prefix" --vdev "net_failsafe0,dev($G0)" \
	--vdev "net_failsafe1,dev($G1)" -- -i --total-num-mbufs=16384 \
	--rxd=2048 --txd=2048 <"$work/cmd" >"$work/out" 2>&1 &
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
	frames=$(val sink frames "$r")
	if [ "$(val gen state "$r")" = done ] && [ "$frames" = "$last" ]; then
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
sent=$(val gen sent "$r")
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
# What testpmd itself dropped: RX-dropped (the PMD's imissed: its ring was
# full while the forwarding core was off the CPU) and TX-dropped.
acc=$(grep -A2 "Accumulated forward statistics" "$work/out")
guest_drops=$(( $(grep -o "RX-dropped: *[0-9]*" <<<"$acc" | grep -o "[0-9]*$") +
		$(grep -o "TX-dropped: *[0-9]*" <<<"$acc" | grep -o "[0-9]*$") ))
# The sink's loss is exact: it must be what the guest counted, no more.
check gen lost "$guest_drops"
check gen received $((sent - guest_drops))
check gen in_flight 0
check gen duplicated 0
check gen reordered 0
check sink received $((sent - guest_drops))
check sink corrupt 0
check sink bad_csum 0
check sink oversize 0
check sink nostamp 0
if [ $bad -ne 0 ]; then
	grep -E "RX-|TX-" "$work/out"
	fail "frames lost or damaged between generator and sink"
fi
echo "PASS: $sent frames generator -> NIC 0 -> testpmd io -> NIC 1 -> sink;" \
	"$guest_drops dropped by testpmd itself, none elsewhere"
