"""The locator-map context around the claims: land, water, and the names a reader needs.

:func:`build_context` gathers, for the map's frame (the claims' extent plus a margin), what the
renderers draw under the claims so a reader can tell where they are:

* world land (so a map zoomed out to the world is never blank) and, in the frame, lakes and
  rivers, from ``mapper/data/basemap_context.geojson.gz`` (Natural Earth 1:50m, built by
  ``scripts/build_basemap_context.py``; sources in ``mapper/data/BASEMAP.md``);
* area labels (countries, seas, lakes): each with *candidate points* inside the area, with their
  depth (distance to the area's edge, degrees), so a renderer can put the name inside the part
  of the area it shows (the page picks, at each view, the candidate deepest inside both the area
  and the screen);
* river labels: candidate points along the named rivers with the river's direction there;
* towns and cities from the gazetteer (GeoNames), capitals first then by population, minus the
  places the claims are about (their own labels win).

When each label appears (minimum zoom) comes from the ``context`` table of
``mapper/render/assets/style.json`` (:func:`label_min_zoom`), the one owner of those thresholds
for both maps; zoom is Leaflet's (256 px tiles, zoom 0 shows the world in 256 px).

Examples
--------
>>> label_min_zoom("city", population=2_000_000, capital=False)
5
>>> label_min_zoom("city", population=2_000_000, capital=True)
3
>>> label_min_zoom("sea", feature="OCN")
0
"""

from __future__ import annotations

import gzip
import json
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

CONTEXT_PATH = Path(__file__).resolve().parent / "data" / "basemap_context.geojson.gz"
#: Credit line of the context data (the gazetteer credits GeoNames for the towns).
ATTRIBUTION = "Land, rivers, lakes: Natural Earth (public domain)"
#: Candidate points of an area label: a grid of about this many cells across the frame.
GRID_CELLS = 32
#: Candidate points along a river: about this many per frame width.
RIVER_STEPS = 30
#: Towns asked from the gazetteer (capitals first, then by population) and the smallest kept:
#: over the whole frame, and again around the claims (so the towns next to them are there too).
MAX_TOWNS = 120
MIN_TOWN_POPULATION = 15_000
MAX_NEAR_TOWNS = 60
MIN_NEAR_TOWN_POPULATION = 5_000
#: Water narrower than twice this (degrees) is a strait: seas on either side are named apart.
STRAIT_DEG = 0.08
#: Water basins smaller than this (square degrees: lagoons, estuaries) take no sea name.
MIN_BASIN_DEG2 = 0.05
#: A town this close (degrees) to a claimed place with the same name is that place.
SAME_PLACE_DEG = 0.25
#: A town within this distance (km) of one SUBURB_RATIO times as populous is a suburb of it
#: (GeoNames lists Istanbul's or Tehran's districts as towns): left out.
SUBURB_KM = 30.0
SUBURB_RATIO = 5.0


@dataclass(frozen=True)
class Candidate:
    """A possible label position: (lon, lat), its depth inside the area (degrees), and angle (degrees, rivers)."""

    lon: float
    lat: float
    depth: float = 0.0
    angle: float = 0.0


@dataclass(frozen=True)
class ContextLabel:
    """One name on the basemap: ``kind`` is country, sea, lake, river, capital or city."""

    kind: str
    name: str
    min_zoom: float
    candidates: tuple  # of Candidate
    rank: float = 0.0  # larger first when labels compete (area, population)


@dataclass(frozen=True)
class MapContext:
    """What :func:`build_context` returns; geometries are shapely, lon/lat."""

    frame: tuple  # (min_lon, min_lat, max_lon, max_lat)
    land: tuple = ()  # world land outside the frame (the frame's countries come with the outlines)
    lakes: tuple = ()  # (name, geometry)
    rivers: tuple = ()  # (name, geometry)
    labels: tuple = ()  # ContextLabel, in rank order within each kind
    attribution: tuple = ()


@lru_cache(maxsize=1)
def _features(path: str = str(CONTEXT_PATH)) -> tuple:
    """The context features as (kind, properties, shapely geometry), read once per process."""
    from shapely.geometry import shape

    with gzip.open(path, "rt", encoding="utf-8") as f:
        fc = json.load(f)
    return tuple((ft["properties"]["kind"], ft["properties"], shape(ft["geometry"])) for ft in fc["features"])


def _tiers(kind: str) -> list:
    from mapper.render.style import load_style

    return load_style().data["context"]["min_zoom"][kind]


def label_min_zoom(kind: str, *, population: int = 0, capital: bool = False, area: float = 0.0,
                   feature: str = "") -> float:
    """Zoom from which a label of this kind is shown (the ``context.min_zoom`` table of style.json).

    Each kind's tiers are tried in order; the first whose conditions hold gives the zoom
    (``capital``, ``min_population``, ``min_area`` in square degrees, ``feature`` code).
    """
    for tier in _tiers(kind):
        if "capital" in tier and bool(tier["capital"]) != capital:
            continue
        if population < tier.get("min_population", 0) or area < tier.get("min_area", 0):
            continue
        if "feature" in tier and tier["feature"] != feature:
            continue
        return tier["zoom"]
    return _tiers(kind)[-1]["zoom"]


def _main_part(geom):
    """The largest polygon of a country inside the frame: its name goes there, not on an island, an
    exclave or a separately outlined peninsula (Natural Earth draws Crimea inside Russia's outline;
    the name "Russia" then stays on the Russian mainland)."""
    if geom is None or geom.geom_type != "MultiPolygon":
        return geom
    return max(geom.geoms, key=lambda part: part.area)


def zoom_for_extent(west: float, east: float, width_px: float) -> float:
    """The Leaflet zoom at which ``width_px`` pixels span ``west``..``east`` (degrees of longitude).

    How a static map of that extent and width applies the page's ``context.min_zoom`` thresholds
    (256 px tiles: zoom z shows 360 degrees in 256 * 2**z pixels).

    Examples
    --------
    >>> zoom_for_extent(-180, 180, 256)
    0.0
    >>> round(zoom_for_extent(60, 75, 600), 2)   # Afghanistan on a 600 px wide static map
    5.81
    """
    span = east - west if east > west else east + 360 - west
    return math.log2(width_px * 360 / (256 * span))


def _grid(frame, cells: int):
    import numpy as np

    x0, y0, x1, y1 = frame
    step = max(x1 - x0, y1 - y0) / cells
    xs = np.arange(x0 + step / 2, x1, step)
    ys = np.arange(y0 + step / 2, y1, step)
    gx, gy = np.meshgrid(xs, ys)
    return gx.ravel(), gy.ravel(), step


def _area_candidates(geom, gx, gy, extra=()) -> tuple:
    """Grid points inside ``geom`` with their distance to its edge (plus ``extra`` candidates)."""
    import numpy as np
    import shapely

    inside = shapely.contains_xy(geom, gx, gy)
    xs, ys = gx[inside], gy[inside]
    out = list(extra)
    if len(xs):
        depth = shapely.distance(shapely.points(np.column_stack([xs, ys])), geom.boundary)
        out += [Candidate(round(float(x), 3), round(float(y), 3), round(float(d), 3)) for x, y, d in zip(xs, ys, depth)]
    elif not out and not geom.is_empty:
        p = geom.representative_point()
        out.append(Candidate(round(p.x, 3), round(p.y, 3), 0.0))
    return tuple(out)


def _river_candidates(geom, step: float) -> tuple:
    """Points every ``step`` degrees along each part of a river line, with the line's direction (screen degrees)."""
    out = []
    for line in getattr(geom, "geoms", [geom]):
        n = int(line.length / step)
        for i in range(n):
            d = (i + 0.5) * step
            a, b = line.interpolate(max(0.0, d - step / 4)), line.interpolate(min(line.length, d + step / 4))
            p = line.interpolate(d)
            dx = (b.x - a.x) * math.cos(math.radians(p.y))
            dy = b.y - a.y
            ang = -math.degrees(math.atan2(dy, dx))  # screen y grows downwards
            if ang > 90:
                ang -= 180
            elif ang < -90:
                ang += 180
            out.append(Candidate(round(p.x, 3), round(p.y, 3), 0.0, round(ang, 1)))
    return tuple(out)


def build_context(gazetteer, frame, outlines=(), claimed=(), *, near=None, path: str | None = None) -> MapContext:
    """The context of a map whose frame is ``frame`` (min_lon, min_lat, max_lon, max_lat).

    ``outlines`` are the basemap's ``(name, kind, geometry)`` (the country polygons inside the
    frame name the countries); ``claimed`` the claimed places (objects with ``name``, ``lat``,
    ``lon`` and ``gazetteer_id``), left out of the towns; ``near`` the claims' own box, where smaller
    towns are listed too. ``gazetteer`` may be None (no towns).
    """
    import shapely
    from shapely.geometry import box

    feats = _features(path or str(CONTEXT_PATH))
    fbox = box(*frame)
    gx, gy, step = _grid(frame, GRID_CELLS)
    labels = []

    land_out, land_in = [], []
    for kind, _props, g in feats:
        if kind == "land" and g.intersects(fbox):
            land_in.append(g.intersection(fbox))
        elif kind == "world_land":
            rest = g.difference(fbox) if g.intersects(fbox) else g
            if not rest.is_empty:
                land_out.append(rest)

    # Countries: candidates inside the part in the frame, plus the country's own label point
    # (used when zoomed out past the frame).
    in_frame = {}
    for name, kind, g in outlines:
        if kind == "country" and g is not None and not g.is_empty:
            in_frame[name] = g if name not in in_frame else in_frame[name].union(g)
    for kind, p, g in feats:
        if kind != "country_label":
            continue
        own = Candidate(round(g.x, 3), round(g.y, 3), float(p.get("depth", 0)))
        geom = _main_part(in_frame.pop(p["name"], None))
        cands = _area_candidates(geom, gx, gy, (own,)) if geom is not None else (own,)
        labels.append(ContextLabel("country", p["name"], label_min_zoom("country", area=p.get("area", 0)),
                                   cands, float(p.get("area", 0))))
    points = [g for kind, _p, g in feats if kind == "country_label"]
    for name, geom in in_frame.items():  # a country the context file names otherwise, or does not know
        if any(geom.contains(pt) for pt in points):
            continue
        labels.append(ContextLabel("country", name, label_min_zoom("country", area=geom.area),
                                   _area_candidates(_main_part(geom), gx, gy), geom.area))

    # Seas: the water of the frame (frame minus land) cut at narrow straits (Kerch, Bosporus) into
    # basins; a basin takes the sea points inside it (each grid point the nearest of them), or the
    # sea point nearest to it when the frame cuts the sea's own point away.
    seas = [(p["name"], p.get("feature", "SEA"), g) for kind, p, g in feats if kind == "sea"]
    water = fbox.difference(shapely.union_all(land_in)) if land_in else fbox
    if seas and not water.is_empty:
        import numpy as np

        inside = shapely.contains_xy(water, gx, gy)
        xs, ys = gx[inside], gy[inside]
        coast = water.boundary.difference(fbox.boundary)
        depth = shapely.distance(shapely.points(np.column_stack([xs, ys])), coast) if len(xs) else np.array([])
        basins = water.buffer(-STRAIT_DEG)  # grid points within STRAIT_DEG of a coast are too shallow anyway
        found: dict = {}
        for basin in getattr(basins, "geoms", [basins]):
            if basin.geom_type != "Polygon" or basin.area < MIN_BASIN_DEG2:
                continue
            sel = shapely.contains_xy(basin, xs, ys)
            if not sel.any():
                continue
            own = [i for i, (_n, _f, g) in enumerate(seas) if basin.contains(g)]
            if not own:
                own = [min(range(len(seas)), key=lambda i: basin.distance(seas[i][2]))]
            sea_xy = np.array([(seas[i][2].x, seas[i][2].y) for i in own])
            bx, by, bd = xs[sel], ys[sel], depth[sel]
            pick = np.argmin((bx[:, None] - sea_xy[None, :, 0]) ** 2 + (by[:, None] - sea_xy[None, :, 1]) ** 2, axis=1)
            for k, i in enumerate(own):
                m = pick == k
                found.setdefault(i, []).extend(
                    Candidate(round(float(x), 3), round(float(y), 3), round(float(d), 3)) for x, y, d in zip(bx[m], by[m], bd[m]))
        for i, cands in sorted(found.items()):
            name, feature, _g = seas[i]
            labels.append(ContextLabel("sea", name, label_min_zoom("sea", feature=feature), tuple(cands)))
    # Oceans and seas outside the frame keep their own point for the world view.
    have = {lab.name for lab in labels if lab.kind == "sea"}
    for name, feature, g in seas:
        if name not in have and feature == "OCN":
            labels.append(ContextLabel("sea", name, label_min_zoom("sea", feature=feature),
                                       (Candidate(round(g.x, 3), round(g.y, 3), 10.0),)))

    lakes, rivers = [], []
    for kind, p, g in feats:
        if kind not in ("lake", "river") or not g.intersects(fbox):
            continue
        part = g.intersection(fbox)
        if part.is_empty:
            continue
        name = p.get("name", "")
        if kind == "lake":
            lakes.append((name, part))
            if name:
                labels.append(ContextLabel("lake", name, label_min_zoom("lake", area=g.area),
                                           _area_candidates(part, gx, gy), g.area))
        else:
            rivers.append((name, part))
            if name:
                cands = _river_candidates(part, (frame[2] - frame[0]) / RIVER_STEPS)
                if cands:
                    labels.append(ContextLabel("river", name, label_min_zoom("river"), cands, g.length))

    labels += _towns(gazetteer, frame, claimed, near)
    order = {"country": 0, "sea": 1, "capital": 2, "river": 3, "lake": 4, "city": 5}
    labels.sort(key=lambda lab: (order.get(lab.kind, 9), lab.min_zoom, -lab.rank, lab.name))
    return MapContext(frame=tuple(frame), land=tuple(land_out), lakes=tuple(lakes), rivers=tuple(rivers),
                      labels=tuple(labels), attribution=(ATTRIBUTION,))


#: A leaner context (for a page over its size budget) keeps towns shown from this zoom or earlier.
LEAN_MAX_TOWN_ZOOM = 7


def lean_context(context: MapContext) -> MapContext:
    """The context with less detail, for a page over its size budget: named rivers and lakes only,
    towns that show by zoom :data:`LEAN_MAX_TOWN_ZOOM`, a third of the candidate points of an area."""
    labels = []
    for lab in context.labels:
        if lab.kind in ("city", "capital") and lab.min_zoom > LEAN_MAX_TOWN_ZOOM:
            continue
        if lab.kind in ("country", "sea", "lake", "river") and len(lab.candidates) > 4:
            lab = ContextLabel(lab.kind, lab.name, lab.min_zoom, lab.candidates[:1] + lab.candidates[1::3], lab.rank)
        labels.append(lab)
    return MapContext(frame=context.frame, land=context.land, lakes=tuple(w for w in context.lakes if w[0]),
                      rivers=tuple(w for w in context.rivers if w[0]), labels=tuple(labels),
                      attribution=context.attribution)


def _towns(gazetteer, frame, claimed: Iterable, near=None) -> list:
    """Capitals and major towns of the frame from the gazetteer, minus the claimed places."""
    if gazetteer is None or not hasattr(gazetteer, "populated_places"):
        return []
    from mapper.placing import GAZETTEER_READ_ERRORS

    try:
        towns = gazetteer.populated_places(frame, min_population=MIN_TOWN_POPULATION, limit=MAX_TOWNS)
        if near is not None:
            towns += gazetteer.populated_places(near, min_population=MIN_NEAR_TOWN_POPULATION, limit=MAX_NEAR_TOWNS)
    except GAZETTEER_READ_ERRORS as err:  # the map is still drawn, without towns
        log.warning("no towns for the basemap: %s", err)
        return []
    claimed = list(claimed)
    ids = {getattr(c, "gazetteer_id", None) for c in claimed} - {None, ""}
    same = [(c.name.casefold(), c.lat, c.lon) for c in claimed if getattr(c, "lat", None) is not None]
    from gazetteer import haversine_km

    out, seen, kept = [], set(), []
    for t in sorted(towns, key=lambda t: -(t.population or 0)):
        key = t.name.casefold()
        if t.id in ids or key in seen or t.id in seen:
            continue
        if any(n == key and abs(la - t.lat) < SAME_PLACE_DEG and abs(lo - t.lon) < SAME_PLACE_DEG for n, la, lo in same):
            continue
        pop = t.population or 0
        if any(kp >= SUBURB_RATIO * pop and haversine_km(t.lat, t.lon, kla, klo) < SUBURB_KM for kp, kla, klo in kept):
            continue
        kept.append((pop, t.lat, t.lon))
        seen.update((key, t.id))
        capital = t.feature_code == "PPLC"
        kind = "capital" if capital else "city"
        out.append(ContextLabel(kind, t.name, label_min_zoom("city", population=t.population or 0, capital=capital),
                                (Candidate(round(t.lon, 4), round(t.lat, 4)),), float(t.population or 0)))
    return out


__all__ = ["ATTRIBUTION", "CONTEXT_PATH", "Candidate", "ContextLabel", "MapContext", "build_context", "label_min_zoom",
           "lean_context", "zoom_for_extent"]
