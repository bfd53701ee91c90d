"""The km scale bar, true at the latitude of the map's centre."""

from __future__ import annotations

import math

from mapper.render.static.context import DrawContext, draw_text
from mapper.render.static.layout import Panel
from mapper.render.static.projection import merc_to_lat

SCALE_SIZE = 12


def nice_km(max_km: float) -> float:
    """The largest 1, 2 or 5 x 10^n km not above ``max_km`` (1.0 when ``max_km`` <= 0)."""
    if max_km <= 0:
        return 1.0
    exp = math.floor(math.log10(max_km))
    for m in (5, 2, 1):
        v = m * 10**exp
        if v <= max_km:
            return v
    return 10**exp


def draw_scalebar(page, panel: Panel, ctx: DrawContext, side: str) -> tuple:
    """A km scale bar at the bottom of the panel, true at the latitude of the map's centre.

    Returns (its box, km, length in design units).
    """
    from matplotlib.patches import Rectangle

    mx, my, mw, mh = panel.rect
    x0, y0, x1, y1 = panel.extent
    lat = merc_to_lat((y0 + y1) / 2)
    metres_per_u = (x1 - x0) / mw * math.cos(math.radians(lat))
    max_u = min(120.0, mw * 0.3)
    km = nice_km(max_u * metres_per_u / 1000)
    length = km * 1000 / metres_per_u
    label = f"{km:g} km"
    lw_, lh = ctx.measure(label, SCALE_SIZE)
    bx = mx + 10 if side == "left" else mx + mw - 10 - length - lw_ - 6
    by = my + mh - 12
    page.add_patch(
        Rectangle(
            (bx - 4, by - 10),
            length + lw_ + 14,
            17,
            facecolor=(1, 1, 1, 0.8),
            edgecolor="none",
            zorder=20,
        )
    )
    half = length / 2
    page.add_patch(
        Rectangle(
            (bx, by - 1),
            half,
            4,
            facecolor="#222222",
            edgecolor="#222222",
            linewidth=ctx.lw(0.8),
            zorder=21,
        )
    )
    page.add_patch(
        Rectangle(
            (bx + half, by - 1),
            half,
            4,
            facecolor="#ffffff",
            edgecolor="#222222",
            linewidth=ctx.lw(0.8),
            zorder=21,
        )
    )
    draw_text(page, bx + length + 5, by + 1, label, SCALE_SIZE, ctx, va="center", ha="left", zorder=22)
    return (bx - 4, by - 10, bx + length + lw_ + 10, by + 7), km, length
