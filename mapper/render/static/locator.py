"""The locator context of a static map: lakes and rivers under the data, context names over it.

The same context as the page (:class:`mapper.context.MapContext` in ``state.context``) with the
same style table (``style.json`` ``context``): the zoom thresholds apply at the zoom of the panel's
extent (:func:`mapper.context.zoom_for_extent`, one design unit per pixel). Names are placed after
the claims' labels and never overlap them, a town marker, the inset or the scale bar: an area's
name (country, sea, lake) at its candidate point deepest inside both the area and the panel, a
river's along it (turned with it), a town's beside its dot. This is the page's placement
(``conflictmap.js`` ``placeContext``) in Python: both read their candidates from the same
context and their rules from the same table.
"""

from __future__ import annotations

import math

from mapper.context import zoom_for_extent
from mapper.render.static.context import DrawContext, draw_text
from mapper.render.static.paint import STYLE, plain_style
from mapper.render.static.projection import MapView, lonlat_to_merc, merc_to_lat
from mapper.render.static.shapes import draw_shape, geom_path
from mapper.render.style import PathStyle

#: Lakes and rivers: over the land fills (z 1), under the admin-1 lines (z 2).
WATER_Z = 1.5
#: Gap (design units) kept around every context name.
CLEARANCE_U = 2.0


def _table() -> dict:
    return STYLE.data["context"]


def draw_water(ax, state, view: MapView, ctx: DrawContext) -> None:
    """The context's lakes (filled with the water colour) and rivers, cut to the view."""
    context = getattr(state, "context", None)
    if context is None:
        return
    t = _table()
    lake, river = PathStyle.from_options(t["lake"]), PathStyle.from_options(t["river"])
    for _name, g in context.lakes:
        pg = view.prepare(g)
        path = geom_path(pg) if pg is not None and not pg.is_empty else None
        if path is not None:
            draw_shape(ax, path, plain_style(lake), ctx, WATER_Z)
    for _name, g in context.rivers:
        pg = view.prepare(g)
        path = geom_path(pg) if pg is not None and not pg.is_empty else None
        if path is not None:
            draw_shape(ax, path, plain_style(river, face="none"), ctx, WATER_Z)


def _overlaps(r, boxes) -> bool:
    return any(r[0] < b[2] and r[2] > b[0] and r[1] < b[3] and r[3] > b[1] for b in boxes)


def _towns_in_view(labels, view: MapView, inner, count: int) -> set:
    """ids of the first ``count`` town labels (most populous first) whose point is inside the panel:
    they show whatever their population tier (style.json ``context.view_towns``, as on the page)."""
    out = set()
    for lab in labels:
        if len(out) >= count:
            break
        if lab.kind != "city":
            continue
        c = lab.candidates[0]
        px, py = view.to_u(*lonlat_to_merc(c.lon, c.lat))
        if inner[0] <= px <= inner[2] and inner[1] <= py <= inner[3]:
            out.add(id(lab))
    return out


def place_context_labels(page, state, view: MapView, taken: list, ctx: DrawContext) -> list:
    """Draw the context names that fit on one panel; returns ``(kind, name, box)`` of each drawn.

    ``taken`` are design-unit boxes ``(x0, y0, x1, y1)`` to keep clear: the claims' labels, town
    markers, inset and scale bar.
    """
    context = getattr(state, "context", None)
    if context is None:
        return []
    t = _table()
    x0, y0, x1, y1 = view.extent
    west, east = math.degrees(x0 / 6378137.0), math.degrees(x1 / 6378137.0)
    mx, my, mw, mh = view.rect
    zoom = zoom_for_extent(west, east, mw)
    u_per_deg = mw / (east - west)
    inner = (mx + 2, my + 2, mx + mw - 2, my + mh - 2)
    centre = (mx + mw / 2, my + mh / 2)
    occupied = [tuple(b) for b in taken]
    drawn = []
    always = _towns_in_view(context.labels, view, inner, t["view_towns"])
    for lab in context.labels:
        if (lab.min_zoom > zoom + 1e-6 and id(lab) not in always) or len(drawn) >= t["max_labels"]:
            continue
        text = t["text"].get(lab.kind, t["text"]["city"])
        name = lab.name.upper() if text["upper"] else lab.name
        size = text["size"]
        w, h = ctx.measure(name, size, text["weight"] >= 600)
        w += len(name) * text["spacing"] * size
        point = lab.kind in ("city", "capital")
        dot = text.get("dot", 0)
        tries = []
        for c in lab.candidates:
            px, py = view.to_u(*lonlat_to_merc(c.lon, c.lat))
            if not (inner[0] <= px <= inner[2] and inner[1] <= py <= inner[3]):
                continue
            if point:
                tries.append((0, (px - dot, py - h / 2, px + dot + 3 + w, py + h / 2), (px + dot + 3, py, "left", 0), (px, py)))
                tries.append((-1, (px - w - 3 - dot, py - h / 2, px + dot, py + h / 2), (px - dot - 3, py, "right", 0), (px, py)))
            elif lab.kind == "river":
                a = math.radians(c.angle)
                bw, bh = abs(w * math.cos(a)) + abs(h * math.sin(a)), abs(w * math.sin(a)) + abs(h * math.cos(a))
                score = -math.hypot(px - centre[0], py - centre[1])
                tries.append((score, (px - bw / 2, py - bh / 2, px + bw / 2, py + bh / 2), (px, py, "center", -c.angle), None))
            else:
                depth = c.depth * u_per_deg
                if depth < max(t["min_score_px"], h / 2):
                    continue
                score = min(depth, px - inner[0], inner[2] - px, py - inner[1], inner[3] - py)
                score -= 1e-3 * math.hypot(px - centre[0], py - centre[1])
                tries.append((score, (px - w / 2, py - h / 2, px + w / 2, py + h / 2), (px, py, "center", 0), None))
        tries.sort(key=lambda x: -x[0])
        for _score, box, (tx, ty, ha, rot), dot_at in tries[:40]:
            if box[0] < inner[0] or box[1] < inner[1] or box[2] > inner[2] or box[3] > inner[3]:
                continue
            if _overlaps(box, occupied):
                continue
            if dot_at is not None:
                from matplotlib.patches import Circle

                d = t["dot"]
                page.add_patch(Circle(dot_at, dot, facecolor=d["fillColor"], edgecolor=d["color"],
                                      linewidth=ctx.lw(d["weight"]), zorder=5))
            draw_text(page, tx, ty, name, size, ctx, ha=ha, va="center", rotation=rot, rotation_mode="anchor",
                      color=text["colour"], style="italic" if text["italic"] else "normal",
                      weight="bold" if text["weight"] >= 600 else "normal", zorder=5)
            occupied.append((box[0] - CLEARANCE_U, box[1] - CLEARANCE_U, box[2] + CLEARANCE_U, box[3] + CLEARANCE_U))
            drawn.append((lab.kind, lab.name, box))
            break
    return drawn


__all__ = ["WATER_Z", "draw_water", "place_context_labels", "merc_to_lat"]
