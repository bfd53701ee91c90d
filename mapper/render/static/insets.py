"""The locator inset: the region it shows, where it goes (the corner hiding least data); drawing."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from mapper.render.static.context import framed_axes
from mapper.render.static.paint import STYLE, plain_style
from mapper.render.static.projection import (
    EARTH_RADIUS,
    lonlat_to_merc,
    merc_to_lat,
    project_geometry,
)
from mapper.render.static.shapes import draw_shape, geom_path

log = logging.getLogger(__name__)


#: Above this (weighted) share of its area over drawn data, the locator moves beside the title.
INSET_MAX_COVER = 0.12
HEADER_INSET_MAX_H = 80


@dataclass(frozen=True)
class InsetSpec:
    """Where the locator inset goes and what it shows.

    Either ``rect`` ``(x, y, w, h)`` on the page (beside the title), or ``corner`` of the first
    map ("top-right", ...) and ``size`` ``(w, h)`` (design units). ``region`` is the projected
    ``(x0, y0, x1, y1)`` it shows.
    """

    region: tuple
    rect: tuple | None = None
    corner: str = ""
    size: tuple = ()


def data_weights(state, keys, per_u: float) -> list:
    """(projected geometry, weight) of what the map draws: an inset should not hide it."""
    from shapely.errors import ShapelyError
    from shapely.geometry import Point

    out = []
    for k in keys:
        p = state.timeline.places[k]
        try:
            if p.drawn_as == "unit" and p.geometry is not None and not p.geometry.is_empty:
                if p.kind != "country":  # a country claim is drawn as an outline only
                    out.append((project_geometry(p.geometry), 1.0))
            elif p.lat is not None and p.lon is not None:
                cx, cy = lonlat_to_merc(p.lon, p.lat)
                if p.drawn_as in ("approximate", "unit"):
                    r = (p.radius_m or 5000.0) / max(0.05, math.cos(math.radians(p.lat)))
                    out.append((Point(cx, cy).buffer(r, 16), 1.0))
                else:  # a town and its label
                    out.append((Point(cx, cy).buffer(per_u * 20, 8), 3.0))
        except ShapelyError as err:  # GEOSException on an invalid geometry: not an obstacle
            log.debug("no weight for %s: %s", k, err)
    return out


def choose_corner(panel_extent, geoms_proj, frac_w, frac_h) -> tuple:
    """The map corner where an inset of that size covers the least drawn data (top-right preferred).

    Returns (corner, share of the inset's area over drawn data, weighted).
    """
    from shapely.errors import ShapelyError
    from shapely.geometry import box as sbox

    x0, y0, x1, y1 = panel_extent
    w, h = (x1 - x0) * frac_w, (y1 - y0) * frac_h
    corners = {
        "top-right": sbox(x1 - w, y1 - h, x1, y1),
        "top-left": sbox(x0, y1 - h, x0 + w, y1),
        "bottom-right": sbox(x1 - w, y0, x1, y0 + h),
        "bottom-left": sbox(x0, y0, x0 + w, y0 + h),
    }
    best, best_cost = "top-right", None
    for name, b in corners.items():
        cost = 0.0
        for g, weight in geoms_proj:
            try:
                if g.intersects(b):
                    cost += weight * (
                        g.intersection(b).area if g.area > 0 else (x1 - x0) * (y1 - y0) * 0.01
                    )
            except ShapelyError:  # GEOSException on an invalid polygon: it must not break the layout
                continue
        if best_cost is None or cost < best_cost - 1e-9:
            best, best_cost = name, cost
    return best, (best_cost or 0.0) / max(w * h, 1e-9)


def locator_region(extent) -> tuple:
    """Projected region around the extent for the locator inset, and its aspect (h/w)."""
    x0, y0, x1, y1 = extent
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    lat = merc_to_lat(cy)
    # At least ~35 degrees of longitude, or 5x the map: enough to show the neighbours.
    min_w = math.radians(35) * EARTH_RADIUS
    w = max((x1 - x0) * 5, min_w)
    h = w * 0.72
    y_top = lonlat_to_merc(0, 84)[1]
    y_bot = lonlat_to_merc(0, -84)[1]
    ry0, ry1 = max(y_bot, cy - h / 2), min(y_top, cy + h / 2)
    del lat
    return (cx - w / 2, ry0, cx + w / 2, ry1), (ry1 - ry0) / w


def draw_locator(fig, add_axes, state, region, extent, rect, ctx):
    """Small map of the region (country outlines) with the map's extent outlined."""
    from matplotlib.patches import Rectangle
    from shapely.errors import ShapelyError

    from mapper.placing import GAZETTEER_READ_ERRORS

    rx0, ry0, rx1, ry1 = region
    lon0, lon1 = math.degrees(rx0 / EARTH_RADIUS), math.degrees(rx1 / EARTH_RADIUS)
    lat0, lat1 = merc_to_lat(ry0), merc_to_lat(ry1)
    outlines = []
    gz = getattr(state, "gazetteer", None)
    if gz is not None:
        try:
            outlines = [
                (p.name, g)
                for p, g in gz.outlines((lon0, lat0, lon1, lat1), kinds=("country",))
                if g is not None
            ]
        except (*GAZETTEER_READ_ERRORS, ShapelyError) as err:  # the inset is context: frame only
            log.debug("no outlines for the locator: %s", err)
    if not outlines:
        outlines = [
            (name, g) for name, kind, g in state.basemap if kind == "country" and g is not None
        ]
    x, y, w, h = rect
    ax = framed_axes(add_axes, rect, (rx0, ry0, rx1, ry1), ctx, edge="#555555")
    ax.set_zorder(30)
    tol = (rx1 - rx0) / w * 0.6
    from shapely.geometry import box as sbox

    view = sbox(rx0, ry0, rx1, ry1)
    for _, g in outlines:
        try:
            pg = project_geometry(g)
            if not pg.intersects(view):
                continue
            pg = pg.simplify(tol, preserve_topology=True)
        except ShapelyError:  # GEOSException on an invalid outline: left out of the inset
            continue
        path = geom_path(pg)
        if path is not None:
            draw_shape(
                ax, path, plain_style(STYLE.basemap_style("country"), face_alpha=1, width_u=0.6), ctx, 1
            )
    ex0, ey0, ex1, ey1 = extent
    per_u = (rx1 - rx0) / w
    min_size = 5 * per_u  # a tiny extent is still visible as a small square
    cx, cy = (ex0 + ex1) / 2, (ey0 + ey1) / 2
    ew, eh = max(ex1 - ex0, min_size), max(ey1 - ey0, min_size)
    # The extent box: a black frame over a wider white halo, readable on any fill.
    for colour, width, z in (("#ffffff", 3.2, 5), ("#000000", 1.6, 6)):
        ax.add_patch(
            Rectangle((cx - ew / 2, cy - eh / 2), ew, eh, facecolor="none", edgecolor=colour,
                      linewidth=ctx.lw(width), zorder=z)
        )
    return ax
