#!/usr/bin/env python
"""Build mapper/data/basemap_context.geojson.gz: the physical context of the maps' basemap.

Sources (all installable from the package registries, none fetched at run time):

* **Natural Earth 1:50m physical vectors** (public domain), as shipped by the Debian package
  ``marble-qt-data`` in Marble's ``.pn2`` format (``/usr/share/marble/data/naturalearth/``):
  ``ne_50m_land`` (land polygons: water names; coarser, ``world_land``, for the world view), ``ne_50m_rivers_lake_centerlines``
  (rivers) and ``ne_50m_lakes`` (lakes and reservoirs). The ``.pn2`` files carry geometry only,
  in steps of 1/120 degree (about 900 m), without Natural Earth's attribute table, so names are
  joined here (next point).
* **Names of rivers and lakes**: a river feature takes a name when it passes within
  ``ANCHOR_TOLERANCE_DEG`` of an anchor of ``mapper/data/water_names.csv`` (towns that lie on the
  river, at their GeoNames coordinates) or of the point of a ``STM`` row of
  ``gazetteer/data/physical.csv`` (near anchors of several rivers: the river with most anchors near it); a lake takes the name of the ``LK``/``RSV`` row of
  ``physical.csv`` whose point lies inside it or within ``LAKE_TOLERANCE_DEG``.
* **Seas and oceans**: the ``OCN``/``SEA``/``GULF``/``BAY`` rows of ``physical.csv`` (name and
  point; the page places the label in the water it can see, nearest such point).
* **Country label points**: ``gazetteer/data/natural_earth_admin.geojson.gz`` (Natural Earth
  1:10m countries): the pole of inaccessibility of each country's largest part, with the area.

Usage::

    apt-get download marble-qt-data && dpkg -x marble-qt-data_*.deb /tmp/marble
    .venv/bin/python scripts/build_basemap_context.py --marble /tmp/marble/usr/share/marble/data
    # (or, with marble-qt-data installed: no --marble)

The output is deterministic (gzip mtime 0): same inputs, same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import logging
import struct
import sys
from pathlib import Path

log = logging.getLogger("build_basemap_context")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MARBLE = Path("/usr/share/marble/data")
DEFAULT_OUT = ROOT / "mapper" / "data" / "basemap_context.geojson.gz"
WATER_NAMES = ROOT / "mapper" / "data" / "water_names.csv"
PHYSICAL = ROOT / "gazetteer" / "data" / "physical.csv"
ADMIN = ROOT / "gazetteer" / "data" / "natural_earth_admin.geojson.gz"

#: A river passes within this distance (degrees, ~12 km) of an anchor town to take its name.
ANCHOR_TOLERANCE_DEG = 0.12
#: A lake's point in physical.csv is good to tens of km: it names the nearest lake within this.
LAKE_TOLERANCE_DEG = 0.2
#: Stored detail: the renderers simplify further for the map's extent.
SIMPLIFY_DEG = {"land": 0.02, "river": 0.01, "lake": 0.01}
DECIMALS = 3
#: World land (seen only zoomed out past the frame): simplified harder, islands under this area left out.
WORLD_SIMPLIFY_DEG = 0.15
WORLD_MIN_AREA_DEG2 = 0.5
SEA_CODES = ("OCN", "SEA", "GULF", "BAY")
#: Pn2 polygon flags (Marble's Pn2Runner): line string, linear ring, outer and inner boundary, multi.
LINESTRING, LINEARRING, OUTER, INNER, MULTI = 0, 1, 2, 3, 4


def read_pn2(path: Path) -> dict:
    """Marble ``.pn2`` (version 2) -> {feature id: [(flag, [(lon, lat), ...]), ...]}.

    Layout (big-endian, Qt QDataStream): header ``version u8, count u32, has_colour u8``; each
    record ``flag u8, feature id u32`` (plus a colour byte on a new id when ``has_colour``), then
    ``absolute node count u32`` and the nodes (``lat i16, lon i16, relative count i16`` in 1/120
    degree, each followed by ``dlat i8, dlon i8`` steps from it); a multi-geometry record
    (flag 4) holds ``count u8`` sub-records ``flag u8, id u32, node count u32, nodes``.
    """
    b = path.read_bytes()
    version, count, has_colour = struct.unpack_from(">BIB", b, 0)
    if version != 2:
        raise SystemExit(f"{path}: pn2 version {version}, this script reads version 2")
    off, prev, feats = 6, None, {}

    def nodes(off: int, n_abs: int):
        pts = []
        for _ in range(n_abs):
            lat, lon, n_rel = struct.unpack_from(">hhh", b, off)
            off += 6
            pts.append((lon / 120, lat / 120))
            for _ in range(n_rel):
                dlat, dlon = struct.unpack_from(">bb", b, off)
                off += 2
                pts.append(((lon + dlon) / 120, (lat + dlat) / 120))
        return off, pts

    for _ in range(count):
        if off == len(b):  # the header counts the sub-records of multi-geometries too
            break
        flag, fid = struct.unpack_from(">BI", b, off)
        off += 5
        if fid != prev and has_colour:
            off += 1
        prev = fid
        if flag != MULTI:
            (n_abs,) = struct.unpack_from(">I", b, off)
            off, pts = nodes(off + 4, n_abs)
            feats.setdefault(fid, []).append((flag, pts))
        else:
            (m,) = struct.unpack_from(">B", b, off)
            off += 1
            for _ in range(m):
                f2, _fid2, n_abs = struct.unpack_from(">BII", b, off)
                off, pts = nodes(off + 9, n_abs)
                feats.setdefault(fid, []).append((f2, pts))
    if off != len(b):
        raise SystemExit(f"{path}: read {off} of {len(b)} bytes; not a pn2 file this script understands")
    return feats


def polygons_of(parts):
    """Rings of one pn2 feature -> shapely (Multi)Polygon (outer boundaries with their holes)."""
    from shapely.geometry import MultiPolygon, Polygon
    from shapely.validation import make_valid

    polys, outer, holes = [], None, []
    for flag, pts in parts:
        if len(pts) < 3:
            continue
        if flag in (OUTER, LINEARRING):
            if outer is not None:
                polys.append(Polygon(outer, holes))
            outer, holes = pts, []
        elif flag == INNER and outer is not None:
            holes.append(pts)
    if outer is not None:
        polys.append(Polygon(outer, holes))
    g = make_valid(MultiPolygon(polys) if len(polys) > 1 else polys[0]) if polys else None
    if g is not None and g.geom_type == "GeometryCollection":
        g = MultiPolygon([p for p in g.geoms if p.geom_type == "Polygon"])
    return g


def rounded(g, tolerance: float):
    import shapely

    g = g.simplify(tolerance, preserve_topology=True)
    g = shapely.set_precision(g, 10 ** -DECIMALS)
    return None if g.is_empty else g


def anchors() -> list:
    """(name, kind, [(lon, lat), ...]) from water_names.csv and the STM/LK/RSV rows of physical.csv."""
    out = []
    with WATER_NAMES.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            pts = []
            for part in row["anchors"].split(";"):
                lat, lon = (float(x) for x in part.split())
                pts.append((lon, lat))
            out.append((row["name"], row["kind"], pts))
    have = {n.lower() for n, _, _ in out}
    with PHYSICAL.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            kind = {"STM": "river", "LK": "lake", "RSV": "lake"}.get(row["feature"])
            name = row["name"].removesuffix(" River")
            if kind and name.lower() not in have:
                out.append((name, kind, [(float(row["lon"]), float(row["lat"]))]))
    return out


def build(marble: Path) -> dict:
    import shapely
    from shapely.geometry import MultiLineString, Point, mapping
    from shapely.ops import polylabel

    ne = marble / "naturalearth"
    features = []

    def add(kind, geom, **props):
        features.append({"type": "Feature", "properties": {"kind": kind, **props}, "geometry": mapping(geom)})

    for _fid, parts in sorted(read_pn2(ne / "ne_50m_land.pn2").items()):
        g = polygons_of(parts)
        if g is None:
            continue
        fine = rounded(g, SIMPLIFY_DEG["land"])
        if fine is not None and fine.area > 0.01:  # islets under ~100 km2: water names ignore them
            add("land", fine)
        # The world view outside the map's frame (zoom <= 4): coarse, large land masses only.
        coarse = rounded(g, WORLD_SIMPLIFY_DEG) if g.area > WORLD_MIN_AREA_DEG2 else None
        if coarse is not None:
            add("world_land", coarse)

    names = anchors()
    rivers = {}
    for fid, parts in sorted(read_pn2(ne / "ne_50m_rivers_lake_centerlines.pn2").items()):
        lines = [pts for _, pts in parts if len(pts) > 1]
        if lines:
            rivers[fid] = MultiLineString(lines)
    # A feature near anchors of several rivers (a confluence: Khartoum is on the Nile, the White and
    # the Blue Nile) takes the river with the most anchors near it, then the nearest anchor.
    votes: dict = {}
    for name, kind, pts in names:
        if kind != "river":
            continue
        hits = 0
        for fid, g in rivers.items():
            d = [g.distance(Point(p)) for p in pts]
            near = [x for x in d if x <= ANCHOR_TOLERANCE_DEG]
            if near:
                hits += 1
                votes.setdefault(fid, []).append((-len(near), min(near), name))
        log.info("river %s: %s", name, f"{hits} feature(s)" if hits else f"no Natural Earth 1:50m river within {ANCHOR_TOLERANCE_DEG} deg of its points")
    river_name = {fid: min(v)[2] for fid, v in votes.items()}
    for fid, g in rivers.items():
        r = rounded(g, SIMPLIFY_DEG["river"])
        if r is not None:
            add("river", r, name=river_name.get(fid, ""))

    lakes = {}
    for fid, parts in sorted(read_pn2(ne / "ne_50m_lakes.pn2").items()):
        g = polygons_of(parts)
        if g is not None and not g.is_empty:
            lakes[fid] = g
    lake_name = {}
    for name, kind, pts in names:
        if kind != "lake":
            continue
        best = min(((g.distance(Point(pts[0])), fid) for fid, g in lakes.items()), default=None)
        if best and best[0] <= LAKE_TOLERANCE_DEG and best[1] not in lake_name:
            lake_name[best[1]] = name
        else:
            log.info("lake %s: no unnamed Natural Earth 1:50m lake within %s deg", name, LAKE_TOLERANCE_DEG)
    for fid, g in lakes.items():
        r = rounded(g, SIMPLIFY_DEG["lake"])
        if r is not None:
            add("lake", r, name=lake_name.get(fid, ""))

    with PHYSICAL.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["feature"] in SEA_CODES:
                add("sea", Point(float(row["lon"]), float(row["lat"])), name=row["name"], feature=row["feature"])

    with gzip.open(ADMIN, "rt", encoding="utf-8") as f:
        admin = json.load(f)
    for feat in admin["features"]:
        p = feat["properties"]
        if p.get("kind") != "country":
            continue
        g = shapely.geometry.shape(feat["geometry"])
        main = max(getattr(g, "geoms", [g]), key=lambda x: x.area)
        pt = polylabel(main, tolerance=0.05) if main.area > 0.01 else main.representative_point()
        add("country_label", shapely.set_precision(pt, 10 ** -DECIMALS), name=p["name"],
            country_code=p.get("country_code", ""), area=round(g.area, 3),
            depth=round(main.exterior.distance(pt), 2))
    counts = {}
    for ft in features:
        counts[ft["properties"]["kind"]] = counts.get(ft["properties"]["kind"], 0) + 1
    named = {k: sum(1 for ft in features if ft["properties"]["kind"] == k and ft["properties"].get("name"))
             for k in ("river", "lake")}
    log.info("features: %s; named: %s", counts, named)
    return {"type": "FeatureCollection", "features": features}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--marble", type=Path, default=DEFAULT_MARBLE, help="Marble's data folder (has naturalearth/)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not (args.marble / "naturalearth" / "ne_50m_land.pn2").exists():
        print(f"{args.marble}/naturalearth/ne_50m_land.pn2 not found: install or extract marble-qt-data "
              "(see this script's docstring)", file=sys.stderr)
        return 2
    fc = build(args.marble)
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    args.out.write_bytes(buf.getvalue())
    log.info("wrote %s: %.2f MB (%.2f MB uncompressed)", args.out, len(buf.getvalue()) / 1e6, len(text) / 1e6)
    return 0


if __name__ == "__main__":
    sys.exit(main())
