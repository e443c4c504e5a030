#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# accel-config (Debian's, unchanged) against the DSA model, run under
#   simrun --dsa dsa0,configured=no -- dsa_accel_config.sh dsa_selftest
# Each accel-config command is its own process, so this also proves that
# the device's state lives on between the programs of a session: the
# WQ configured and enabled here is then used by another program.
set -u
selftest=$1
fail=0

step() {
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what (exit $?)"
		fail=1
	fi
}

expect_fail() {
	local what=$1
	shift
	if "$@" 2>/dev/null; then
		echo "FAIL: $what (succeeded)"
		fail=1
	else
		echo "ok: $what"
	fi
}

attr() {
	local v
	v=$(cat "/sys/bus/dsa/devices/$1" 2>/dev/null)
	[ "$v" = "$2" ] || { echo "  $1 = '$v', want '$2'"; return 1; }
}

step "list shows dsa0 disabled" \
	sh -c 'accel-config list -i | grep -q "\"state\":\"disabled\""'
step "config-engine" accel-config config-engine dsa0/engine0.0 --group-id=0
step "config-engine 2" accel-config config-engine dsa0/engine0.1 --group-id=1
step "config-wq dedicated" accel-config config-wq dsa0/wq0.0 --group-id=0 \
	--mode=dedicated --type=user --name=dpdk_app0 --driver-name=user \
	--priority=5 --wq-size=32 --max-batch-size=64 --max-transfer-size=1048576
step "config-wq shared" accel-config config-wq dsa0/wq0.1 --group-id=1 \
	--mode=shared --type=user --name=dpdk_app1 --driver-name=user \
	--priority=2 --wq-size=16 --threshold=12
step "wq0.0 attributes" sh -c 'attr() { [ "$(cat /sys/bus/dsa/devices/$1)" = "$2" ]; }
	attr wq0.0/size 32 && attr wq0.0/mode dedicated && attr wq0.0/max_batch_size 64 &&
	attr wq0.0/max_transfer_size 1048576 && attr wq0.0/priority 5 &&
	attr wq0.1/threshold 12 && attr wq0.1/mode shared'
expect_fail "enable-wq before enable-device" accel-config enable-wq dsa0/wq0.0
step "enable-device" accel-config enable-device dsa0
step "device enabled" attr dsa0/state enabled
expect_fail "wq size locked once the device is enabled" \
	accel-config config-wq dsa0/wq0.0 --wq-size=8
step "enable-wq dsa0/wq0.0 dsa0/wq0.1" accel-config enable-wq dsa0/wq0.0 dsa0/wq0.1
step "WQs enabled, nodes created" sh -c \
	'[ -e /dev/dsa/wq0.0 ] && [ -e /dev/dsa/wq0.1 ] &&
	 [ "$(cat /sys/bus/dsa/devices/wq0.0/state)" = enabled ]'
step "list shows the enabled WQs" \
	sh -c 'accel-config list | grep -q "\"name\":\"dpdk_app0\""'
step "another program uses wq0.0" "$selftest" use wq0.0
step "disable-wq" accel-config disable-wq dsa0/wq0.1
step "wq0.1 reset" attr wq0.1/state disabled
step "disable-device" accel-config disable-device dsa0
step "device disabled, configuration cleared" sh -c \
	'[ "$(cat /sys/bus/dsa/devices/dsa0/state)" = disabled ] &&
	 [ "$(cat /sys/bus/dsa/devices/wq0.0/size)" = 0 ] && [ ! -e /dev/dsa/wq0.0 ]'

if [ $fail -ne 0 ]; then
	echo "accel-config test FAILED"
	exit 1
fi
echo "accel-config test passed"
