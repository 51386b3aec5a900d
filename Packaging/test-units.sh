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

# Every folder the packaged configuration writes must be writable for the service.
"$SEGD_BIN" check-config --config Packaging/segd.conf >/dev/null || fail "segd check-config rejects Packaging/segd.conf"
for key in spool quarantine archive; do
    dir=$(sed -n "s/^$key = \"\([^\"]*\)\".*/\1/p" Packaging/segd.conf)
    [[ "$dir" == /srv/segd/* ]] || fail "paths.$key ($dir) is outside ReadWritePaths=/srv/segd"
done
for key in path output; do
    sed -n "s/^$key = \"\([^\"]*\)\".*/\1/p" Packaging/segd.conf | while read -r dir; do
        [[ "$dir" == /srv/segd/* ]] || fail "watch $key $dir is outside ReadWritePaths=/srv/segd"
    done
done

echo "test-units: systemd-analyze security --offline=yes segd.service"
report=$(systemd-analyze security --offline=yes --root="$ROOT" segd.service 2>&1) || true
score=$(sed -n 's/.*Overall exposure level for segd.service: \([0-9.]*\).*/\1/p' <<< "$report")
[ -n "$score" ] || fail "no exposure score in: $report"
grep '✗' <<< "$report" | sed 's/^/  /' || true
echo "test-units: segd.service exposure $score (limit $MAX_EXPOSURE)"
awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }' || fail "exposure $score is above $MAX_EXPOSURE"
echo "test-units: OK"
