#!/usr/bin/env bash
# Installs the Debian packages that building, running and testing segd need. Idempotent; safe to re-run.
# Usage: Packaging/setup.sh            (as root, or with sudo available)
set -euo pipefail

PACKAGES=(
    # build
    pkg-config libdcmtk-dev libopenblas-dev libopenjp2-7-dev libsystemd-dev zlib1g-dev libsqlite3-dev
    # run time (pulled in by the -dev packages, named for clarity)
    libdcmtk17 libopenblas0-pthread libopenjp2-7 libsystemd0 libsqlite3-0
    # test: DCMTK command-line tools, dciodvfy, Python for the independent validators
    dcmtk dicom3tools python3-venv
    # packaging (Packaging/build-deb.sh) and its tests (test-units.sh, test-man.sh, test-deb-clean-root.sh)
    dpkg-dev binutils patchelf lintian systemd procps groff-base man-db bsdextrautils debootstrap systemd-container
)

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#PACKAGES[@]} Debian packages are present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
fi
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
