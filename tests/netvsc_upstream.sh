#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Debian's own DPDK 22.11 (upstream bus/vmbus and net/netvsc, loaded as
# plugins from /usr/lib/x86_64-linux-gnu/dpdk) against the modelled
# Hyper-V NIC: a client nobody here wrote. Each scenario runs Debian DPDK
# programs under simrun with their own hugepages, reads the host's
# counters (simctl while a program runs, or the NIC model's final
# "hvsim-nic:" report), and checks what both sides saw.
#
# Usage: netvsc_upstream.sh BUILD_DIR SCENARIO [ARG]
#   bringup VERSION  testpmd brings the port up at NVSP VERSION (1, 2, 4, 5,
#                    6, 6.1) and receives generated frames
#   queues N         testpmd with N queues: sub-channels, RSS; frames from
#                    the generator arrive on every queue, on both sides
#   interleave N     the same with host messages slipped between requests
#                    and answers (TXTBL, indications), as real hosts do
#   forward N        testpmd io forwarding with N queues on a loop wire, the
#                    port under net_failsafe (see below): sends and receives
#                    on every queue
#   link             link down/up from the host: events and queried state
#   faults           forwarding (failsafe) through a host that withholds
#                    completions (noack), stalls, and sends an unknown NVSP
#                    message and RNDIS indication: traffic resumes each time
#   traffic          dpdk-test pmd_perf_autotest: ~300000 frames sent and
#                    received through a loop wire (send sections,
#                    completions, receive slots, acks)
#
# Upstream testpmd cannot forward on a netvsc port: the 22.11 PMD never
# marks its queues started, and testpmd 22.11 does not poll stopped
# queues. Receives are therefore driven with testpmd's descriptor-status
# command (which makes the PMD process its channel), forwarding goes
# through net_failsafe (which keeps its own queue states, as the old
# vdev_netvsc set-up did), and dpdk-test's pmd_perf_autotest drives the
# port directly.
set -u

TESTPMD=/usr/bin/dpdk-testpmd
DPDKTEST=/usr/bin/dpdk-test
UUID=5e5e0000-df3e-46c5-913f-f2d2f965ed0e
here=$(cd "$(dirname "$0")" && pwd)

fail() {
	echo "FAIL: $*"
	exit 1
}

# ---- outer: hugepages + simrun around the inner half ----
if [ "${1:-}" != --inner ]; then
	build=$1 scenario=$2 arg=${3:-}
	for p in "$TESTPMD" "$DPDKTEST"; do
		# Installed by scripts/setup.sh (Debian's dpdk-dev): a missing
		# program is a failed setup, not a reason to skip.
		[ -x "$p" ] || fail "$p missing (scripts/setup.sh installs dpdk-dev)"
	done
	[ -e /usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0/librte_net_netvsc.so ] ||
		fail "Debian's netvsc PMD missing (librte-net-netvsc23)"
	case $scenario in
	bringup)
		opts=(--vmbus "netvsc,nvsp=$arg" --wire gen:0,rate=5000,flows=4
		      --wire sink:0) ;;
	queues)
		opts=(--vmbus netvsc --wire gen:0,rate=20000,flows=64 --wire sink:0) ;;
	interleave)
		opts=(--vmbus netvsc,interleave=yes --wire gen:0,rate=20000,flows=64
		      --wire sink:0) ;;
	forward)
		opts=(--vmbus netvsc --wire loop:0) ;;
	link)
		opts=(--vmbus netvsc --wire sink:0) ;;
	faults)
		opts=(--vmbus netvsc --wire gen:0,rate=20000,flows=8 --wire sink:0) ;;
	traffic)
		# 100 Mbit/s: pmd_perf_autotest stops after two seconds' worth.
		opts=(--vmbus netvsc,speed=100 --wire loop:0) ;;
	*)
		fail "unknown scenario $scenario" ;;
	esac
	exec timeout 240 "$here/with-hugepages.sh" 256 "$build/sim/simrun" "${opts[@]}" \
		-- "$0" --inner "$build" "$scenario" "$arg" @HUGEDIR@ @PREFIX@
fi

# ---- inner: under simrun ----
shift
build=$1 scenario=$2 arg=$3 hugedir=$4 prefix=$5
simctl="$build/sim/simctl"
work=$(mktemp -d /tmp/udrv-netvsc-up.XXXXXX) || exit 1
app_pid=
cleanup() {
	[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
	exec 3>&- 2>/dev/null
	[ -n "${NETVSC_KEEP:-}" ] && cp "$work/out" /tmp/netvsc-last.out
	rm -rf "$work"
}
trap cleanup EXIT
eal=(--no-pci -l 0-1 -m 256 --huge-dir="$hugedir" --file-prefix="$prefix")

# value of key in the first line of text that has it
val() {
	grep -o "\b$1=[^ ]*" <<<"$2" | head -n 1 | cut -d= -f2
}

# NIC counters on stdout; the channels' in $chan_stats. Only while the
# DPDK program runs: a simctl with no owner to attach to would become one.
chan_stats=
nic_stats() {
	chan_stats=$("$simctl" stats "$UUID") || fail "simctl stats"
	"$simctl" nic 0 stats || fail "simctl nic 0 stats"
}

# testpmd, interactive, reading commands from a FIFO; a last argument
# --vdev puts the port under net_failsafe.
testpmd_start() {
	local vdev=()
	if [ "${!#}" = --vdev ]; then
		vdev=(--vdev "net_failsafe0,dev($UUID)")
		set -- "${@:1:$(($# - 1))}"
	fi
	rm -f "$work/cmd"
	mkfifo "$work/cmd"
	env -u LD_LIBRARY_PATH "$TESTPMD" "${eal[@]}" "${vdev[@]}" -- -i \
		--total-num-mbufs=16384 "$@" <"$work/cmd" >"$work/out" 2>&1 &
	app_pid=$!
	exec 3>"$work/cmd"
	for _ in $(seq 300); do
		grep -q "testpmd> " "$work/out" && return 0
		kill -0 "$app_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$work/out"
	fail "testpmd did not come up"
}

cmd() {
	echo "$*" >&3
}

# Make the PMD process each queue's channel (receives, acks, events).
poll_queues() {
	local n=$1 rounds=$2 i q
	for i in $(seq "$rounds"); do
		for q in $(seq 0 $((n - 1))); do
			cmd "show port 0 rxq $q desc 0 status"
		done
		sleep 0.1
	done
}

testpmd_quit() {
	local rc
	cmd quit
	exec 3>&-
	for _ in $(seq 150); do
		kill -0 "$app_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$app_pid" 2>/dev/null && fail "testpmd did not quit"
	wait "$app_pid"
	rc=$?
	app_pid=
	[ $rc -eq 0 ] || { cat "$work/out"; fail "testpmd exit status $rc"; }
}

# Host counters every scenario expects clean.
check_clean() {
	local s=$1 k
	for k in proto_errors bad_acks tx_offload_errors completions_failed \
		 corrupt_channels; do
		[ "$(val $k "$s")" = 0 ] || { echo "$s"; fail "host counted $k"; }
	done
}

xstat() {
	grep -o "$1: [0-9]*" "$work/out" | tail -n 1 | awk '{print $2}'
}

case $scenario in
bringup)
	case $arg in
	1) want=0x2 ;; 2) want=0x30002 ;; 4) want=0x40000 ;; 5) want=0x50000 ;;
	6) want=0x60000 ;; 6.1) want=0x60001 ;; *) fail "version $arg" ;;
	esac
	testpmd_start
	cmd "show port info 0"
	poll_queues 1 20
	s=$(nic_stats)
	cmd "show port xstats 0"
	sleep 0.5
	testpmd_quit
	grep -q "MAC address: 00:15:5D:00:00:00" "$work/out" || fail "MAC not seen by testpmd"
	grep -q "Link status: up" "$work/out" || fail "link not up in testpmd"
	[ "$(val nvsp "$s")" = "$want" ] || fail "host negotiated $(val nvsp "$s"), want $want"
	[ "$(val session "$s")" = open ] || fail "no session"
	[ "$(val filter "$s")" != 0 ] || fail "packet filter still 0"
	[ "$(val rx_frames "$s")" -gt 0 ] || fail "host gave the guest no frame"
	[ "$(val acks "$s")" -gt 0 ] || fail "the guest acked no receive slot"
	rx=$(xstat rx_good_packets)
	[ "${rx:-0}" -gt 0 ] || fail "testpmd received nothing"
	check_clean "$s"
	echo "NVSP $want: host rx_frames=$(val rx_frames "$s") acks=$(val acks "$s"), testpmd rx_good_packets=$rx"
	;;
queues | interleave)
	n=${arg:-4}
	testpmd_start --rxq="$n" --txq="$n"
	poll_queues "$n" 20
	s=$(nic_stats)
	cmd "show port xstats 0"
	sleep 0.5
	testpmd_quit
	[ "$(val channels "$s")" = "$n" ] || fail "host has $(val channels "$s") channels, want $n"
	for q in $(seq 0 $((n - 1))); do
		hq=$(grep "queue=$q " <<<"$s" | grep -o "rx_frames=[0-9]*" | cut -d= -f2)
		[ "${hq:-0}" -gt 0 ] || { echo "$s"; fail "host sent nothing on queue $q"; }
		gq=$(xstat "rx_q${q}_good_packets")
		[ "${gq:-0}" -gt 0 ] || fail "testpmd received nothing on queue $q"
		echo "queue $q: host rx_frames=$hq, testpmd rx_q${q}_good_packets=$gq"
	done
	if [ "$n" -gt 1 ]; then
		[ "$(val rss "$s")" = on ] || fail "RSS not on"
		[ "$(val txtbl_sent "$s")" -ge 1 ] || fail "no send indirection table"
	fi
	if [ "$scenario" = interleave ]; then
		[ "$(val injected "$s")" -gt 0 ] || fail "nothing interleaved"
		echo "interleaved host messages: $(val injected "$s")"
	fi
	check_clean "$s"
	;;
forward)
	n=${arg:-1}
	testpmd_start --rxq="$n" --txq="$n" --txonly-multi-flow --vdev
	cmd "start tx_first"
	sleep 3
	s=$(nic_stats)
	cmd stop
	sleep 0.5
	testpmd_quit
	for q in $(seq 0 $((n - 1))); do
		line=$(grep "queue=$q " <<<"$s")
		for k in rx_frames tx_frames; do
			[ "$(val $k "$line")" -gt 0 ] || { echo "$s"; fail "queue $q: host $k=0"; }
		done
		echo "queue $q: host $(grep -o "rx_frames=[0-9]* tx_frames=[0-9]*" <<<"$line")"
	done
	rx=$(grep -o "RX-total: [0-9]*" "$work/out" | tail -n 1 | awk '{print $2}')
	tx=$(grep -o "TX-total: [0-9]*" "$work/out" | tail -n 1 | awk '{print $2}')
	[ "${rx:-0}" -gt 1000 ] && [ "${tx:-0}" -gt 1000 ] ||
		fail "testpmd forwarded rx=$rx tx=$tx"
	[ "$(val completions "$s")" -gt 0 ] || fail "no send completions"
	check_clean "$s"
	echo "testpmd RX-total=$rx TX-total=$tx"
	;;
faults)
	# tx_frames of the host now, after a second of traffic
	sent_after() {
		sleep "$1"
		val tx_frames "$(nic_stats)"
	}
	testpmd_start --vdev
	cmd start
	t0=$(sent_after 1)
	[ "$t0" -gt 0 ] || fail "no traffic to start with"
	"$simctl" noack 0 on >/dev/null || fail "noack on"
	sleep 1
	s=$(nic_stats)
	held=$(val completions_held "$s")
	[ "$held" -gt 0 ] || fail "no completion withheld"
	"$simctl" noack 0 off >/dev/null || fail "noack off"
	t1=$(val tx_frames "$s")
	t2=$(sent_after 1)
	[ "$t2" -gt "$t1" ] || fail "traffic did not resume after noack ($t1 -> $t2)"
	"$simctl" stall "$UUID" all 300 >/dev/null || fail "stall"
	t3=$(sent_after 1)
	[ "$t3" -gt "$t2" ] || fail "traffic did not resume after a stall"
	"$simctl" inject 0 nvsp-unknown >/dev/null || fail "inject nvsp-unknown"
	# Not comp-unknown: 22.11 takes a completion's id for a pointer.
	"$simctl" inject 0 indicate-unknown >/dev/null || fail "inject indicate-unknown"
	t4=$(sent_after 1)
	[ "$t4" -gt "$t3" ] || fail "traffic did not go on after unknown messages"
	s=$(nic_stats)
	cmd stop
	sleep 0.5
	testpmd_quit
	[ "$(val injected "$s")" -ge 2 ] || fail "nothing injected"
	check_clean "$s"
	echo "host tx_frames: $t0 -> noack (held $held) -> $t2 -> stall -> $t3 -> unknown messages -> $t4"
	;;
link)
	link_flap() {
		poll_queues 1 5
		"$simctl" link 0 down >/dev/null || fail "simctl link down"
		poll_queues 1 10
		cmd "show port info 0"
		sleep 1
		"$simctl" link 0 up >/dev/null || fail "simctl link up"
		poll_queues 1 10
		cmd "show port info 0"
		sleep 0.3
	}
	# The PMD turns the host's indications into LSC events...
	testpmd_start
	link_flap
	s=$(nic_stats)
	testpmd_quit
	n=$(grep -c "link state change event" "$work/out")
	[ "$n" -ge 2 ] || fail "testpmd saw $n link events, want 2"
	[ "$(val link_changes "$s")" -ge 2 ] || fail "host sent $(val link_changes "$s") link indications"
	check_clean "$s"
	# ... but 22.11 does not refresh the link it caches before the
	# event, so the state is read with LSC off: each "show port info"
	# then queries the host. Output is complete once testpmd has exited.
	testpmd_start --no-lsc-interrupt
	link_flap
	s=$(nic_stats)
	testpmd_quit
	states=$(grep -o "Link status: [a-z]*" "$work/out" | cut -d' ' -f3 | tr '\n' ' ')
	[ "$states" = "down up " ] || fail "link states seen: $states"
	check_clean "$s"
	echo "link events seen by testpmd: $n; states queried: $states"
	;;
traffic)
	# Two busy lcores leave simctl little CPU while this runs: the
	# host's counters come from the report the NIC model prints when
	# the program exits.
	DPDK_TEST=pmd_perf_autotest env -u LD_LIBRARY_PATH "$DPDKTEST" "${eal[@]}" \
		>"$work/out" 2>&1 </dev/null &
	app_pid=$!
	wait "$app_pid"
	rc=$?
	app_pid=
	[ $rc -eq 0 ] && grep -q "Test OK" "$work/out" || { cat "$work/out"; fail "pmd_perf_autotest"; }
	s=$(grep -o "hvsim-nic: nic=0 uuid.*" "$work/out")
	[ -n "$s" ] || fail "no final report from the NIC model"
	# Sends are aggregated: several frames per completion.
	for k in tx_frames rx_frames acks completions; do
		min=100000
		[ $k = completions ] && min=10000
		[ "$(val $k "$s")" -gt $min ] || { echo "$s"; fail "host $k=$(val $k "$s")"; }
	done
	check_clean "$s"
	grep -E "packet, .* drop|Result" "$work/out"
	echo "host: tx_frames=$(val tx_frames "$s") rx_frames=$(val rx_frames "$s") completions=$(val completions "$s") acks=$(val acks "$s")"
	;;
esac
echo "PASS: $scenario $arg"
