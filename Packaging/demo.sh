#!/usr/bin/env bash
# All set-up, a release build, then segd's main job on the bundled sample series.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Packaging/setup.sh
echo "demo: building segd (release)"
swift build -c release
echo "demo: segd inspect Samples/ct-head-philips"
.build/release/segd inspect Samples/ct-head-philips
