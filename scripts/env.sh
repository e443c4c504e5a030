# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the other scripts: set up the machine (idempotent) and point
# the build at the DPDK SDK in the cache.
UDRV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UDRV_DPDK_PREFIX=$(bash "$UDRV_ROOT/scripts/setup.sh" | tail -n 1)
export UDRV_ROOT UDRV_DPDK_PREFIX
export PKG_CONFIG_PATH="$UDRV_DPDK_PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$UDRV_DPDK_PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PATH="$UDRV_DPDK_PREFIX/bin:$PATH"

# Configure (or reconfigure) and build one build directory.
udrv_build() {
	local dir=$1; shift
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$UDRV_ROOT" "$@"
	fi
	ninja -C "$dir"
}
