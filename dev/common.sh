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

# The machine's own Debian mirror: the first URI of its main archive in
# /etc/apt (never written into the repository)
mirror_uri() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
		[ -n "$uri" ] && { echo "$uri"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\// && $i !~ /security/) { print $i; exit } }' "$f")
		[ -n "$uri" ] && { echo "$uri"; return; }
	done
}

# apt_private DIR ARGS...: apt-get on a private configuration kept in DIR
# (its sources.list, lists and archives), for suites and architectures the
# machine's own apt does not have
apt_private() {
	local dir=$1
	shift
	apt-get -q -o Dir::Etc::sourcelist="$dir/sources.list" \
		-o Dir::Etc::sourceparts=- -o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache::Archives="$dir/archives" \
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
		-o APT::Get::List-Cleanup=0 "$@"
}

# verified FILE SHA256: FILE is there and has that checksum
verified() {
	[ -f "$1" ] && echo "$2  $1" | sha256sum -c --status
}

mkdir -p "$CACHE" "$OUT"
