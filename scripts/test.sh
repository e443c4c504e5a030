#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Set up everything on a fresh Debian 12 machine and run every test: the
# plain build, then the same tests in an ASan+UBSan build, then a short
# libFuzzer run of each fuzz target (clang build in build-fuzz).
# Usage: scripts/test.sh [--no-sanitizers] [--no-fuzz] [meson test args...]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$UDRV_ROOT"

sanitizers=1
fuzz=1
while [ $# -gt 0 ]; do
	case "$1" in
	--no-sanitizers) sanitizers=0 ;;
	--no-fuzz) fuzz=0 ;;
	*) break ;;
	esac
	shift
done

echo "== plain build"
udrv_build build
meson test -C build --print-errorlogs "$@"

if [ $sanitizers -eq 1 ]; then
	echo "== ASan+UBSan build"
	udrv_build build-asan -Db_sanitize=address,undefined -Db_lundef=false
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --print-errorlogs "$@"
fi

if [ $fuzz -eq 1 ]; then
	# About 6 s per target (fuzz/meson.build); any crash, leak, UB or
	# oracle abort fails the step. Longer runs: doc/fuzzing.md.
	echo "== fuzz (clang, libFuzzer)"
	if [ -f build-fuzz/build.ninja ]; then
		meson configure build-fuzz -Dfuzz=true >/dev/null
	else
		CC=clang meson setup build-fuzz "$UDRV_ROOT" -Dfuzz=true
	fi
	ninja -C build-fuzz fuzzers
	meson test -C build-fuzz --suite fuzz --no-rebuild --print-errorlogs
fi
