#!/usr/bin/env bash
# All set-up, then every test: Debian packages, a debug build with warnings as errors, then `swift test`.
# Tests that use the shared corpus expect it at ../shared (override with SEGD_SHARED) and fail loudly without it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Packaging/setup.sh
echo "test: building (debug, warnings are errors)"
swift build --build-tests
echo "test: running the test suite"
swift test --skip-build
