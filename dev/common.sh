# Shared settings for the dev/ scripts. Sourced, not executed.
# shellcheck shell=bash

set -euo pipefail

# Debian's tools first: the python3 that sees Debian's python3-* packages
# (checkpatch's spdxcheck needs python3-ply and python3-git).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Downloads, the pristine base, the assembled tree and build output live in
# a cache outside the work tree, so they survive between sessions and clones.
CACHE=${MSI_TABLE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/msi-table-series}
OUT=$TOP/out
BASEREPO=$CACHE/base          # pristine base, a git repository (tag "base")
TREE=$CACHE/tree              # assembled tree: a worktree of $BASEREPO
# O= build directory of the test kernel; MSI_TABLE_FLAVOUR=debug selects
# the debug kernel (test.config + debug.config: KASAN, kmemleak), whose
# build directory and initramfs are its own.
FLAVOUR=${MSI_TABLE_FLAVOUR:-}
BUILD=$CACHE/build${FLAVOUR:+-$FLAVOUR}
INITRAMFS=${MSI_TABLE_INITRAMFS:-$CACHE/initramfs${FLAVOUR:+-$FLAVOUR}.cpio.gz}
JOBS=${JOBS:-$(nproc)}
ARCH=x86_64
export ARCH
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_BASEDIR=$CACHE
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=msi-table KBUILD_BUILD_HOST=workbench

# shellcheck source=base.conf
. "$TOP/dev/base.conf"

say()  { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# kmake: make in the assembled tree with the test kernel's build directory.
kmake() {
	make -C "$TREE" O="$BUILD" ARCH=x86_64 CC="ccache gcc" HOSTCC="ccache gcc" \
		-j"$JOBS" -s "$@"
}

mkdir -p "$CACHE" "$OUT"
