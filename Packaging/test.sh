#!/usr/bin/env bash
# All set-up, then every test: Debian packages, a debug build with warnings as errors, then `swift test`.
# Tests that use the shared corpus expect it at ../shared (override with SEGD_SHARED) and fail loudly without it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Packaging/setup.sh
echo "test: building (debug, warnings are errors)"
swift build --build-tests 2>&1 | grep -v '^\[' || true
test "${PIPESTATUS[0]}" -eq 0
echo "test: running the test suite"
swift test --skip-build
