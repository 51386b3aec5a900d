#!/usr/bin/env bash
# All set-up, then every test: Debian packages, a debug build with warnings as errors, the systemd units and
# man pages, `swift test`, a short fuzz run (Tests/Fuzz), then the .deb: a release build packaged, checked by
# lintian and installed into a clean Debian 12 root, where the packaged segd.service runs as installed
# (Packaging/test-deb-clean-root.sh).
# Tests that use the shared corpus expect it at ../shared (override with SEGD_SHARED) and fail loudly without it.
#
# The .deb part (Packaging/test-deb.sh) runs by default when root, as CI runs this; without root it is reported
# as SKIPPED. SEGD_DEB_TEST=0 skips it, SEGD_DEB_TEST=1 demands it (fails without root). Its cost on the 2-core
# machine: see "Installing as a service" in README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SEGD_DEB_TEST:-}" = 1 ] && [ "$(id -u)" != 0 ]; then   # fail now, not after the whole suite
    echo "test: SEGD_DEB_TEST=1 but not root: the .deb clean-root test needs root" >&2
    exit 1
fi

bash Packaging/setup.sh
echo "test: building (debug, warnings are errors)"
swift build --build-tests
echo "test: systemd units (prints the exposure score of segd.service)"
bash Packaging/test-units.sh .build/debug/segd
echo "test: man pages"
bash Packaging/test-man.sh .build/debug
echo "test: running the test suite"
swift test --skip-build
# libFuzzer + ASan on the DCMTK shim and series assembly (Tests/Fuzz/README.md): about 2 minutes cold on a
# 2-core machine (build ~1 min, then SEGD_FUZZ_SECONDS split over the three targets); fails on any crash,
# sanitizer report, leak, hang or error without a code. Longer runs on demand: Tests/Fuzz/run.sh 900.
echo "test: fuzzing the DICOM readers for ${SEGD_FUZZ_SECONDS:-60} s"
bash Tests/Fuzz/run.sh "${SEGD_FUZZ_SECONDS:-60}"

bash Packaging/test-deb.sh
