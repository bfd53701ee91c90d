#!/usr/bin/env bash
# Vendor Leaflet (BSD-2-Clause) into mapper/render/assets/leaflet/ so that
# generated HTML can inline it and work offline (no CDN at runtime).
#
# Usage: scripts/vendor_leaflet.sh [VERSION]        (default 1.9.4)
# Needs npm (only `npm pack`, which downloads the published tarball; nothing is installed).
# Copies dist/leaflet.js, dist/leaflet.css, dist/images/*.png and LICENSE, and
# writes VERSION with the version and the tarball's sha512 integrity.
set -euo pipefail

VERSION="${1:-1.9.4}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/mapper/render/assets/leaflet"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

cd "$TMP"
npm pack "leaflet@${VERSION}" --json > pack.json
TARBALL="leaflet-${VERSION}.tgz"
[ -f "$TARBALL" ] || { echo "npm pack did not produce $TARBALL" >&2; exit 1; }
INTEGRITY="$(python3 -c 'import json,sys; print(json.load(open("pack.json"))[0]["integrity"])')"
tar -xzf "$TARBALL"

PKG_VERSION="$(python3 -c 'import json; print(json.load(open("package/package.json"))["version"])')"
if [ "$PKG_VERSION" != "$VERSION" ]; then
    echo "expected leaflet $VERSION, tarball says $PKG_VERSION" >&2
    exit 1
fi

mkdir -p "$DEST/images"
cp package/dist/leaflet.js package/dist/leaflet.css package/LICENSE "$DEST/"
cp package/dist/images/*.png "$DEST/images/"
printf 'leaflet %s\nsource: npm pack leaflet@%s\nintegrity: %s\nlicense: BSD-2-Clause (see LICENSE)\n' \
    "$VERSION" "$VERSION" "$INTEGRITY" > "$DEST/VERSION"
echo "vendored leaflet $VERSION into $DEST" >&2
ls -l "$DEST" "$DEST/images" >&2
