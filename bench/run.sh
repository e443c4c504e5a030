#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run the benchmarks: every section (bench/<section>.sh), or those named.
# Each section compares a udrv driver with its upstream counterpart on the
# same device model and prints a Markdown table (see doc/benchmarks.md).
#
# Usage: bench/run.sh [section...]     sections: idxd, netvsc
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sections=("$@")
if [ ${#sections[@]} -eq 0 ]; then
	for s in "$here"/*.sh; do
		name=$(basename "$s" .sh)
		[ "$name" = run ] || sections+=("$name")
	done
fi
for s in "${sections[@]}"; do
	[ -x "$here/$s.sh" ] || { echo "bench: no section $s" >&2; exit 2; }
	echo "## $s"
	"$here/$s.sh"
	echo
done
