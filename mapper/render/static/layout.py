"""The page layout in design units: sizes, margins, the panels' frames and the map's extent."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from mapper.render.static.insets import (
    HEADER_INSET_MAX_H,
    INSET_MAX_COVER,
    InsetSpec,
    choose_corner,
    data_weights,
    locator_region,
)
from mapper.render.static.legend import ROW_H, footer_text, key_width, legend_items, legend_layout
from mapper.render.static.paint import INK, MUTED_TEXT
from mapper.render.static.projection import LonLatBox, lonlat_to_merc
from mapper.timelabels import format_local, format_utc

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


@dataclass(frozen=True)
class Panel:
    """One map on the page: the instant it shows, its frame and its projected extent."""

    t: datetime
    rect: tuple  # (x, y, w, h) in design units (y down)
    extent: tuple  # projected (x0, y0, x1, y1)

    @property
    def rect_box(self) -> tuple:
        """The panel's rect as a box (x0, y0, x1, y1) in design units."""
        x, y, w, h = self.rect
        return (x, y, x + w, y + h)


def extent_for(
    state, keys, bbox: LonLatBox | None, box_aspect: float | None, map_w_u: float
) -> tuple:
    """Projected extent (x0, y0, x1, y1) and map aspect (h/w) for the data or a lon/lat box."""
    xs, ys = [], []
    if bbox is not None:
        for lon, lat in bbox.corners_lonlat:
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
    """"; local times at UTC+hh:mm" for a UTC offset in minutes, or "" for UTC."""
    if not offset:
        return ""
    a = abs(offset)
    return f"; local times at UTC{'-' if offset < 0 else '+'}{a // 60:02d}:{a % 60:02d}"


# ----------------------------------------------------------------------------------- the page
@dataclass(frozen=True)
class TextLine:
    """One line of page text (header or credits) at (x, y), design units, top left."""

    x: float
    y: float
    text: str
    size: float
    bold: bool = False
    colour: str = INK


@dataclass(frozen=True)
class PageLayout:
    """Where everything goes on the page, in design units (y down) before anything is drawn."""

    width_u: float  # the page's design width (one unit per pixel at DESIGN_WIDTH px)
    height_px: int  # the image's height in pixels
    header: tuple  # TextLine: title, subtitle, "as of"
    panels: tuple  # Panel per map
    inset: InsetSpec
    legend: tuple  # LegendKey
    legend_positions: tuple  # (x offset, row) per key
    legend_top: float
    footer: tuple  # TextLine: sources, attribution, disclaimer
    keys: tuple  # the places drawn
    extent: tuple  # projected (x0, y0, x1, y1) of every panel


def page_width_u(n: int) -> float:
    """Design width of a page of ``n`` maps side by side."""
    if n == 1:
        return DESIGN_WIDTH
    return max(DESIGN_WIDTH, n * PANEL_DESIGN_WIDTH + (n - 1) * PANEL_GAP + 2 * MARGIN)


def layout_page(state, when: list, ctx, *, title: str, subtitle: str, extent, offset: int,
                version: str) -> PageLayout:
    """Lay out header, maps (one per instant of ``when``), locator inset, legend and credits.

    ``extent`` is the :class:`LonLatBox` to show, or None for the data's bounds. The page is
    ``ctx.W`` design units wide; its height follows from the content.
    """
    tl = state.timeline
    n = len(when)
    W = ctx.W
    inner = W - 2 * MARGIN
    panel_w = (inner - (n - 1) * PANEL_GAP) / n
    keys = list(state.keys) or [k for k in tl.places if tl.claims_for(k)]
    ext, aspect = extent_for(state, keys, extent, None, panel_w)
    map_h = panel_w * aspect
    inset_w, inset_h, region, corner, in_header = _inset_place(state, keys, ext, panel_w, map_h)
    text_w = inner - (inset_w + 12 if in_header else 0)
    header, y = _header_lines(ctx, when, title, subtitle, offset, text_w)
    if in_header:
        if inset_h > HEADER_INSET_MAX_H:
            inset_w, inset_h = inset_w * HEADER_INSET_MAX_H / inset_h, HEADER_INSET_MAX_H
        inset = InsetSpec(region, rect=(W - MARGIN - inset_w, MARGIN, inset_w, inset_h))
        y = max(y, MARGIN + inset_h + 4)
    else:
        inset = InsetSpec(region, corner=corner, size=(inset_w, inset_h))
    y += 6
    panel_head = (PANEL_TITLE_SIZE * 1.25 * (2 if offset else 1) + 4) if n > 1 else 0
    panels = []
    for i, t in enumerate(when):
        px = MARGIN + i * (panel_w + PANEL_GAP)
        panels.append(Panel(t, (px, y + panel_head, panel_w, map_h), ext))
    y += panel_head + map_h + 10

    legend = legend_items(state, {tl.places[k].drawn_as for k in keys})
    positions = legend_layout([key_width(ctx, key) for key in legend], inner)
    rows = max(r for _, r in positions) + 1
    legend_top = y
    y += rows * ROW_H + 6
    footer = []
    for part in footer_text(state, version):
        for line in ctx.wrap(part, FOOTER_SIZE, inner):
            footer.append(TextLine(MARGIN, y, line, FOOTER_SIZE, colour=MUTED_TEXT))
            y += FOOTER_SIZE * 1.3
    H = y + MARGIN - 4
    return PageLayout(
        width_u=W,
        height_px=int(round(H * ctx.s)),
        header=tuple(header),
        panels=tuple(panels),
        inset=inset,
        legend=tuple(legend),
        legend_positions=tuple(positions),
        legend_top=legend_top,
        footer=tuple(footer),
        keys=tuple(keys),
        extent=ext,
    )


def _inset_place(state, keys, ext, panel_w: float, map_h: float) -> tuple:
    """Size of the locator inset, the region it shows, the map corner that hides the least data,
    and whether that still hides too much (then the inset goes beside the title)."""
    inset_w = max(84.0, min(150.0, panel_w * 0.26))
    region, inset_aspect = locator_region(ext)
    inset_h = inset_w * inset_aspect
    if inset_h > map_h * 0.45:
        inset_h = map_h * 0.45
        inset_w = inset_h / inset_aspect
    per_u = (ext[2] - ext[0]) / panel_w
    corner, covered = choose_corner(
        ext, data_weights(state, keys, per_u), inset_w / panel_w, inset_h / map_h
    )
    return inset_w, inset_h, region, corner, covered > INSET_MAX_COVER


def _header_lines(ctx, when: list, title: str, subtitle: str, offset: int, text_w: float) -> tuple:
    """Title, subtitle and the "Status as of" line (UTC, local time) wrapped to ``text_w``;
    returns (TextLines, y below them)."""
    n = len(when)
    y = MARGIN
    header = []
    for line in ctx.wrap(title, TITLE_SIZE, text_w, bold=True):
        header.append(TextLine(MARGIN, y, line, TITLE_SIZE, True, INK))
        y += TITLE_SIZE * 1.25
    if subtitle:
        for line in ctx.wrap(subtitle, SUBTITLE_SIZE, text_w):
            header.append(TextLine(MARGIN, y, line, SUBTITLE_SIZE, False, MUTED_TEXT))
            y += SUBTITLE_SIZE * 1.3
    if n == 1 and when[0] is not None:
        lead = "Status as of"
        space = ASOF_SIZE * 0.32
        date = format_utc(when[0])
        local = format_local(when[0], offset)
        header.append(TextLine(MARGIN, y + 2, lead, ASOF_SIZE, False, INK))
        lx = MARGIN + ctx.measure(lead, ASOF_SIZE)[0] + space
        header.append(TextLine(lx, y + 2, date, ASOF_SIZE, True, INK))
        if local:
            lx2 = lx + ctx.measure(date, ASOF_SIZE, True)[0] + space
            rest = f"({local})"
            if lx2 + ctx.measure(rest, ASOF_SIZE)[0] > MARGIN + text_w:
                y += ASOF_SIZE * 1.3
                lx2 = MARGIN
            header.append(TextLine(lx2, y + 2, rest, ASOF_SIZE, False, MUTED_TEXT))
        y += ASOF_SIZE * 1.3 + 2
    elif n > 1:
        header.append(
            TextLine(MARGIN, y + 2, f"Status at {n} times (UTC{offset_text(offset)})", ASOF_SIZE,
                     False, INK)
        )
        y += ASOF_SIZE * 1.3 + 2
    return header, y
