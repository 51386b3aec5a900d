#!/usr/bin/env bash
# Installs the .deb into a clean Debian 12 root and runs segd there, as hospital IT would after `apt install`:
#   1. a Debian 12 (bookworm) root from debootstrap (minbase + systemd, as on a server), cached as a tarball
#      under $SEGD_DEBOOTSTRAP_CACHE (default ~/.cache/segd-debootstrap) and unpacked fresh for every run;
#   2. `apt-get install ./segd_<version>_amd64.deb` there: apt resolves the Depends from the Debian mirror;
#   3. in the root (chroot): segd --version, segctl --version, segd check-config, segd plugins, segd models,
#      segd process on Samples/ct-head-philips with the demo model, segd seg check on the SEG, the service user,
#      the folders, the units (systemd-analyze verify), and that no library is missing; then remove and purge;
#   4. ../shared/tools/check-seg (the independent validator) on the SEG, from this machine;
#   5. the root booted with systemd-nspawn (SEGD_SKIP_NSPAWN=1 skips this step, loudly):
#      a. `segd process` under all the hardening of segd.service (a runtime drop-in swaps ExecStart/Type only);
#      b. segd.service as installed: started by a segctl connection to segd.socket, READY=1 (Type=notify),
#         STATUS= and watchdog pings reach systemd; the sample copied into /srv/segd/incoming by a member of
#         group segd gives exactly one SEG in /srv/segd/output (segd seg check, check-seg); group segd may
#         read but not change, others may not connect; `systemctl reload` (SIGHUP) keeps the same process;
#         a segd frozen with SIGSTOP is aborted by the watchdog and restarted (a runtime drop-in: 3 s);
#         the journal has the logs but not the sample's patient name, patient ID or UIDs; `systemctl stop`
#         ends segd with status 0.
# Needs root (debootstrap, chroot, mounts): without root it says SKIPPED loudly and exits 0.
# Usage: Packaging/test-deb-clean-root.sh [PATH.deb]   (default .build/deb/segd_<version>_amd64.deb)
#        Packaging/test-deb-clean-root.sh --prepare    only step 1: create the cached base root if it is missing
#        (network-bound; Packaging/test.sh runs it in the background during the release build)
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

PREPARE=0
[ "${1:-}" != --prepare ] || { PREPARE=1; shift; }
VERSION=$(sed -n 's/.*static let string = "\([^"]*\)".*/\1/p' Sources/SegControl/SegdVersion.swift)
DEB=${1:-.build/deb/segd_${VERSION}_amd64.deb}
if [ "$PREPARE" = 0 ]; then
    [ -f "$DEB" ] || fail "$DEB does not exist; build it with Packaging/build-deb.sh"
    DEB=$(readlink -f "$DEB")
fi
MIRROR=${SEGD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=${SEGD_DEBOOTSTRAP_CACHE:-$HOME/.cache/segd-debootstrap}
SHARED=${SEGD_SHARED:-$REPO/../shared}
CHECK_SEG=$SHARED/tools/check-seg
[ -x "$CHECK_SEG" ] || fail "$CHECK_SEG is missing: the independent SEG validator comes from the shared corpus (set SEGD_SHARED)"
SAMPLE=Samples/ct-head-philips
[ -d "$SAMPLE" ] || fail "$SAMPLE is missing"
for tool in debootstrap dcmdump python3; do
    command -v "$tool" >/dev/null || fail "$tool is missing; run Packaging/setup.sh"
done

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
if [ "$PREPARE" = 1 ]; then
    say "the base root is ready: $BASE"
    exit 0
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

# --- 5. the service as installed: boot the root with systemd-nspawn ---------------------------------------
# 5a. `segd process` with every setting of the installed segd.service (user, sandbox, system call filter,
#     MemoryDenyWriteExecute, ...) through a runtime drop-in that only swaps ExecStart/Type: the whole job
#     pipeline (decode, plugins, OpenBLAS, SEG writer) works inside the hardening.
# 5b. the drop-in removed: segd.service exactly as packaged (Type=notify, watchdog, segd.socket). A segctl
#     connection to segd.socket starts it; systemd gets READY=1 and a STATUS= line and its watchdog is fed;
#     the sample copied into /srv/segd/incoming by a member of group segd becomes exactly one valid SEG in
#     /srv/segd/output; group segd may read but not change, other users may not connect; `systemctl reload`
#     re-reads the configuration in the same process; a segd frozen with SIGSTOP is aborted by the watchdog and
#     restarted; the journal has segd's logs but not the sample's patient name, patient ID or UIDs;
#     `systemctl stop` ends segd with exit status 0.
if [ "${SEGD_SKIP_NSPAWN:-0}" = 1 ]; then
    say "########## SKIPPED the service runs in systemd-nspawn (SEGD_SKIP_NSPAWN=1) ##########"
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
    # A command in the booted root, with a clean environment (segctl reads $SEGD_SOCKET).
    in_ct() { nsenter -t "$INIT" -a /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
    stop_ct() { in_ct systemctl poweroff >/dev/null 2>&1 || kill "$NSPAWN"; wait "$NSPAWN" || true; NSPAWN=""; }
    ct_fail() {  # ct_fail MESSAGE: shows the end of segd's journal, powers the root off, fails
        in_ct journalctl -u segd.socket -u segd.service --no-pager -n 40 >&2 || true
        stop_ct
        fail "$*"
    }
    prop() { in_ct systemctl show -p "$2" --value "$1"; }   # prop UNIT PROPERTY
    # Runtime drop-ins for segd.service (gone at the next boot): dropin NAME < unit text; undrop NAME.
    DROPINS=/run/systemd/system/segd.service.d
    dropin() { in_ct /bin/sh -c "mkdir -p $DROPINS && cat > $DROPINS/$1.conf" && in_ct systemctl daemon-reload; }
    undrop() { in_ct rm "$DROPINS/$1.conf" && in_ct systemctl daemon-reload; }
    case ${state:-} in running|degraded) ;; *) kill "$NSPAWN" 2>/dev/null; tail -20 "$WORK/nspawn.log" >&2
        fail "the root did not boot in systemd-nspawn (state: ${state:-no init}); SEGD_SKIP_NSPAWN=1 skips this step" ;; esac
    timing "boot the root (systemd-nspawn)"

    # 5a. segd process under the hardening of segd.service.
    in_ct systemctl start segd.socket || ct_fail "systemctl start segd.socket failed"
    sock=$(in_ct stat -c '%A %U %G' /run/segd/control.sock 2>&1) || true
    [ "$sock" = "srw-rw---- segd segd" ] || ct_fail "/run/segd/control.sock is '$sock', expected srw-rw---- segd segd"
    say "ok: segd.socket listens on /run/segd/control.sock (srw-rw---- segd segd)"
    sock_inode=$(in_ct stat -c %i /run/segd/control.sock)
    dropin test-process <<'UNIT'
[Service]
Type=oneshot
WatchdogSec=0
Restart=no
ExecStart=
ExecStart=/usr/bin/segd process /srv/sample --model /usr/share/segd/models/demo-ct --output /srv/segd/output/hardened
UNIT
    in_ct systemctl start segd.service || ct_fail "segd process under segd.service failed"
    HSEG=$(find "$R/srv/segd/output/hardened" -name '*.seg.dcm' -printf '%f\n' 2>/dev/null || true)
    [ -n "$HSEG" ] && [ "$(wc -l <<< "$HSEG")" = 1 ] || ct_fail "segd process under segd.service wrote not one SEG but: '$HSEG'"
    owner=$(in_ct stat -c '%U' "/srv/segd/output/hardened/$HSEG")   # (names of the root)
    [ "$owner" = segd ] || ct_fail "the SEG written under segd.service belongs to '$owner', not segd"
    "$CHECK_SEG" "$R/srv/segd/output/hardened/$HSEG" "$R/srv/sample" > "$WORK/check-seg-hardened.log" 2>&1 \
        || { cat "$WORK/check-seg-hardened.log" >&2; ct_fail "check-seg rejects the SEG written under segd.service"; }
    say "ok: segd process inside the hardened segd.service; check-seg on its SEG: $(tail -1 "$WORK/check-seg-hardened.log")"
    undrop test-process
    mv "$R/srv/segd/output/hardened" "$WORK/hardened-output"   # the output folder is empty again for 5b
    timing "segd process under the hardened segd.service"

    # 5b. the packaged segd.service: socket activation, READY, STATUS, watchdog.
    [ "$(in_ct systemctl is-active segd.service)" = inactive ] || ct_fail "segd.service is running before anything asked for it"
    out=$(in_ct segctl status 2>&1) \
        || ct_fail "segctl status as root (its connection to segd.socket should start segd.service) failed: $out"
    [ "$(in_ct systemctl is-active segd.service)" = active ] || ct_fail "segd.service is not active after segctl status: $(in_ct systemctl is-active segd.service)"
    [ "$(prop segd.service TriggeredBy)" = segd.socket ] || ct_fail "segd.service is not triggered by segd.socket: $(prop segd.service TriggeredBy)"
    [ "$(in_ct stat -c %i /run/segd/control.sock)" = "$sock_inode" ] || ct_fail "segd replaced the socket of segd.socket with its own"
    listening=$(in_ct journalctl -u segd.service --no-pager -o verbose MESSAGE="control socket listening")
    grep -q "SEGD_ACTIVATED=true" <<< "$listening" \
        || ct_fail "segd did not log that it uses the socket systemd passed (control socket listening, activated=true)"
    say "ok: a segctl connection to segd.socket started segd.service, which answered on systemd's socket"
    show=$(in_ct systemctl show segd.service -p Type -p NotifyAccess -p WatchdogUSec -p StatusText)
    printf '%s\n' "$show" | sed 's/^/test-deb:     /'
    grep -qx "Type=notify" <<< "$show" && grep -qx "NotifyAccess=main" <<< "$show" && grep -qx "WatchdogUSec=1min" <<< "$show" \
        || ct_fail "segd.service does not run as packaged (Type=notify, NotifyAccess=main, WatchdogUSec=1min)"
    grep -Eq "^StatusText=[0-9]+ running, [0-9]+ queued, .* done, " <<< "$show" || ct_fail "segd sent no STATUS= line to systemd"
    user=$(in_ct ps -o user= -p "$(prop segd.service MainPID)") || true
    [ "$user" = segd ] || ct_fail "segd runs as '$user', not as segd"
    wd1=$(prop segd.service WatchdogTimestampMonotonic)
    [ "${wd1:-0}" -gt 0 ] || ct_fail "systemd armed no watchdog for segd.service (WatchdogTimestampMonotonic=$wd1)"
    say "ok: segd.service active as user segd: systemd got READY=1 (Type=notify) and STATUS="
    timing "segd.service start through segd.socket"

    # Who may do what: alice is in group segd (reading commands), bob is not (no access to the socket).
    in_ct useradd --no-create-home --groups segd alice
    in_ct useradd --no-create-home bob
    out=$(in_ct runuser -u alice -- segctl status 2>&1) || ct_fail "segctl status as a member of group segd failed: $out"
    rc=0; out=$(in_ct runuser -u alice -- segctl pause 2>&1) || rc=$?
    [ "$rc" = 4 ] || ct_fail "segctl pause by a member of group segd (not segd-admin) exited $rc, expected 4 (not allowed): $out"
    rc=0; out=$(in_ct runuser -u bob -- segctl status 2>&1) || rc=$?
    [ "$rc" = 4 ] || ct_fail "segctl status by a user outside group segd exited $rc, expected 4 (not allowed): $out"
    say "ok: group segd may read (segctl status) but not change (segctl pause: exit 4); other users may not connect (exit 4)"

    # A folder segd cannot move files out of (made by alice with umask 022): its files are left untouched and
    # unread, no job is made, and the journal says which folder and how to fix it. Then alice removes it.
    in_ct runuser -u alice -- /bin/sh -c 'umask 022 && mkdir /srv/segd/incoming/not-group-writable && cp /srv/sample/* /srv/segd/incoming/not-group-writable/' \
        || ct_fail "copying the sample into a sub-folder of /srv/segd/incoming as alice failed"
    warned=""
    for _ in $(seq 1 30); do
        warned=$(in_ct journalctl -u segd.service --no-pager -o verbose MESSAGE="files left in a folder segd cannot write to" | grep -c "SEGD_FOLDER=not-group-writable" || true)
        [ "${warned:-0}" -gt 0 ] && break
        sleep 1
    done
    [ "${warned:-0}" -gt 0 ] || ct_fail "segd did not warn about the folder it cannot move files out of"
    left=$(in_ct find /srv/segd/incoming/not-group-writable -type f | wc -l)
    [ "$left" = "$(find "$SAMPLE" -type f | wc -l)" ] || ct_fail "files went missing from the unwritable folder: $left left"
    out=$(in_ct segctl jobs --json 2>&1) || ct_fail "segctl jobs failed: $out"
    [ "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["jobs"]))' <<< "$out")" = 0 ] \
        || ct_fail "segd made a job of files it cannot move: $out"
    in_ct runuser -u alice -- rm -r /srv/segd/incoming/not-group-writable
    say "ok: a sub-folder segd cannot write to: its $left files left untouched, no job, a warning naming the folder"

    # A member of group segd drops the sample into the watch folder; segd makes one SEG of it. (The files go
    # into /srv/segd/incoming itself: from a sub-folder made with umask 022, segd cannot move them; see above.)
    in_ct runuser -u alice -- /bin/sh -c 'cp /srv/sample/* /srv/segd/incoming/' || ct_fail "copying the sample into /srv/segd/incoming as alice failed"
    quiet=$(sed -n 's/^quietSeconds = \([0-9]*\).*/\1/p' "$R/etc/segd/segd.conf")
    say "the sample is in /srv/segd/incoming; waiting for its job (quietSeconds=${quiet:-?}, at most 180 s)"
    dropped=$SECONDS
    while :; do
        jobs=$(in_ct segctl jobs --json 2>&1) || ct_fail "segctl jobs failed: $jobs"
        summary=$(python3 -c '
import json, sys
jobs = json.load(sys.stdin)["jobs"]
terminal = {"done", "failed", "quarantined", "unrouted", "cancelled"}
print(len(jobs), all(j["state"] in terminal for j in jobs), ",".join(j["state"] for j in jobs),
      jobs[0]["id"] if jobs else "-", jobs[0].get("rule") or "-" if jobs else "-",
      ([p for k, p in sorted(jobs[0].get("outputs", {}).items()) if k.split(":")[0] == "seg"] or ["-"])[0] if jobs else "-")
' <<< "$jobs") \
            || ct_fail "segctl jobs --json is not the expected JSON: $jobs"
        read -r njobs settled states JOB RULE JSEG <<< "$summary"
        [ "$njobs" -gt 0 ] && [ "$settled" = True ] && break
        [ $((SECONDS - dropped)) -lt 180 ] || ct_fail "no finished job 180 s after the drop: $njobs job(s), states: ${states:-none}"
        sleep 2
    done
    [ "$njobs $states" = "1 done" ] || { in_ct segctl job show "$JOB" >&2 || true; ct_fail "expected one job, done; got $njobs: $states"; }
    [ "$RULE" = ct-axial-demo ] || ct_fail "job $JOB was routed by rule '$RULE', not by the packaged demo rule ct-axial-demo"
    say "ok: job $JOB (rule ct-axial-demo) done $((SECONDS - dropped)) s after the drop"
    timing "the dropped sample processed by segd.service"
    SEGS=$(find "$R/srv/segd/output" -name '*.seg.dcm' | sed "s|^$R||")
    [ -n "$SEGS" ] && [ "$(wc -l <<< "$SEGS")" = 1 ] || ct_fail "expected exactly one SEG in /srv/segd/output, found: ${SEGS:-none}"
    [ "$SEGS" = "$JSEG" ] || ct_fail "the SEG in /srv/segd/output ($SEGS) is not the job's output ($JSEG)"
    out=$(in_ct segd seg check "$SEGS" /srv/sample 2>&1) && grep -q "^MATCH" <<< "$out" \
        || { printf '%s\n' "$out" >&2; ct_fail "segd seg check rejects the SEG segd.service wrote"; }
    say "ok: segd seg check on $SEGS"
    "$CHECK_SEG" "$R$SEGS" "$R/srv/sample" > "$WORK/check-seg-service.log" 2>&1 \
        || { cat "$WORK/check-seg-service.log" >&2; ct_fail "check-seg rejects the SEG segd.service wrote"; }
    say "ok: ../shared/tools/check-seg on $SEGS: $(tail -1 "$WORK/check-seg-service.log")"
    for _ in $(seq 1 15); do [[ $(prop segd.service StatusText) == *", 1 done,"* ]] && break; sleep 1; done
    status=$(prop segd.service StatusText)
    [[ $status == *", 1 done,"* ]] || ct_fail "systemd's StatusText does not count the done job: $status"
    wd2=$(prop segd.service WatchdogTimestampMonotonic)
    [ "$wd2" -gt "$wd1" ] || ct_fail "segd stopped feeding the watchdog (WatchdogTimestampMonotonic $wd1, then $wd2)"
    say "ok: STATUS=$status; the watchdog was fed ($(( (wd2 - wd1) / 1000000 )) s between the two readings)"

    # Reload: SIGHUP through ExecReload; the same process re-reads its configuration and stays active.
    pid=$(prop segd.service MainPID)
    reloads() { in_ct journalctl -u segd.service --no-pager -o cat MESSAGE="configuration reloaded" | grep -c . || true; }
    before=$(reloads)
    in_ct systemctl reload segd.service || ct_fail "systemctl reload segd failed"
    for _ in $(seq 1 20); do [ "$(reloads)" -gt "$before" ] && break; sleep 0.5; done
    [ "$(reloads)" -gt "$before" ] || ct_fail "segd did not log 'configuration reloaded' after systemctl reload"
    [ "$(in_ct systemctl is-active segd.service)" = active ] || ct_fail "segd.service is not active after reload"
    [ "$(prop segd.service MainPID)" = "$pid" ] || ct_fail "systemctl reload restarted segd (pid $pid, now $(prop segd.service MainPID))"
    out=$(in_ct segctl status 2>&1) || ct_fail "segctl status after the reload failed: $out"
    say "ok: systemctl reload segd: configuration reloaded by the same process (pid $pid), still active and answering"

    # The watchdog: a segd that stops answering is restarted. A runtime drop-in shortens the watchdog to 3 s;
    # SIGSTOP freezes segd (no more WATCHDOG=1); systemd aborts it and Restart=on-failure starts a new one.
    dropin test-watchdog <<'UNIT'
[Service]
WatchdogSec=3
RestartSec=1
TimeoutAbortSec=5
UNIT
    in_ct systemctl restart segd.service || ct_fail "systemctl restart segd (watchdog drop-in) failed"
    frozen=$(prop segd.service MainPID)
    restarts=$(prop segd.service NRestarts)
    in_ct kill -STOP "$frozen"
    for _ in $(seq 1 60); do
        now=$(prop segd.service MainPID)
        [ "$now" != "$frozen" ] && [ "$now" != 0 ] && [ "$(in_ct systemctl is-active segd.service)" = active ] && break
        sleep 0.5
    done
    now=$(prop segd.service MainPID)
    [ "$now" != "$frozen" ] && [ "$now" != 0 ] || ct_fail "a frozen segd (pid $frozen) was not restarted by the watchdog within 30 s"
    [ "$(prop segd.service NRestarts)" -gt "$restarts" ] || ct_fail "systemd did not count a restart of segd.service"
    in_ct journalctl -u segd.service --no-pager -o cat | grep -q "Watchdog timeout" \
        || ct_fail "the journal does not say that segd's watchdog timed out"
    out=$(in_ct segctl status 2>&1) || ct_fail "segctl status after the watchdog restart failed: $out"
    undrop test-watchdog
    in_ct systemctl restart segd.service || ct_fail "systemctl restart segd (packaged settings) failed"
    [ "$(prop segd.service WatchdogUSec)" = 1min ] || ct_fail "segd.service is not back to its packaged watchdog"
    say "ok: watchdog: segd frozen with SIGSTOP (pid $frozen) was aborted and restarted as pid $now; segctl answers"

    # The journal: segd's logs are there (the job id), the sample's patient data is not.
    in_ct journalctl -u segd.service --no-pager -o verbose > "$WORK/journal.txt"
    grep -q "SEGD_JOB=$JOB" "$WORK/journal.txt" || ct_fail "the journal has no log line for job $JOB"
    first=$(find "$SAMPLE" -type f | sort | head -1)
    name=$(dcmdump +P PatientName "$first" | sed -n 's/.*\[\(.*\)\].*/\1/p')
    pid_tag=$(dcmdump +P PatientID "$first" | sed -n 's/.*\[\(.*\)\].*/\1/p')
    [ -n "$name" ] && [ -n "$pid_tag" ] || fail "cannot read PatientName/PatientID of $first with dcmdump"
    for f in "$SAMPLE"/*; do dcmdump +P StudyInstanceUID +P SeriesInstanceUID +P SOPInstanceUID "$f"; done \
        | sed -n 's/.*\[\(.*\)\].*/\1/p' | sort -u > "$WORK/sample-uids.txt"
    [ "$(wc -l < "$WORK/sample-uids.txt")" -ge 30 ] || fail "cannot read the sample's UIDs with dcmdump"
    ! grep -qwF -e "$name" -e "$pid_tag" "$WORK/journal.txt" \
        || ct_fail "the journal shows the sample's PatientName ($name) or PatientID ($pid_tag): $(grep -wF -e "$name" -e "$pid_tag" "$WORK/journal.txt" | head -3)"
    ! grep -qF -f "$WORK/sample-uids.txt" "$WORK/journal.txt" \
        || ct_fail "the journal shows a UID of the sample: $(grep -F -f "$WORK/sample-uids.txt" "$WORK/journal.txt" | head -3)"
    say "ok: journald has segd's logs ($(grep -c '^    MESSAGE=' "$WORK/journal.txt") entries), none with the PatientName, PatientID or $(wc -l < "$WORK/sample-uids.txt") UIDs of the sample"

    exposure=$(in_ct systemd-analyze security segd.service 2>/dev/null | sed -n 's/.*Overall exposure level for segd.service: \([0-9.]*\).*/\1/p') || true
    say "segd.service exposure on the booted system: ${exposure:-?}"

    # Stop: SIGTERM, segd exits 0.
    # (systemctl warns that segd.socket can still start segd: that is intended.)
    out=$(in_ct systemctl stop segd.service 2>&1) || ct_fail "systemctl stop segd failed: $out"
    stopped=$(in_ct systemctl show segd.service -p ActiveState -p Result -p ExecMainCode -p ExecMainStatus | sort | tr '\n' ' ')
    [ "$stopped" = "ActiveState=inactive ExecMainCode=1 ExecMainStatus=0 Result=success " ] \
        || ct_fail "segd did not stop cleanly: $stopped(ExecMainCode=1 is 'exited')"
    say "ok: systemctl stop segd: inactive, segd exited with status 0"
    stop_ct
    mount -t proc proc "$R/proc"
    MOUNTS+=("$R/proc")
    timing "reload, watchdog, journal, stop, poweroff"
fi

in_root /bin/sh -c 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq segd && apt-get purge -y -qq segd' \
    > "$WORK/remove.log" 2>&1 || { cat "$WORK/remove.log" >&2; fail "removing or purging segd failed"; }
[ ! -e "$R/usr/bin/segd" ] && [ ! -e "$R/etc/segd/segd.conf" ] || fail "files are left after purge"
say "ok: apt-get remove and purge"
timing "remove + purge"

step_start=$START
timing TOTAL
say "OK"
