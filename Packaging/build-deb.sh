#!/usr/bin/env bash
# Builds segd_<version>_amd64.deb: segd, segctl, the model plugins, the demo model, the systemd units,
# sysusers/tmpfiles snippets, man pages, bash completion, and a private copy of the Swift runtime that segd,
# segctl and the plugins share (one runtime: the plugins are Swift libraries loaded into segd).
#
# Usage: Packaging/build-deb.sh [--out DIR] [--no-build]
#   --out DIR    where to put the .deb (default: .build/deb)
#   --no-build   package the existing release build instead of running `swift build -c release`
# Needs: the Swift toolchain, dpkg-dev (dpkg-shlibdeps), patchelf, binutils. Packaging/setup.sh installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

OUT=.build/deb
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUT=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-deb: unknown argument $1 (see --help)" >&2; exit 64 ;;
    esac
done

die() { echo "build-deb: $*" >&2; exit 1; }

VERSION=$(sed -n 's/.*static let string = "\([^"]*\)".*/\1/p' Sources/SegControl/SegdVersion.swift)
[ -n "$VERSION" ] || die "cannot read the version from Sources/SegControl/SegdVersion.swift"
ARCH=$(dpkg --print-architecture)
# The package's Maintainer: $DEB_MAINTAINER, else the repository's git identity.
MAINTAINER=${DEB_MAINTAINER:-$(git config user.name 2>/dev/null) <$(git config user.email 2>/dev/null)>}
[[ "$MAINTAINER" =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\.[^\>]+\>$ ]] \
    || die "no maintainer: set DEB_MAINTAINER=\"Name <address>\" (or git config user.name/user.email)"
[ "$ARCH" = amd64 ] || die "only amd64 is packaged (this machine is $ARCH)"

# The demo model is part of the package; never build one without it.
DEMO=Models/demo-ct
[ -f "$DEMO/model.json" ] || die "$DEMO/model.json is missing: the package ships the demo model (issue 9). Merge it first; no package was built."

for tool in patchelf dpkg-shlibdeps dpkg-deb readelf strip gzip; do
    command -v "$tool" >/dev/null || die "$tool is missing; run Packaging/setup.sh"
done
SWIFT=$(command -v swift || echo /opt/swift/usr/bin/swift)
[ -x "$SWIFT" ] || die "swift is not on PATH (expected /opt/swift/usr/bin)"
TOOLCHAIN_LIB=$(cd "$(dirname "$(readlink -f "$SWIFT")")/../lib/swift/linux" && pwd)

PRODUCTS=(segd segctl SegdPluginUNet SegdPluginUNETR SegdPluginUTNet)
if [ "$BUILD" = 1 ]; then
    for p in "${PRODUCTS[@]}"; do
        echo "build-deb: swift build -c release --product $p"
        "$SWIFT" build -c release --product "$p"
    done
fi
BIN=$("$SWIFT" build -c release --show-bin-path)
for f in segd segctl libSegdPluginUNet.so libSegdPluginUNETR.so libSegdPluginUTNet.so; do
    [ -f "$BIN/$f" ] || die "$BIN/$f is not built (run without --no-build)"
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PKG=$WORK/segd_${VERSION}_${ARCH}
mkdir -p "$PKG/DEBIAN"

# --- files -------------------------------------------------------------------------------------------------
install -D -m 0755 "$BIN/segd" "$PKG/usr/bin/segd"
install -D -m 0755 "$BIN/segctl" "$PKG/usr/bin/segctl"
for p in UNet UNETR UTNet; do
    install -D -m 0644 "$BIN/libSegdPlugin$p.so" "$PKG/usr/lib/segd/plugins/libSegdPlugin$p.so"
done

# The Swift runtime: every library from the toolchain that the binaries and plugins need, transitively.
SWIFTLIB=$PKG/usr/lib/segd/swift
mkdir -p "$SWIFTLIB"
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
queue=("$PKG/usr/bin/segd" "$PKG/usr/bin/segctl" "$PKG"/usr/lib/segd/plugins/*.so)
while [ ${#queue[@]} -gt 0 ]; do
    f=${queue[0]}; queue=("${queue[@]:1}")
    for lib in $(needed "$f"); do
        if [ -f "$TOOLCHAIN_LIB/$lib" ] && [ ! -f "$SWIFTLIB/$lib" ]; then
            install -m 0644 "$TOOLCHAIN_LIB/$lib" "$SWIFTLIB/$lib"
            queue+=("$SWIFTLIB/$lib")
        fi
    done
done

# Strip, then point every RUNPATH at the private runtime (replacing the build machine's toolchain path).
for f in "$PKG/usr/bin/segd" "$PKG/usr/bin/segctl" "$PKG"/usr/lib/segd/plugins/*.so "$SWIFTLIB"/*.so; do
    strip --strip-unneeded --remove-section=.comment --remove-section=.note "$f"
done
for f in "$PKG/usr/bin/segd" "$PKG/usr/bin/segctl"; do patchelf --set-rpath '$ORIGIN/../lib/segd/swift' "$f"; done
for f in "$PKG"/usr/lib/segd/plugins/*.so; do patchelf --set-rpath '$ORIGIN/../swift' "$f"; done
for f in "$SWIFTLIB"/*.so; do patchelf --set-rpath '$ORIGIN' "$f"; done

# The demo model bundle: its top-level files (manifest, weights, README, metrics), not its training code.
MODELS=$PKG/usr/share/segd/models
mkdir -p "$MODELS/demo-ct"
find "$DEMO" -maxdepth 1 -type f -exec install -m 0644 {} "$MODELS/demo-ct/" \;

install -D -m 0644 Packaging/systemd/segd.service "$PKG/usr/lib/systemd/system/segd.service"
install -D -m 0644 Packaging/systemd/segd.socket "$PKG/usr/lib/systemd/system/segd.socket"
install -D -m 0644 Packaging/sysusers.d/segd.conf "$PKG/usr/lib/sysusers.d/segd.conf"
install -D -m 0644 Packaging/tmpfiles.d/segd.conf "$PKG/usr/lib/tmpfiles.d/segd.conf"
install -D -m 0644 Packaging/segd.conf "$PKG/etc/segd/segd.conf"

for page in Packaging/man/*.[0-9]; do
    section=${page##*.}
    dest=$PKG/usr/share/man/man$section/$(basename "$page").gz
    mkdir -p "$(dirname "$dest")"
    sed "s/@VERSION@/$VERSION/g" "$page" | gzip -9n > "$dest"
done

mkdir -p "$PKG/usr/share/bash-completion/completions"
# (Sourced, not run: without the generator's #! line.)
for tool in segd segctl; do
    "$BIN/$tool" --generate-completion-script bash | sed '1{/^#!/d}' > "$PKG/usr/share/bash-completion/completions/$tool"
    grep -q "complete .*$tool" "$PKG/usr/share/bash-completion/completions/$tool" || die "no bash completion from $tool"
done

DOC=$PKG/usr/share/doc/segd
mkdir -p "$DOC"
sed "s/@VERSION@/$VERSION/g; s|@MAINTAINER@|$MAINTAINER|" Packaging/debian/copyright > "$DOC/copyright"
sed "s/@VERSION@/$VERSION/g; s|@MAINTAINER@|$MAINTAINER|; s/@DATE@/$(date -R -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")/" \
    Packaging/debian/changelog | gzip -9n > "$DOC/changelog.gz"

chmod -R u=rwX,go=rX "$PKG/usr" "$PKG/etc"

# --- Depends -----------------------------------------------------------------------------------------------
# dpkg-shlibdeps reads the shlibs/symbols files of the Debian packages that provide every library the ELF
# files need; our private Swift runtime is found through -l and needs no dependency.
SHLIB=$WORK/shlibdeps
mkdir -p "$SHLIB/debian"
printf 'Source: segd\n\nPackage: segd\nArchitecture: any\n' > "$SHLIB/debian/control"
ELFS=("$PKG/usr/bin/segd" "$PKG/usr/bin/segctl" "$PKG"/usr/lib/segd/plugins/*.so "$SWIFTLIB"/*.so)
[ ${#ELFS[@]} -gt 2 ] || die "no ELF files staged"
(cd "$SHLIB" && dpkg-shlibdeps -O --ignore-missing-info -l"$SWIFTLIB" -S"$PKG" "${ELFS[@]}") \
    > "$WORK/substvars" 2> "$WORK/shlibdeps.err" || { cat "$WORK/shlibdeps.err" >&2; die "dpkg-shlibdeps failed"; }
# The private runtime's libraries have no versioned SONAME, which dpkg-shlibdeps remarks on; show the rest.
grep -v "can't extract name and version from library name 'lib[A-Za-z_]*\.so'" "$WORK/shlibdeps.err" >&2 || true
DEPENDS=$(sed -n 's/^shlibs:Depends=//p' "$WORK/substvars")
[ -n "$DEPENDS" ] || die "dpkg-shlibdeps found no dependencies"

# Check: every library an ELF file needs is either in the package or provided by a package in Depends.
DEPENDED=$(tr ',|' '\n\n' <<< "$DEPENDS" | sed 's/(.*//; s/ //g' | grep .)
missing=0
for f in "${ELFS[@]}"; do
    for lib in $(needed "$f"); do
        [ -f "$SWIFTLIB/$lib" ] && continue
        # (No early exit in these pipelines: with pipefail, a writer killed by SIGPIPE would end the script.)
        path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ && !found { print $NF; found = 1 }')
        if [ -z "$path" ]; then echo "build-deb: ${f#$PKG}: $lib is found nowhere" >&2; missing=1; continue; fi
        owner=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | awk -F: 'NR == 1 { print $1 }') || true
        [ -n "$owner" ] || owner=$(dpkg -S "$path" 2>/dev/null | awk -F: 'NR == 1 { print $1 }') || true
        if [ -z "$owner" ]; then echo "build-deb: ${f#$PKG}: $lib ($path) belongs to no Debian package" >&2; missing=1; continue; fi
        # Named in Depends, or pulled in by a package that is (libopenblas0 depends on one of the
        # libopenblas0-pthread/-openmp/-serial variants that provide libopenblas.so.0).
        ok=0
        for dep in $DEPENDED; do
            its=$(dpkg-query -W -f='${Depends}' "$dep" 2>/dev/null | tr ',|' '\n\n' | sed 's/(.*//; s/:any//; s/ //g') || true
            if [ "$dep" = "$owner" ] || grep -Fxq "$owner" <<< "$its"; then ok=1; break; fi
        done
        if [ "$ok" = 0 ]; then
            echo "build-deb: ${f#$PKG}: $lib comes from $owner, which Depends does not bring in: $DEPENDS" >&2; missing=1
        fi
    done
done
[ "$missing" = 0 ] || die "Depends is incomplete (see above)"

INSTALLED_SIZE=$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$INSTALLED_SIZE/" \
    -e "s/@DEPENDS@/$DEPENDS/" -e "s|@MAINTAINER@|$MAINTAINER|" Packaging/debian/control > "$PKG/DEBIAN/control"
install -m 0755 Packaging/debian/postinst "$PKG/DEBIAN/postinst"
install -m 0755 Packaging/debian/postrm "$PKG/DEBIAN/postrm"
echo /etc/segd/segd.conf > "$PKG/DEBIAN/conffiles"
chmod 0644 "$PKG/DEBIAN/control" "$PKG/DEBIAN/conffiles"
(cd "$PKG" && find . -path ./DEBIAN -prune -o -type f -print0 | sort -z | xargs -0 md5sum | sed 's| \./| |') \
    > "$PKG/DEBIAN/md5sums"
chmod 0644 "$PKG/DEBIAN/md5sums"

mkdir -p "$OUT"
DEB=$OUT/segd_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$PKG" "$DEB" >/dev/null
echo "build-deb: $DEB ($(du -h "$DEB" | cut -f1), installed $((INSTALLED_SIZE / 1024)) MiB)"
echo "build-deb: Depends: $DEPENDS"
