#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run a command and check what a user would see: its exit status and
# lines of its output (stdout and stderr together).
#
# Usage: expect.sh [-x STATUS] [-p REGEX]... [-n REGEX]... -- command...
#   -x STATUS  the exit status the command must have (default 0)
#   -p REGEX   a line matching REGEX (grep -E) must appear
#   -n REGEX   no line may match REGEX
set -u
want_rc=0
must=()
mustnot=()
while [ $# -gt 0 ]; do
	case $1 in
	-x) want_rc=$2; shift 2 ;;
	-p) must+=("$2"); shift 2 ;;
	-n) mustnot+=("$2"); shift 2 ;;
	--) shift; break ;;
	*) echo "expect.sh: bad option $1" >&2; exit 2 ;;
	esac
done
out=$(mktemp /tmp/udrv-expect.XXXXXX) || exit 1
trap 'rm -f "$out"' EXIT
timeout 300 "$@" >"$out" 2>&1 </dev/null
rc=$?
fail=0
[ "$rc" -eq "$want_rc" ] || { echo "exit status $rc, want $want_rc"; fail=1; }
for re in "${must[@]}"; do
	grep -Eq -- "$re" "$out" || { echo "missing: $re"; fail=1; }
done
for re in "${mustnot[@]}"; do
	grep -Eq -- "$re" "$out" && { echo "unexpected: $re"; fail=1; }
done
cat "$out"
[ $fail -eq 0 ] && echo "expect.sh: as expected" || echo "expect.sh: FAILED"
exit $fail
