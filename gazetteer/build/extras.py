"""Places of the embedded index that are neither countries, admin units nor towns: physical
features (seas, rivers, ranges) and regions named in the news (unions of units)."""

from __future__ import annotations

import logging
from pathlib import Path

from gazetteer import store
from gazetteer.build._data import PHYSICAL_FILE, REGIONS_FILE
from gazetteer.build.points import unit_point
from gazetteer.importance import PHYSICAL_IMPORTANCE, REGION_IMPORTANCE
from gazetteer.names import rows_for_names
from gazetteer.normalize import normalize

log = logging.getLogger(__name__)


def load_physical(path: Path = PHYSICAL_FILE) -> list:
    """Rows of ``physical.csv``: name, other names (``;``), GeoNames-style feature code (SEA, LK,
    STM, MTS, DSRT...), representative point, and the country when the feature lies in one."""
    import csv

    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if (row.get("name") or "").strip()]


def add_physical(rows, place_rows, name_rows, pid, *, only, gn_countries):
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



def load_regions(path: Path = REGIONS_FILE) -> list:
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


def add_regions(regions, place_rows, name_rows, geom_rows, pid, *, only, ne_country, admin1_geoms, admin1_pop,
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
        lon, lat = unit_point(geom, None)
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
