"""Spatial helpers shared by the loaders: polygon layers of admin units, point-in-polygon
links, largest-overlap parents and name similarity for merging units from different sources.

All geometry is shapely, (lon, lat).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gazetteer.normalize import normalize, similarity, skeleton, strip_type_words

#: Points outside every polygon (border slivers, coastlines) snap to the nearest unit within this
#: many degrees (~5 km at the equator): source layers never share exact outlines.
SNAP_DEGREES = 0.05
#: Two polygons are the same unit when they overlap this much (intersection over union)...
SAME_UNIT_IOU = 0.5
#: ...or overlap at least this much and their names agree at least ``SAME_NAME_SIMILARITY``.
NAMED_UNIT_IOU = 0.1
SAME_NAME_SIMILARITY = 0.8


@dataclass
class Unit:
    pid: int
    id: str
    name: str
    country_code: str | None
    admin1: str | None
    admin1_id: str | None
    geom: Any  # a shapely geometry


def load_units(conn, kind: str, countries=None, *, point_only=False) -> list:
    """Admin units of ``kind`` (optionally in ``countries``) with their primary polygon.

    With ``point_only`` also units without polygons (their point becomes the geometry).
    """
    import shapely

    where = "p.kind = ?"
    params = [kind]
    if countries:
        countries = sorted(set(countries))
        where += f" AND p.country_code IN ({','.join('?' * len(countries))})"
        params += countries
    join = "LEFT JOIN" if point_only else "JOIN"
    rows = conn.execute(
        f"SELECT p.pid, p.id, p.name, p.country_code, p.admin1, p.admin1_id, g.wkb, p.lon, p.lat "
        f"FROM places p {join} geoms g ON g.pid = p.pid WHERE {where}", params,
    ).fetchall()
    out = []
    for pid, id_, name, cc, a1, a1id, wkb, lon, lat in rows:
        if wkb is not None:
            geom = shapely.from_wkb(wkb)
        elif lon is not None:
            geom = shapely.Point(lon, lat)
        else:
            continue
        out.append(Unit(pid, id_, name, cc, a1, a1id, geom))
    return out


class Layer:
    """An STRtree over units for point location and overlap queries."""

    def __init__(self, units):
        import shapely

        self.units = list(units)
        self.tree = shapely.STRtree([u.geom for u in self.units]) if self.units else None

    def __len__(self):
        return len(self.units)

    def locate(self, lons, lats, ccs=None, *, snap=SNAP_DEGREES) -> list:
        """Index of the unit holding each point (same country when ``ccs`` given), else -1.

        Points inside no unit take the nearest unit within ``snap`` degrees.
        """
        import numpy as np
        import shapely

        n = len(lons)
        out = [-1] * n
        if not self.units or n == 0:
            return out
        assert self.tree is not None  # built whenever there are units
        pts = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        pi, gi = self.tree.query(pts, predicate="within")
        for p, g in zip(pi.tolist(), gi.tolist()):
            if out[p] == -1 and (ccs is None or self.units[g].country_code == ccs[p]):
                out[p] = g
        missing = [i for i in range(n) if out[i] == -1]
        if missing and snap:
            mi, mg = self.tree.query_nearest(pts[missing], max_distance=snap, all_matches=False)
            for p, g in zip(mi.tolist(), mg.tolist()):
                i = missing[p]
                if ccs is None or self.units[g].country_code == ccs[i]:
                    out[i] = g
        return out

    def overlaps(self, geom) -> list:
        """(unit index, share of ``geom``'s area inside the unit, IoU), largest share first."""
        import shapely

        if not self.units:
            return []
        assert self.tree is not None  # built whenever there are units
        area = geom.area
        out = []
        for g in self.tree.query(geom, predicate="intersects").tolist():
            other = self.units[g].geom
            if other.geom_type == "Point":
                out.append((g, 0.0, 0.0))
                continue
            try:
                inter = shapely.intersection(geom, other).area
            except shapely.errors.GEOSException:
                inter = shapely.intersection(shapely.make_valid(geom), shapely.make_valid(other)).area
            if inter <= 0:
                continue
            union = area + other.area - inter
            out.append((g, inter / area if area else 0.0, inter / union if union else 0.0))
        out.sort(key=lambda t: -t[1])
        return out


def name_similarity(names_a, names_b) -> float:
    """Best similarity between two sets of names (type words ignored, romanisation tolerant)."""
    from rapidfuzz.distance import OSA

    best = 0.0
    keys_a = {strip_type_words(normalize(a))[0] for a in names_a if a}
    keys_b = {strip_type_words(normalize(b))[0] for b in names_b if b}
    for a in keys_a:
        for b in keys_b:
            if not a or not b:
                continue
            if a == b:
                return 1.0
            s = max(similarity(a, b), OSA.normalized_similarity(a, b))
            if skeleton(a) and skeleton(a) == skeleton(b):
                s = max(s, 0.9)
            best = max(best, s)
    return best


def names_of(conn, pid) -> list:
    return [r[0] for r in conn.execute("SELECT name FROM names WHERE pid = ? AND flag != 2", (pid,))]


def admin_links(conn, lon: float, lat: float, cc=None) -> dict:
    """Country code, admin1 and admin2 (id, name) holding a point, from the index's polygons."""
    out = {"country_code": cc, "admin1": None, "admin2": None}
    if cc is None:
        countries = Layer(load_units(conn, "country"))
        gi = countries.locate([lon], [lat], snap=0.2)[0]
        out["country_code"] = cc = countries.units[gi].country_code if gi >= 0 else None
    if cc is None:
        return out
    for kind in ("admin1", "admin2"):
        layer = Layer(load_units(conn, kind, [cc]))
        gi = layer.locate([lon], [lat], [cc])[0]
        if gi >= 0:
            out[kind] = (layer.units[gi].id, layer.units[gi].name)
    return out
