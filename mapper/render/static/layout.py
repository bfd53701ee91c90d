"""The page layout in design units: sizes, margins, the panels' frames and the map's extent."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from mapper.render.static.projection import lonlat_to_merc

#: Design width (u) of a single map, and of each panel of small multiples.
DESIGN_WIDTH = 600
PANEL_DESIGN_WIDTH = 300
#: Default output width in pixels = design width x this factor (1200 px for one map).
DEFAULT_PIXEL_FACTOR = 2
MARGIN = 14
TITLE_SIZE = 18
SUBTITLE_SIZE = 13
ASOF_SIZE = 13
PANEL_TITLE_SIZE = 12
FOOTER_SIZE = 12
PANEL_GAP = 12
PAD_U = 30  # padding around the data, as the interactive map's fitBounds padding
MIN_ASPECT, MAX_ASPECT = 0.55, 1.25  # map height / width
#: Metres per pixel at Leaflet zoom 9 (its maxZoom when fitting bounds): the smallest extent shown.
MIN_METRES_PER_U = 305.75


@dataclass
class Panel:
    t: datetime
    rect: tuple  # (x, y, w, h) in design units (y down)
    extent: tuple  # projected (x0, y0, x1, y1)

    @property
    def rect_box(self) -> tuple:
        x, y, w, h = self.rect
        return (x, y, x + w, y + h)


def extent_for(state, keys, bbox, box_aspect: float | None, map_w_u: float) -> tuple:
    """Projected extent (x0, y0, x1, y1) and map aspect (h/w) for the data or a given lon/lat bbox."""
    xs, ys = [], []
    if bbox is not None:
        for lon, lat in ((bbox[0], bbox[1]), (bbox[2], bbox[3])):
            x, y = lonlat_to_merc(lon, lat)
            xs.append(x)
            ys.append(y)
        pad_u = 0
    else:
        for k in keys:
            p = state.timeline.places[k]
            if p.geometry is not None and not p.geometry.is_empty:
                x0, y0, x1, y1 = p.geometry.bounds
                for lon, lat in ((x0, y0), (x1, y1)):
                    x, y = lonlat_to_merc(lon, lat)
                    xs.append(x)
                    ys.append(y)
            elif p.lat is not None and p.lon is not None:
                x, y = lonlat_to_merc(p.lon, p.lat)
                r = (
                    (p.radius_m or 0) / max(0.05, math.cos(math.radians(p.lat)))
                    if p.drawn_as == "approximate"
                    else 0
                )
                xs += [x - r, x + r]
                ys += [y - r, y + r]
        pad_u = PAD_U
    if not xs:  # nothing to draw: the basemap, else a default view of Afghanistan (as the HTML map)
        geoms = [g for _, _, g in state.basemap if g is not None]
        if geoms:
            for g in geoms:
                x0, y0, x1, y1 = g.bounds
                for lon, lat in ((x0, y0), (x1, y1)):
                    x, y = lonlat_to_merc(lon, lat)
                    xs.append(x)
                    ys.append(y)
        else:
            for lon, lat in ((60.5, 29.4), (75.0, 38.5)):
                x, y = lonlat_to_merc(lon, lat)
                xs.append(x)
                ys.append(y)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    min_span = MIN_METRES_PER_U * map_w_u
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    if w < min_span and h < min_span * (box_aspect or 1.0):
        f = min_span / w
        w, h = w * f, h * f
        w, h = max(w, min_span), max(h, 1.0)
    # Padding (the interactive map fits bounds with 30 px padding).
    usable = max(map_w_u - 2 * pad_u, map_w_u * 0.5)
    w = w * map_w_u / usable
    h = h * map_w_u / usable
    aspect = box_aspect if box_aspect is not None else min(MAX_ASPECT, max(MIN_ASPECT, h / w))
    if h / w > aspect:
        w = h / aspect
    else:
        h = w * aspect
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), aspect


def offset_text(offset: int) -> str:
    if not offset:
        return ""
    a = abs(offset)
    return f"; local times at UTC{'-' if offset < 0 else '+'}{a // 60:02d}:{a % 60:02d}"
