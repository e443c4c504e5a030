#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# An administrator's path to the PMD, on a DSA model that boots
# unconfigured (simrun --dsa dsa0,configured=no): Debian's accel-config
# configures and enables work queues, then the PMD finds them, honours
# their limits, runs dmadev_autotest on them, and names the cause when a
# WQ it was asked for is disabled.
#
# Usage: accel_config.sh AUTOTEST TEST_IDXD DPDK_TEST -- EAL args...
set -u
autotest=$1
test_idxd=$2
dpdk_test=$3
shift 3
[ "${1:-}" = "--" ] && shift
eal=("$@")
expect=$(dirname "$0")/expect.sh
fail=0

step() {
	local what=$1
	shift
	if "$@" >/tmp/udrv-idxd-step.$$ 2>&1; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		cat /tmp/udrv-idxd-step.$$
		fail=1
	fi
	rm -f /tmp/udrv-idxd-step.$$
}

step "config-engine 0" accel-config config-engine dsa0/engine0.0 --group-id=0
step "config-engine 1" accel-config config-engine dsa0/engine0.1 --group-id=1
step "config-wq wq0.0 dedicated" accel-config config-wq dsa0/wq0.0 --group-id=0 \
	--mode=dedicated --type=user --name=dpdk_app0 --driver-name=user \
	--priority=5 --wq-size=32 --max-batch-size=64 --max-transfer-size=1048576
step "config-wq wq0.1 shared" accel-config config-wq dsa0/wq0.1 --group-id=1 \
	--mode=shared --type=user --name=dpdk_app1 --driver-name=user \
	--priority=2 --wq-size=16 --threshold=12 --max-batch-size=64
step "config-wq wq0.2 (left disabled)" accel-config config-wq dsa0/wq0.2 \
	--group-id=1 --mode=dedicated --type=user --name=dpdk_later \
	--driver-name=user --priority=1 --wq-size=8
step "enable-device" accel-config enable-device dsa0
step "enable-wq wq0.0 wq0.1" accel-config enable-wq dsa0/wq0.0 dsa0/wq0.1

step "the PMD finds both WQs and their limits" "$expect" \
	-p 'wq0\.0: kernel WQ, dedicated WQ, 32 entries, batches up to 64, transfers up to 1048576 bytes' \
	-p 'wq0\.1: kernel WQ, shared WQ, 16 entries, batches up to 64' \
	-- "$test_idxd" "${eal[@]}" -- probe 2 wq0.0 wq0.1
step "dmadev_autotest on both" "$autotest" "wq0.0 wq0.1" "$dpdk_test" "${eal[@]}"
step "a disabled WQ asked for by name: the cause, named" "$expect" \
	-p 'wq0\.2: cannot be used: WQ is disabled \(accel-config enable-wq dsa0/wq0\.2\)' \
	-- "$test_idxd" "${eal[@]}" -a wq0.2 -- probe 0
step "enable-wq wq0.2" accel-config enable-wq dsa0/wq0.2
step "now the PMD uses it" "$expect" -p 'wq0\.2: kernel WQ, dedicated WQ, 8 entries' \
	-- "$test_idxd" "${eal[@]}" -a wq0.2 -- probe 1 wq0.2
step "disable-wq wq0.0" accel-config disable-wq dsa0/wq0.0
step "the PMD leaves it" "$test_idxd" "${eal[@]}" -- probe 2 wq0.1 wq0.2

if [ $fail -ne 0 ]; then
	echo "idxd accel-config test FAILED"
	exit 1
fi
echo "idxd accel-config test passed"
