#!/usr/bin/env bash
# The .deb part of Packaging/test.sh, also runnable alone: the release build packaged (Packaging/build-deb.sh),
# lintian (errors and warnings fail), and Packaging/test-deb-clean-root.sh (the package installed into a clean
# Debian 12 root, segd.service run there as installed). Prints how long each part took.
#
# Runs when root (as CI runs it): debootstrap, chroot and systemd-nspawn need root. Without root it says SKIPPED
# loudly and exits 0. SEGD_DEB_TEST=0 skips it (loudly); SEGD_DEB_TEST=1 demands it (fails without root).
# The clean root's debootstrap (network-bound; cached in ~/.cache/segd-debootstrap) runs in the background
# during the release build (CPU-bound).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'test-deb-part: %s\n' "$*"; }
banner() { say "##########################################################################################"; }
took() { printf 'test-deb-part: %-34s %5d s\n' "$1 took" $((SECONDS - $2)); }   # took LABEL START

DEB_TEST=${SEGD_DEB_TEST:-auto}
case $DEB_TEST in
    auto|0|1) ;;
    *) say "SEGD_DEB_TEST must be 0, 1 or unset (run when root), not '$DEB_TEST'" >&2; exit 64 ;;
esac
if [ "$DEB_TEST" = 0 ]; then
    banner; say "SKIPPED (SEGD_DEB_TEST=0): the .deb build, lintian and the clean-root install test"; banner
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    if [ "$DEB_TEST" = 1 ]; then
        say "FAIL: SEGD_DEB_TEST=1 but not root: the clean-root test needs root (debootstrap, chroot, systemd-nspawn)" >&2
        exit 1
    fi
    banner
    say "SKIPPED (not root): the .deb build, lintian and the clean-root install test need root."
    say "Run as root (CI does): sudo bash Packaging/test-deb.sh"
    banner
    exit 0
fi

version=$(sed -n 's/.*static let string = "\([^"]*\)".*/\1/p' Sources/SegControl/SegdVersion.swift)
[ -n "$version" ] || { say "FAIL: cannot read the version from Sources/SegControl/SegdVersion.swift" >&2; exit 1; }
deb=.build/deb/segd_${version}_amd64.deb
rm -f "$deb"   # never test a package left from an earlier run
start=$SECONDS

t=$SECONDS
prepare_log=$(mktemp)
bash Packaging/test-deb-clean-root.sh --prepare > "$prepare_log" 2>&1 &
prepare=$!
trap 'wait "$prepare" 2>/dev/null || true; rm -f "$prepare_log"' EXIT   # on a failure: never leave debootstrap running
say "building the .deb (release build of segd, segctl and the three plugins only; the clean root's base in the background)"
bash Packaging/build-deb.sh
took "release build + packaging" $t

t=$SECONDS
say "lintian --fail-on error,warning (the info tags that remain are listed in README.md)"
lintian --fail-on error,warning "$deb"
took "lintian" $t

t=$SECONDS
wait "$prepare" || { cat "$prepare_log" >&2; say "FAIL: preparing the clean root's base failed (above)" >&2; exit 1; }
cat "$prepare_log"
took "waiting for the clean root's base" $t

t=$SECONDS
say "installing the .deb into a clean Debian 12 root and running segd.service there"
bash Packaging/test-deb-clean-root.sh "$deb"
took "clean-root test" $t
took "the whole .deb part" $start
say "OK"
