"""The legend (one key per status and actor, in the interactive map's order) and the credits."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mapper.model import ATTACKED, CONTESTED, CONTROLLED
from mapper.render.static.context import draw_text
from mapper.render.static.paint import (
    STYLE,
    UNKNOWN_COLOUR,
    DrawStyle,
    PlaceKind,
    actor_colour,
    plain_style,
    unit_style,
)
from mapper.render.static.shapes import draw_shape, rect_path
from mapper.timeline import DISPUTED, UNKNOWN

LEGEND_SIZE = 12
#: A key's swatch (design units): width, height, gap to its text; one legend row's height.
SWATCH_W, SWATCH_H, SWATCH_GAP = 22, 14, 6
ROW_H = 19


@dataclass(frozen=True)
class LegendKey:
    """One legend entry: a swatch of ``kind`` "unit" (a filled box), "ring" (approximate area) or
    "dot" (town marker) in ``style``, and its text."""

    kind: str
    style: DrawStyle
    text: str


def key_width(ctx, key: LegendKey) -> float:
    """Width of one legend entry, swatch and text, plus the gap before the next column."""
    return SWATCH_W + SWATCH_GAP + ctx.measure(key.text, LEGEND_SIZE)[0] + 14


def legend_items(state, drawn_kinds: set) -> list[LegendKey]:
    """The legend's keys, in the interactive map's order."""
    tl = state.timeline
    used = []
    for e in tl.entries:
        if e.actor and e.actor not in used:
            used.append(e.actor)
    order = {a.name: i for i, a in enumerate(tl.actors)}
    used.sort(key=lambda n: order.get(n, 1e9))
    from mapper.timeline import Assessment

    items = []
    place = PlaceKind("admin2", "unit")
    for name in used:
        items.append(
            LegendKey(
                "unit",
                unit_style(tl, Assessment(CONTROLLED, name, (name,)), place, False),
                f"Controlled by {name}",
            )
        )
    two = tuple(used[:2])
    items.append(
        LegendKey(
            "unit",
            unit_style(tl, Assessment(CONTESTED, "", two), place, False),
            "Contested (fighting reported)",
        )
    )
    items.append(
        LegendKey(
            "unit",
            unit_style(tl, Assessment(DISPUTED, "", two), place, False),
            "Disputed: claims disagree",
        )
    )
    items.append(
        LegendKey(
            "unit",
            unit_style(tl, Assessment(ATTACKED), place, False),
            "Attack reported (no change of control)",
        )
    )
    items.append(
        LegendKey("unit", unit_style(tl, Assessment(UNKNOWN), place, False), "No current claim")
    )
    if "approximate" in drawn_kinds:
        items.append(
            LegendKey(
                "ring",
                plain_style(STYLE.legend_style("approximate"), face="none"),
                "Approximate area",
            )
        )
    if "point" in drawn_kinds:
        colour = actor_colour(tl, used[0]) if used else UNKNOWN_COLOUR
        items.append(
            LegendKey(
                "dot",
                plain_style(STYLE.legend_style("town"), face=colour, face_alpha=1),
                "Circles: towns and cities",
            )
        )
    return items


def legend_layout(widths: list, available: float) -> list:
    """(x offset, row) of each legend item: the most columns that fit, filled row by row or column by column."""
    n = len(widths)
    for cols in range(min(n, 6), 1, -1):
        rows = math.ceil(n / cols)
        for order in ("rows", "columns"):
            cell = [
                (i // cols, i % cols) if order == "rows" else (i % rows, i // rows)
                for i in range(n)
            ]
            col_w = [
                max([widths[i] for i in range(n) if cell[i][1] == c] or [0]) for c in range(cols)
            ]
            if sum(col_w) <= available + 14 and all(w > 0 for w in col_w):
                spare = (available + 14 - sum(col_w)) / cols  # spread the room left over
                xs = [sum(col_w[:c]) + spare * c for c in range(cols)]
                return [(xs[c], r) for r, c in cell]
    return [(0.0, i) for i in range(n)]


def footer_text(state, version: str) -> list:
    """The footer lines: claim sources (at most 6 named), attribution, the caveat and the version."""
    parts = []
    sources = list(state.sources)
    if sources:
        shown = sources[:6]
        more = f" and {len(sources) - 6} more" if len(sources) > 6 else ""
        parts.append("Claims: " + "; ".join(shown) + more + ".")
    context = getattr(state, "context", None)  # the locator context credits its own sources
    attribution = list(dict.fromkeys(a for a in (*state.attribution, *(context.attribution if context else ())) if a))
    if attribution:
        parts.append(" \u00b7 ".join(attribution) + ".")
    parts.append(
        "Colours show what the claims say, not verified control. Made with conflictmap "
        f"{version}.".replace("  ", " ")
    )
    return parts


def draw_legend(page, keys: list, positions: list, left: float, top: float, ctx) -> None:
    """The legend under the maps: each key's swatch and text at its (x offset, row) from
    (``left``, ``top``)."""
    for i, key in enumerate(keys):
        cx_, r = positions[i]
        lx = left + cx_
        ly = top + r * ROW_H
        style = key.style
        if key.kind == "unit":
            draw_shape(page, rect_path(lx + 1, ly + 1, SWATCH_W - 2, SWATCH_H - 2), style, ctx, 5)
        elif key.kind == "ring":
            draw_shape(page, ("circle", (lx + SWATCH_W / 2, ly + SWATCH_H / 2), 6.5), style, ctx, 5)
        else:
            centre = (lx + SWATCH_W / 2, ly + SWATCH_H / 2)
            draw_shape(page, ("circle", centre, style.radius_u), style, ctx, 5)
        draw_text(
            page,
            lx + SWATCH_W + SWATCH_GAP,
            ly + SWATCH_H / 2,
            key.text,
            LEGEND_SIZE,
            ctx,
            va="center_baseline",
            ha="left",
        )
