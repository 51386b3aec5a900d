#!/usr/bin/env bash
# Checks the systemd files of the package without installing anything on this machine:
#   - systemd-analyze verify on segd.service and segd.socket, in a scratch root that holds this machine's
#     system units, ours, the built segd (ExecStart must exist) and our man pages (Documentation= must resolve);
#   - systemd-sysusers and systemd-tmpfiles applied to that scratch root (the snippets must be valid and the
#     folders they create must have the owners and modes segd.conf(5) describes);
#   - systemd-analyze security --offline=yes: prints the exposure score, fails above 2.0.
# Usage: Packaging/test-units.sh [SEGD_BINARY]   (default .build/debug/segd, as Packaging/test.sh builds it)
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_EXPOSURE=2.0
SEGD_BIN=${1:-.build/debug/segd}
fail() { echo "test-units: FAIL: $*" >&2; exit 1; }

command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing; run Packaging/setup.sh"
[ -x "$SEGD_BIN" ] || fail "$SEGD_BIN is not built; run swift build first (or pass the segd binary)"

ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT/usr/bin" "$ROOT/bin" "$ROOT/usr/lib/systemd" "$ROOT/etc/segd" "$ROOT/man"
cp -a /usr/lib/systemd/system "$ROOT/usr/lib/systemd/"
cp Packaging/systemd/segd.service Packaging/systemd/segd.socket "$ROOT/usr/lib/systemd/system/"
cp "$SEGD_BIN" "$ROOT/usr/bin/segd"
cp /bin/kill "$ROOT/bin/kill"  # ExecReload= (procps)
cp Packaging/segd.conf "$ROOT/etc/segd/segd.conf"
for page in Packaging/man/*.[0-9]; do
    mkdir -p "$ROOT/man/man${page##*.}"
    cp "$page" "$ROOT/man/man${page##*.}/"
done

echo "test-units: systemd-analyze verify segd.socket segd.service"
out=$(MANPATH=$ROOT/man:/usr/share/man systemd-analyze verify --root="$ROOT" segd.socket segd.service 2>&1) \
    || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify printed warnings: $out"

echo "test-units: systemd-sysusers and systemd-tmpfiles on a scratch root"
# (With --root, a snippet named on the command line is read from this machine: give it an absolute path.)
systemd-sysusers --root="$ROOT" "$PWD/Packaging/sysusers.d/segd.conf" 2>/dev/null
grep -q '^segd:x:[0-9]*:[0-9]*:.*:/var/lib/segd:/usr/sbin/nologin$' "$ROOT/etc/passwd" \
    || fail "sysusers did not create the user segd: $(cat "$ROOT/etc/passwd")"
grep -q '^segd-admin:' "$ROOT/etc/group" || fail "sysusers did not create the group segd-admin"
SEGD_UID=$(awk -F: '$1 == "segd" { print $3 }' "$ROOT/etc/passwd")
SEGD_GID=$(awk -F: '$1 == "segd" { print $3 }' "$ROOT/etc/group")
systemd-tmpfiles --root="$ROOT" --create "$PWD/Packaging/tmpfiles.d/segd.conf"
for spec in "srv/segd 755 0 0" "srv/segd/incoming 2770 $SEGD_UID $SEGD_GID" "srv/segd/output 2750 $SEGD_UID $SEGD_GID" \
            "srv/segd/spool 750 $SEGD_UID $SEGD_GID" "srv/segd/quarantine 750 $SEGD_UID $SEGD_GID" \
            "srv/segd/archive 750 $SEGD_UID $SEGD_GID" "run/segd 750 $SEGD_UID $SEGD_GID"; do
    set -- $spec
    got=$(stat -c '%a %u %g' "$ROOT/$1" 2>/dev/null) || fail "tmpfiles did not create /$1"
    [ "$got" = "$2 $3 $4" ] || fail "/$1 is $got (mode uid gid), expected $2 $3 $4"
done

# The folders of the packaged configuration must be writable for the service, and files are renamed from a
# watch folder into the spool and from the spool into quarantine/archive: each ReadWritePaths= entry (and the
# StateDirectory) is a mount of its own, so these must all lie under ONE entry.
"$SEGD_BIN" check-config --config Packaging/segd.conf >/dev/null || fail "segd check-config rejects Packaging/segd.conf"
mounts=$(sed -n 's/^ReadWritePaths=//p' Packaging/systemd/segd.service | tr ' ' '\n' | grep .)
mounts+=$'\n'$(sed -n 's/^StateDirectory=\(.*\)/\/var\/lib\/\1/p' Packaging/systemd/segd.service)
mount_of() {  # the writable entry that holds $1, or nothing
    local m; for m in $mounts; do [[ "$1/" == "$m"/* ]] && { echo "$m"; return; }; done
}
conf() { sed -n "s/^$1 = \"\([^\"]*\)\".*/\1/p" Packaging/segd.conf; }
spool=$(conf spool); spool=${spool:-/var/lib/segd/spool}
spool_mount=$(mount_of "$spool")
[ -n "$spool_mount" ] || fail "paths.spool $spool is not writable for segd.service"
for key in quarantine archive path; do
    for dir in $(conf $key); do
        [ "$(mount_of "$dir")" = "$spool_mount" ] \
            || fail "$key $dir is not under the spool's ReadWritePaths= entry $spool_mount (rename would fail with EXDEV)"
    done
done
for dir in $(conf output); do [ -n "$(mount_of "$dir")" ] || fail "output $dir is not writable for segd.service"; done
echo "test-units: the packaged folders are writable and share one mount ($spool_mount) where files are renamed"

echo "test-units: systemd-analyze security --offline=yes segd.service"
report=$(systemd-analyze security --offline=yes --root="$ROOT" segd.service 2>&1) || true
score=$(sed -n 's/.*Overall exposure level for segd.service: \([0-9.]*\).*/\1/p' <<< "$report")
[ -n "$score" ] || fail "no exposure score in: $report"
grep '✗' <<< "$report" | sed 's/^/  /' || true
echo "test-units: segd.service exposure $score (limit $MAX_EXPOSURE)"
awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }' || fail "exposure $score is above $MAX_EXPOSURE"
echo "test-units: OK"
