#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Prepare a fresh Debian 12 machine for udrv: install the packages the project
# needs and build DPDK 22.11 (with the driver SDK, without the in-tree drivers
# udrv replaces) into a cache directory outside the repository.
#
# Idempotent: a second run checks stamps and returns in seconds.
# Prints the SDK prefix on the last line of stdout when called with --print-prefix.

set -euo pipefail

DPDK_VERSION=22.11.11
DPDK_DEB_VERSION=22.11.11-0+deb12u1
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/udrv"
SRC_PARENT="$CACHE_ROOT/src"
SRC_DIR="$SRC_PARENT/dpdk-$DPDK_VERSION"

# Packages: toolchain, DPDK build deps, the mlx5/mana VF deps, sanitizers
# and fuzzing (clang + compiler-rt), valgrind for the benchmarks, and the
# independent clients of the device models: Debian's binary DPDK (testpmd,
# dpdk-test, upstream netvsc, failsafe and idxd plugins) and accel-config.
PACKAGES="build-essential pkg-config meson ninja-build python3-pyelftools
	libnuma-dev rdma-core libibverbs-dev libpcap-dev libelf-dev
	clang llvm libclang-rt-14-dev valgrind dpkg-dev iproute2 kmod
	accel-config dpdk dpdk-dev librte-net-netvsc23 librte-net-failsafe23"

# The DPDK configuration; its hash keys the install prefix so a change
# rebuilds into a new directory instead of mixing two configurations.
DPDK_DRIVERS="bus/pci,bus/vdev,bus/auxiliary,common/mlx5,mempool/ring,mempool/stack,net/null,net/ring,net/tap,net/virtio,net/vhost,net/mlx5,net/mana,dma/skeleton"
DPDK_MESON_OPTS=(
	-Dbuildtype=debugoptimized
	-Ddefault_library=shared
	-Denable_driver_sdk=true
	-Denable_drivers="$DPDK_DRIVERS"
	-Dexamples=vdpa,dma
	-Denable_apps=test-pmd,test
	-Dtests=true
	-Denable_docs=false
	-Dmax_lcores=128
	-Dplatform=generic
	-Dcheck_includes=false
)
CONFIG_HASH=$(printf '%s\n' "$DPDK_VERSION" "${DPDK_MESON_OPTS[@]}" | sha256sum | cut -c1-12)
PREFIX="$CACHE_ROOT/dpdk-$DPDK_VERSION-$CONFIG_HASH"

log() { echo "setup: $*" >&2; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
	local missing=()
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	as_root apt-get update -qq
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends -o=Dpkg::Use-Pty=0 \
		"${missing[@]}" >&2
}

# deb-src is needed for `apt-get source dpdk`; add it beside the existing
# deb entries (deb822 or one-line format) only when it is absent.
enable_deb_src() {
	if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return 0
	fi
	log "enabling deb-src"
	local out=/etc/apt/sources.list.d/udrv-deb-src.sources
	if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
		sed -e 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/*.sources |
			as_root tee "$out" >/dev/null
	else
		grep -hE '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
			as_root tee /etc/apt/sources.list.d/udrv-deb-src.list >/dev/null
	fi
	as_root apt-get update -qq
}

fetch_source() {
	[ -f "$SRC_DIR/.udrv-fetched" ] && return 0
	enable_deb_src
	log "fetching dpdk $DPDK_DEB_VERSION source"
	mkdir -p "$SRC_PARENT"
	rm -rf "$SRC_DIR"
	(cd "$SRC_PARENT" && apt-get source -qq "dpdk=$DPDK_DEB_VERSION" >&2)
	[ -d "$SRC_DIR" ] || { log "expected $SRC_DIR after apt-get source"; exit 1; }
	touch "$SRC_DIR/.udrv-fetched"
}

build_dpdk() {
	[ -f "$PREFIX/.udrv-built" ] && return 0
	local bdir="$CACHE_ROOT/build/dpdk-$DPDK_VERSION-$CONFIG_HASH"
	log "building dpdk into $PREFIX (several minutes)"
	rm -rf "$bdir"
	meson setup "$bdir" "$SRC_DIR" --prefix="$PREFIX" --libdir=lib \
		"${DPDK_MESON_OPTS[@]}" >"$CACHE_ROOT/dpdk-configure.log" 2>&1 ||
		{ tail -40 "$CACHE_ROOT/dpdk-configure.log" >&2; exit 1; }
	ninja -C "$bdir" >"$CACHE_ROOT/dpdk-build.log" 2>&1 ||
		{ tail -40 "$CACHE_ROOT/dpdk-build.log" >&2; exit 1; }
	ninja -C "$bdir" install >"$CACHE_ROOT/dpdk-install.log" 2>&1 ||
		{ tail -40 "$CACHE_ROOT/dpdk-install.log" >&2; exit 1; }
	# Examples are built but not installed by DPDK; keep the two we use.
	mkdir -p "$PREFIX/bin"
	for ex in dpdk-vdpa dpdk-dma; do
		[ -x "$bdir/examples/$ex" ] && cp "$bdir/examples/$ex" "$PREFIX/bin/"
	done
	[ -x "$bdir/app/test/dpdk-test" ] && cp "$bdir/app/test/dpdk-test" "$PREFIX/bin/"
	rm -rf "$bdir"
	touch "$PREFIX/.udrv-built"
}

main() {
	mkdir -p "$CACHE_ROOT"
	install_packages
	fetch_source
	build_dpdk
	echo "$PREFIX"
}

main "$@"
