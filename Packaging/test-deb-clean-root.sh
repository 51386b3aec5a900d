#!/usr/bin/env bash
# Installs the .deb into a clean Debian 12 root and runs segd there, as hospital IT would after `apt install`:
#   1. a Debian 12 (bookworm) root from debootstrap (minbase + systemd, as on a server), cached as a tarball
#      under $SEGD_DEBOOTSTRAP_CACHE (default ~/.cache/segd-debootstrap) and unpacked fresh for every run;
#   2. `apt-get install ./segd_<version>_amd64.deb` there: apt resolves the Depends from the Debian mirror;
#   3. in the root (chroot): segd --version, segctl --version, segd check-config, segd plugins, segd models,
#      segd process on Samples/ct-head-philips with the demo model, segd seg check on the SEG, the service user,
#      the folders, the units (systemd-analyze verify), and that no library is missing; then remove and purge;
#   4. ../shared/tools/check-seg (the independent validator) on the SEG, from this machine;
#   5. the root booted with systemd-nspawn: segd.socket, and `segd process` run as segd.service itself (all of
#      its hardening) through a runtime drop-in; its SEG checked too (SEGD_SKIP_NSPAWN=1 skips this step).
# Needs root (debootstrap, chroot, mounts): without root it says SKIPPED loudly and exits 0.
# Usage: Packaging/test-deb-clean-root.sh [PATH.deb]   (default .build/deb/segd_<version>_amd64.deb)
# Environment: SEGD_DEBIAN_MIRROR (default http://deb.debian.org/debian), SEGD_DEBOOTSTRAP_CACHE,
#              SEGD_SHARED (default ../shared, for tools/check-seg).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

say() { printf 'test-deb: %s\n' "$*"; }
fail() { printf 'test-deb: FAIL: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then
    say "################################################################################"
    say "SKIPPED: the clean-root package test needs root (debootstrap, chroot, mounts)."
    say "Run it as root: sudo Packaging/test-deb-clean-root.sh"
    say "################################################################################"
    exit 0
fi

VERSION=$(sed -n 's/.*static let string = "\([^"]*\)".*/\1/p' Sources/SegControl/SegdVersion.swift)
DEB=${1:-.build/deb/segd_${VERSION}_amd64.deb}
[ -f "$DEB" ] || fail "$DEB does not exist; build it with Packaging/build-deb.sh"
DEB=$(readlink -f "$DEB")
MIRROR=${SEGD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=${SEGD_DEBOOTSTRAP_CACHE:-$HOME/.cache/segd-debootstrap}
SHARED=${SEGD_SHARED:-$REPO/../shared}
CHECK_SEG=$SHARED/tools/check-seg
[ -x "$CHECK_SEG" ] || fail "$CHECK_SEG is missing: the independent SEG validator comes from the shared corpus (set SEGD_SHARED)"
SAMPLE=Samples/ct-head-philips
[ -d "$SAMPLE" ] || fail "$SAMPLE is missing"
command -v debootstrap >/dev/null || fail "debootstrap is missing; run Packaging/setup.sh"

START=$(date +%s.%N)
step_start=$START
timing() {  # timing LABEL: prints the time since the previous step
    local now; now=$(date +%s.%N)
    awk -v l="$1" -v a="$step_start" -v b="$now" 'BEGIN { printf "test-deb: %-44s %6.1f s\n", l, b - a }'
    step_start=$now
}

# --- 1. the cached base root -------------------------------------------------------------------------------
BASE=$CACHE/bookworm-minbase-systemd.tar
mkdir -p "$CACHE/apt-archives/partial"
if [ ! -f "$BASE" ]; then
    say "creating the base root (debootstrap bookworm from $MIRROR; cached in $BASE)"
    rm -rf "$CACHE/base.tmp"
    debootstrap --variant=minbase --cache-dir="$CACHE/apt-archives" bookworm "$CACHE/base.tmp" "$MIRROR" \
        > "$CACHE/debootstrap.log" 2>&1 || { tail -20 "$CACHE/debootstrap.log" >&2; fail "debootstrap failed (log: $CACHE/debootstrap.log)"; }
    cp /etc/resolv.conf "$CACHE/base.tmp/etc/resolv.conf"
    mount -t proc proc "$CACHE/base.tmp/proc"
    mount --bind "$CACHE/apt-archives" "$CACHE/base.tmp/var/cache/apt/archives"
    set +e
    chroot "$CACHE/base.tmp" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends systemd >/dev/null' > "$CACHE/base-systemd.log" 2>&1
    rc=$?
    set -e
    umount "$CACHE/base.tmp/var/cache/apt/archives" "$CACHE/base.tmp/proc"
    [ $rc = 0 ] || { tail -20 "$CACHE/base-systemd.log" >&2; fail "installing systemd into the base root failed"; }
    tar -C "$CACHE/base.tmp" -cf "$BASE.tmp" . && mv "$BASE.tmp" "$BASE"
    rm -rf "$CACHE/base.tmp"
    timing "debootstrap + systemd (cold cache)"
fi

WORK=$(mktemp -d /var/tmp/segd-clean-root.XXXXXX)
R=$WORK/root
MOUNTS=()
NSPAWN=""
cleanup() {
    [ -z "$NSPAWN" ] || { kill "$NSPAWN" 2>/dev/null && wait "$NSPAWN" 2>/dev/null; } || true
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" || true; done
    # Never delete through a mount that is still there (the apt cache).
    if grep -q " $WORK/" /proc/mounts; then
        echo "test-deb: mounts are left under $WORK; not deleting it" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
mkdir -p "$R"
tar -C "$R" -xf "$BASE"   # with its device nodes (/dev/null, ...): nothing of this machine's /dev is mounted
cp /etc/resolv.conf "$R/etc/resolv.conf"
mount -t proc proc "$R/proc"
MOUNTS+=("$R/proc")
mount --bind "$CACHE/apt-archives" "$R/var/cache/apt/archives"
MOUNTS+=("$R/var/cache/apt/archives")
timing "fresh root from the cached base"

in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

# --- 2. install --------------------------------------------------------------------------------------------
in_root apt-get update -qq > "$WORK/apt-update.log" 2>&1 || { cat "$WORK/apt-update.log" >&2; fail "apt-get update in the root failed"; }
timing "apt-get update"
cp "$DEB" "$R/tmp/"
DEBNAME=$(basename "$DEB")
in_root /bin/sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/$DEBNAME" \
    > "$WORK/install.log" 2>&1 || { tail -30 "$WORK/install.log" >&2; fail "apt-get install ./$DEBNAME failed"; }
say "installed $DEBNAME and $(($(grep -c '^Setting up ' "$WORK/install.log") - 1)) Debian packages it depends on"
timing "apt-get install ./$DEBNAME"

# --- 3. in the root ----------------------------------------------------------------------------------------
check() {  # check LABEL EXPECTED-REGEX COMMAND...: runs in the root, output must match
    local label=$1 want=$2; shift 2
    local out
    out=$(in_root "$@" 2>&1) || { printf '%s\n' "$out" >&2; fail "$label: exited non-zero"; }
    grep -Eq -- "$want" <<< "$out" || { printf '%s\n' "$out" >&2; fail "$label: output does not match /$want/"; }
    say "ok: $label"
}

check "segd --version" "^$VERSION\$" segd --version
check "segctl --version" "^$VERSION\$" segctl --version
check "segd check-config (the packaged /etc/segd/segd.conf)" "^/etc/segd/segd.conf: OK" segd check-config
check "segd plugins: three plugins, none failed" "UNETR" segd plugins
out=$(in_root segd plugins --json)
n=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["plugins"]), len(d["failures"]))' <<< "$out" 2>/dev/null \
    || echo "? ?")
[ "$n" = "3 0" ] || { printf '%s\n' "$out" >&2; fail "segd plugins --json: expected 3 plugins and 0 failures, got $n"; }
check "segd models: demo-ct is valid" "^valid +demo-ct " segd models
check "the service user and groups" "^segd:x:.*:/var/lib/segd:/usr/sbin/nologin" getent passwd segd
check "group segd-admin" "^segd-admin:" getent group segd-admin
check "the packaged folders" "^2770 segd segd /srv/segd/incoming" stat -c '%a %U %G %n' /srv/segd/incoming /srv/segd/output /srv/segd/spool
check "no library is missing" "^ok$" /bin/sh -c \
    'ldd /usr/bin/segd /usr/bin/segctl /usr/lib/segd/plugins/*.so /usr/lib/segd/swift/*.so | grep -c "not found" >/dev/null && echo missing || echo ok'
runtimes=$(in_root /bin/sh -c 'ldd /usr/bin/segd /usr/lib/segd/plugins/*.so | awk "/libswiftCore/ { print \$3 }" \
    | xargs -n1 readlink -f | sort -u')
[ "$runtimes" = /usr/lib/segd/swift/libswiftCore.so ] \
    || fail "segd and the plugins must share the bundled Swift runtime; they resolve libswiftCore.so to: $runtimes"
say "ok: segd and the plugins share one Swift runtime, /usr/lib/segd/swift"
out=$(in_root systemd-analyze verify --man=no segd.socket segd.service 2>&1) && [ -z "$out" ] \
    || fail "systemd-analyze verify on the installed units: $out"
say "ok: systemd-analyze verify on the installed units"
timing "checks"

mkdir -p "$R/tmp/sample"
cp "$SAMPLE"/* "$R/tmp/sample/"
in_root segd process /tmp/sample --model /usr/share/segd/models/demo-ct --output /tmp/out --json \
    > "$WORK/process.json" 2> "$WORK/process.err" || { cat "$WORK/process.err" >&2; fail "segd process failed"; }
SEG=$(cd "$R/tmp/out" && ls *.dcm 2>/dev/null | sed -n 1p)
[ -n "$SEG" ] || fail "segd process wrote no SEG: $(ls "$R/tmp/out")"
timing "segd process (demo-ct on the sample CT)"
check "segd seg check" "^MATCH" segd seg check "/tmp/out/$SEG" /tmp/sample
"$CHECK_SEG" "$R/tmp/out/$SEG" "$R/tmp/sample" > "$WORK/check-seg.log" 2>&1 \
    || { cat "$WORK/check-seg.log" >&2; fail "check-seg rejects the SEG"; }
say "ok: ../shared/tools/check-seg: $(tail -1 "$WORK/check-seg.log")"
timing "SEG checks"

# --- 5. the hardened service itself: boot the root with systemd-nspawn and run segd under segd.service ------
# `segd process` runs with every setting of the installed segd.service (user, sandbox, system call filter,
# MemoryDenyWriteExecute, ...) through a runtime drop-in that only swaps ExecStart/Type, so the whole job
# pipeline (decode, plugins, OpenBLAS, SEG writer) is proven to work inside the hardening.
if [ "${SEGD_SKIP_NSPAWN:-0}" = 1 ]; then
    say "########## SKIPPED the hardened-service run in systemd-nspawn (SEGD_SKIP_NSPAWN=1) ##########"
else
    command -v systemd-nspawn >/dev/null || fail "systemd-nspawn is missing; run Packaging/setup.sh (systemd-container)"
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount "${MOUNTS[$i]}"; done
    MOUNTS=()
    mkdir -p "$R/srv/sample"
    cp "$SAMPLE"/* "$R/srv/sample/"
    systemd-nspawn -q -D "$R" --register=no --keep-unit --console=pipe --boot < /dev/null > "$WORK/nspawn.log" 2>&1 &
    NSPAWN=$!
    INIT=""
    for _ in $(seq 1 120); do
        INIT=$(pgrep -P "$NSPAWN" -x systemd || true)   # the root's init: systemd-nspawn's child
        if [ -n "$INIT" ]; then
            state=$(nsenter -t "$INIT" -a systemctl is-system-running 2>/dev/null || true)
            case $state in running|degraded) break ;; esac
        fi
        sleep 0.5
    done
    in_ct() { nsenter -t "$INIT" -a "$@"; }
    stop_ct() { in_ct systemctl poweroff >/dev/null 2>&1 || kill "$NSPAWN"; wait "$NSPAWN" || true; }
    case ${state:-} in running|degraded) ;; *) kill "$NSPAWN" 2>/dev/null; tail -20 "$WORK/nspawn.log" >&2
        fail "the root did not boot in systemd-nspawn (state: ${state:-no init}); SEGD_SKIP_NSPAWN=1 skips this step" ;; esac
    timing "boot the root (systemd-nspawn)"
    in_ct systemctl start segd.socket || { stop_ct; fail "systemctl start segd.socket failed"; }
    sock=$(in_ct stat -c '%A %U %G' /run/segd/control.sock 2>&1) || true
    [ "$sock" = "srw-rw---- segd segd" ] || { stop_ct; fail "/run/segd/control.sock is '$sock', expected srw-rw---- segd segd"; }
    say "ok: segd.socket listens on /run/segd/control.sock (srw-rw---- segd segd)"
    in_ct /bin/sh -c 'mkdir -p /run/systemd/system/segd.service.d && cat > /run/systemd/system/segd.service.d/test-process.conf' <<'UNIT'
[Service]
Type=oneshot
WatchdogSec=0
Restart=no
ExecStart=
ExecStart=/usr/bin/segd process /srv/sample --model /usr/share/segd/models/demo-ct --output /srv/segd/output/hardened
UNIT
    in_ct systemctl daemon-reload
    if ! in_ct systemctl start segd.service; then
        in_ct journalctl -u segd.service --no-pager | tail -20 >&2; stop_ct; fail "segd process under segd.service failed"
    fi
    HSEG=$(cd "$R/srv/segd/output/hardened" && ls *.seg.dcm 2>/dev/null | sed -n 1p)
    owner=$(in_ct stat -c '%U' "/srv/segd/output/hardened/$HSEG" 2>/dev/null || true)   # (names of the root)
    exposure=$(in_ct systemd-analyze security segd.service 2>/dev/null | sed -n 's/.*Overall exposure level for segd.service: \([0-9.]*\).*/\1/p') || true
    stop_ct
    [ -n "$HSEG" ] || fail "segd process under segd.service wrote no SEG"
    [ "$owner" = segd ] || fail "the SEG written under segd.service belongs to '$owner', not segd"
    "$CHECK_SEG" "$R/srv/segd/output/hardened/$HSEG" "$R/srv/sample" > "$WORK/check-seg-hardened.log" 2>&1 \
        || { cat "$WORK/check-seg-hardened.log" >&2; fail "check-seg rejects the SEG written under segd.service"; }
    say "ok: segd process inside the hardened segd.service (exposure ${exposure:-?} on the booted system): SEG $(tail -1 "$WORK/check-seg-hardened.log")"
    mount -t proc proc "$R/proc"
    MOUNTS+=("$R/proc")
    timing "segd under the hardened segd.service"
fi

in_root /bin/sh -c 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq segd && apt-get purge -y -qq segd' \
    > "$WORK/remove.log" 2>&1 || { cat "$WORK/remove.log" >&2; fail "removing or purging segd failed"; }
[ ! -e "$R/usr/bin/segd" ] && [ ! -e "$R/etc/segd/segd.conf" ] || fail "files are left after purge"
say "ok: apt-get remove and purge"
timing "remove + purge"

step_start=$START
timing TOTAL
say "OK"
