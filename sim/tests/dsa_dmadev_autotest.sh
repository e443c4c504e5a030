#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run dpdk-test's dmadev_autotest and check that it really tested the
# expected devices: dmadev_autotest exits 0 when it finds no device, and
# skips tests silently, so the exit status alone proves nothing.
#
# Usage: dsa_dmadev_autotest.sh DEVICES dpdk-test [EAL args...]
#   DEVICES: space-separated dmadev names that must each run the copy,
#   burst capacity, error handling and fill tests (e.g. "wq0.0 wq0.1").
set -u
devices=$1
shift
out=$(mktemp /tmp/udrv-dmadev.XXXXXX) || exit 1
trap 'rm -f "$out"' EXIT

DPDK_TEST=dmadev_autotest timeout 600 "$@" >"$out" 2>&1 </dev/null
rc=$?
# Progress lines are joined by carriage returns; one line per message.
tr '\r' '\n' <"$out" | sed 's/Ops submitted/\nOps submitted/g' |
	grep -v '^Ops submitted' | grep -v '^$' >"$out.log"
mv "$out.log" "$out"

fail=0
if [ $rc -ne 0 ]; then
	echo "dpdk-test exited with $rc"
	fail=1
fi
grep -q '^Test OK' "$out" || { echo "no 'Test OK'"; fail=1; }
for dev in $devices; do
	# The lines of this device's instance, up to the next instance.
	sect=$(awk -v d="[$dev]" '
		/^### Test dmadev instance/ { on = index($0, d) > 0 }
		on { print }' "$out")
	if [ -z "$sect" ]; then
		echo "$dev: not tested (device not found?)"
		fail=1
		continue
	fi
	for t in "copy" "burst capacity" "error handling" "fill"; do
		echo "$sect" | grep -q "Running $t Tests" ||
			{ echo "$dev: $t tests did not run"; fail=1; }
	done
	if echo "$sect" | grep -qi 'skipping'; then
		echo "$dev: tests skipped:"
		echo "$sect" | grep -i 'skipping'
		fail=1
	fi
done
if [ $fail -ne 0 ]; then
	echo "---- dpdk-test output ----"
	cat "$out"
	exit 1
fi
grep -E '^### Test dmadev instance|Running .* Tests' "$out"
echo "dmadev_autotest: all tests ran and passed on: $devices"
