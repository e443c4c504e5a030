#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# idxd benchmark: udrv's idxd PMD against Debian's upstream one (package
# dpdk, 22.11) on the same DSA model, in one run.
#
# One program (bench/idxd_bench.c) is built twice, against udrv's DPDK SDK
# and against Debian's libdpdk-dev, and run under simrun on a fresh model
# with the same options for each driver:
#  - throughput: copies of 64 B to 64 KiB at bursts of 1, 8, 32 and 64,
#    several bursts in flight; operations per second, median of REPS runs,
#    drivers alternating;
#  - instructions per operation in the PMD's fast path (enqueue + submit +
#    completed), from valgrind --tool=callgrind with collection on only
#    inside the benchmark's three wrapper functions, minus the wrappers'
#    own instructions. Under valgrind MOVDIR64B is an unknown instruction:
#    the model emulates it from the SIGILL that valgrind raises, and that
#    handler runs outside the collected functions, so it is not counted.
#
# Usage: bench/idxd.sh [--reps N] [--ops N] [--cg-ops N] [--out FILE]
#   results: a Markdown table on stdout and in FILE
#   (default build/bench/idxd/results.md).
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh" >/dev/null
cd "$UDRV_ROOT"

reps=3
ops=20000
cg_ops=1024
out=
while [ $# -gt 0 ]; do
	case $1 in
	--reps) reps=$2; shift 2 ;;
	--ops) ops=$2; shift 2 ;;
	--cg-ops) cg_ops=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) echo "usage: $0 [--reps N] [--ops N] [--cg-ops N] [--out FILE]" >&2; exit 2 ;;
	esac
done

udrv_build build >/dev/null
dir=$UDRV_ROOT/build/bench/idxd
out=${out:-$dir/results.md}
rm -rf "$dir"
mkdir -p "$dir"
# by file name through the library path (EAL refuses -d paths in a
# world-writable tree)
export LD_LIBRARY_PATH="$UDRV_ROOT/build/drivers/dma/idxd:$LD_LIBRARY_PATH"
plugin=udrv_dma_idxd.so
simrun=$UDRV_ROOT/build/sim/simrun
debian_pc=/usr/lib/x86_64-linux-gnu/pkgconfig

# The same source against each DPDK; each binary finds its own libraries.
cflags=(-O2 -g -DALLOW_EXPERIMENTAL_API)
[ -f /usr/include/valgrind/callgrind.h ] && cflags+=(-DHAVE_CALLGRIND_H)
cc "${cflags[@]}" bench/idxd_bench.c -o "$dir/idxd-bench-udrv" \
	$(pkg-config --cflags --libs libdpdk) -Wl,-rpath,"$UDRV_DPDK_PREFIX/lib"
if ! PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$debian_pc pkg-config --exists libdpdk; then
	echo "idxd bench: Debian's libdpdk-dev is not installed (scripts/setup.sh installs it)" >&2
	exit 1
fi
cc "${cflags[@]}" bench/idxd_bench.c -o "$dir/idxd-bench-upstream" \
	$(PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$debian_pc pkg-config --cflags --libs libdpdk)

model=(--dsa dsa0)
eal=(-l 0 --no-pci --no-huge -m 512 --no-shconf --no-telemetry --log-level=lib.eal:warning)

# run DRIVER command-prefix... -- bench args
run() {
	local drv=$1
	shift
	if [ "$drv" = udrv ]; then
		"$simrun" "${model[@]}" -- "$@" "$dir/idxd-bench-udrv" "${eal[@]}" -d "$plugin" \
			-- --dev wq0.0 "${bench_args[@]}"
	else
		# Debian's binaries, libraries and plugins (its own idxd).
		"$simrun" "${model[@]}" -- env -u LD_LIBRARY_PATH "$@" "$dir/idxd-bench-upstream" \
			"${eal[@]}" -- --dev wq0.0 "${bench_args[@]}"
	fi
}

echo "idxd bench: throughput, $reps runs per driver" >&2
bench_args=(--ops "$ops")
for r in $(seq "$reps"); do
	for drv in udrv upstream; do
		run "$drv" >"$dir/tput.$drv.$r" 2>"$dir/log.$drv.$r" ||
			{ echo "idxd bench: $drv run $r failed:" >&2; cat "$dir/log.$drv.$r" >&2; exit 1; }
	done
done

if command -v valgrind >/dev/null; then
	echo "idxd bench: instructions per operation (callgrind)" >&2
	bench_args=(--ops "$cg_ops" --callgrind)
	for drv in udrv upstream; do
		run "$drv" valgrind --tool=callgrind --collect-atstart=no \
			--toggle-collect=bench_copy --toggle-collect=bench_submit \
			--toggle-collect=bench_completed \
			--callgrind-out-file="$dir/cg.$drv.%p" \
			>"$dir/cgrun.$drv" 2>"$dir/cglog.$drv" ||
			{ echo "idxd bench: $drv under callgrind failed:" >&2; tail -30 "$dir/cglog.$drv" >&2; exit 1; }
	done
else
	echo "idxd bench: valgrind not installed: no instruction counts" >&2
fi

{
	echo "DSA model: \`simrun ${model[*]}\` (dedicated WQ wq0.0, 64 entries)."
	echo "udrv: $(git -C "$UDRV_ROOT" describe --always --dirty 2>/dev/null || echo unknown);" \
	     "upstream: Debian $(dpkg-query -W -f='${Version}' dpdk 2>/dev/null || echo '?')."
	echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs."
	echo
	python3 bench/idxd_report.py "$dir"
} | tee "$out"
