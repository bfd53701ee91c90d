"""Second-level units (counties, districts) of the embedded index, described by their towns.

Each unit comes from ``gazetteer/data/admin2_units.tsv.gz`` (``scripts/build_admin2.py``): a point,
the box of its GeoNames towns and their ids; it has no polygon.
"""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

from gazetteer import store
from gazetteer._geo import haversine_km
from gazetteer.build._data import ADMIN2_FILE
from gazetteer.build.points import link_by_containment
from gazetteer.errors import IndexBuildError
from gazetteer.importance import admin2_unit_importance
from gazetteer.names import ALTERNATE, PRIMARY, STRIPPED, row_for_key, rows_for_names
from gazetteer.normalize import normalize, strip_type_words

log = logging.getLogger(__name__)

#: An admin-2 unit is a copy of the Natural Earth admin-1 unit holding it (Natural Earth's
#: admin-1 layer is GeoNames' admin-2 level in GB, IT, FR, ES, PH...) when their names agree
#: this much and the unit's towns hold at least this share of the admin-1 unit's population.
ADMIN2_SAME_AS_ADMIN1_NAME = 0.85
ADMIN2_SAME_AS_ADMIN1_POPULATION = 0.5
#: A member town whose name is this similar to its unit's is the unit's seat ("Tarinkot" in
#: Tarin Kot district); the bare name then belongs to the town first (see :func:`add_admin2`).
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


def add_admin2(units, place_rows, name_rows, pid, *, only, town_index, towns_by_name, admin1_by_code,
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
    found = link_by_containment(probe_rows, list(range(len(probe_rows))), admin1_geoms)
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
