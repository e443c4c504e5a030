#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Set up everything on a fresh Debian 12 machine and run every test: the
# plain build, then the same tests in an ASan+UBSan build.
# Usage: scripts/test.sh [--no-sanitizers] [meson test args...]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$UDRV_ROOT"

sanitizers=1
if [ "${1:-}" = "--no-sanitizers" ]; then
	sanitizers=0
	shift
fi

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
