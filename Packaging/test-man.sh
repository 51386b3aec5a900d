#!/usr/bin/env bash
# Checks the man pages under Packaging/man:
#   - groff -ww -z and man --warnings print nothing (no roff errors or warnings);
#   - they agree with the programs: every subcommand that `segd --help` and `segctl --help` list is described
#     in segd(8) / segctl(1), and every key of the packaged Packaging/segd.conf is described in segd.conf(5).
# Usage: Packaging/test-man.sh [BIN_DIR]   (default .build/debug, as Packaging/test.sh builds it)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/debug}
fail() { echo "test-man: FAIL: $*" >&2; exit 1; }
for tool in groff man; do command -v $tool >/dev/null || fail "$tool is missing; run Packaging/setup.sh"; done
for p in segd segctl; do [ -x "$BIN/$p" ] || fail "$BIN/$p is not built; run swift build first (or pass the folder)"; done

pages=(Packaging/man/segd.8 Packaging/man/segd.conf.5 Packaging/man/segctl.1)
for page in "${pages[@]}"; do
    out=$(groff -ww -z -man "$page" 2>&1) || fail "groff failed on $page: $out"
    [ -z "$out" ] || fail "groff warns on $page: $out"
    out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || fail "man failed on $page: $out"
    [ -z "$out" ] || fail "man warns on $page: $out"
done
echo "test-man: groff and man: no warnings in ${#pages[@]} pages"

# The subcommands a program's --help lists (the indented names under SUBCOMMANDS:).
subcommands() { "$1" --help | sed -n '/^SUBCOMMANDS:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p'; }
# The text of a page as a reader sees it.
rendered() { LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$1" 2>/dev/null | col -b; }

segd_page=$(rendered Packaging/man/segd.8)
n=0
for sub in $(subcommands "$BIN/segd"); do
    grep -Eq "^ {7}$sub( |$)" <<< "$segd_page" || fail "segd(8) does not describe \`segd $sub\` (listed by segd --help)"
    n=$((n + 1))
done
[ $n -gt 0 ] || fail "segd --help lists no subcommands"
segctl_page=$(rendered Packaging/man/segctl.1)
m=0
for sub in $(subcommands "$BIN/segctl"); do
    grep -Eq "^ {7}$sub( |$)" <<< "$segctl_page" || fail "segctl(1) does not describe \`segctl $sub\` (listed by segctl --help)"
    m=$((m + 1))
done
echo "test-man: segd(8) describes all $n subcommands of segd --help; segctl(1) all $m of segctl --help"

conf_page=$(rendered Packaging/man/segd.conf.5)
keys=$(sed -n 's/^#* *\([a-zA-Z]*\) = .*/\1/p' Packaging/segd.conf | sort -u)
k=0
for key in $keys; do
    grep -Eq "^ {7}$key( |$)" <<< "$conf_page" || fail "segd.conf(5) does not describe the key $key (in Packaging/segd.conf)"
    k=$((k + 1))
done
for section in $(sed -n 's/^\[\{1,2\}\([a-z]*\)\]\{1,2\}.*/\1/p' Packaging/segd.conf | sort -u); do
    grep -q "^\[*$section\]*$" <<< "$conf_page" || fail "segd.conf(5) has no section for [$section]"
done
echo "test-man: segd.conf(5) describes all $k keys and every section of Packaging/segd.conf"
echo "test-man: OK"
