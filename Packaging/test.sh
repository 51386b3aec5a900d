#!/usr/bin/env bash
# All set-up, then every test: Debian packages, a debug build with warnings as errors, the systemd units and
# man pages, `swift test`, a short fuzz run (Tests/Fuzz), then the .deb: a release build packaged and installed
# into a clean Debian 12 root.
# Tests that use the shared corpus expect it at ../shared (override with SEGD_SHARED) and fail loudly without it.
# SEGD_DEB_TEST=1 adds the .deb part: a release build (5-16 minutes cold on a 2-core machine), packaging and
# lintian (1-4 minutes), and the clean-root test (about 1 minute with its debootstrap cache in
# ~/.cache/segd-debootstrap, 4 minutes more to create that cache); the clean-root test needs root. It is off by
# default because it would multiply the CI time; run it before a release.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Packaging/setup.sh
echo "test: building (debug, warnings are errors)"
swift build --build-tests
echo "test: systemd units"
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
if [ "${SEGD_DEB_TEST:-0}" != 1 ]; then
    echo "test: ########## NOT RUN: the .deb build and clean-root install (set SEGD_DEB_TEST=1 to run them) ##########"
else
    echo "test: building the .deb (release)"
    bash Packaging/build-deb.sh
    echo "test: lintian (errors and warnings fail; see README for the remaining info tags)"
    version=$(sed -n 's/.*static let string = "\([^"]*\)".*/\1/p' Sources/SegControl/SegdVersion.swift)
    lintian --fail-on error,warning ".build/deb/segd_${version}_amd64.deb"
    echo "test: installing the .deb into a clean Debian 12 root"
    bash Packaging/test-deb-clean-root.sh
fi
