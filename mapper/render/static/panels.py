"""Map panels: the instants of small multiples, and drawing one panel of the page."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from mapper.render.static.basemap import DATA_Z, draw_basemap
from mapper.render.static.context import DrawContext, draw_text, framed_axes
from mapper.render.static.insets import InsetSpec, draw_locator
from mapper.render.static.labels import DrawnShape, LabelsResult, place_labels
from mapper.render.static.layout import PANEL_TITLE_SIZE, Panel
from mapper.render.static.locator import place_context_labels
from mapper.render.static.paint import (
    MUTED_TEXT,
    DrawStyle,
    PlaceKind,
    marker_radius_u,
    point_style,
    unit_style,
)
from mapper.render.static.projection import MapView, lonlat_to_merc, project_geometry
from mapper.render.static.scalebar import draw_scalebar
from mapper.render.static.shapes import draw_shape, geom_path
from mapper.timelabels import format_local, format_utc
from mapper.timeline import UNKNOWN, Assessment, _aware

#: Time steps examined when choosing small-multiple panels (more are sampled evenly).
MAX_PANEL_CANDIDATES = 400


def panel_times(
    timeline, n: int, *, end: datetime | None = None, start: datetime | None = None
) -> list:
    """Up to ``n`` instants for small multiples, from the first claim to ``end``, each a different state.

    ``end`` (default: the latest claim start, where the maps open) is always
    the last panel. The others are the moments where the mapped state changes
    (the assessment of some place differs from the step before), spread
    evenly over the range when there are more such moments than panels. When
    the claims only ever show fewer than ``n`` different states, fewer panels
    are returned: two identical maps side by side would tell the reader nothing.

    Examples
    --------
    >>> from mapper.timeline import Timeline
    >>> panel_times(Timeline([], {}), 3)
    []
    """
    if n < 1:
        raise ValueError(f"panels must be at least 1, got {n}")
    end = _aware(end) if end else timeline.default_time()
    start = _aware(start) if start else min((e.start for e in timeline.entries), default=None)
    if end is None or start is None:
        return []
    if start > end:
        start = end
    steps = [t for t in timeline.steps(start, end) if t <= end]
    if n == 1 or not steps:
        return [end]
    if len(steps) > MAX_PANEL_CANDIDATES:  # long timelines: sample the steps evenly
        k = len(steps) / MAX_PANEL_CANDIDATES
        steps = sorted({steps[int(i * k)] for i in range(MAX_PANEL_CANDIDATES)} | {steps[-1]})
    keys = [k for k in timeline.places if timeline.claims_for(k)]

    def signature(t):
        return tuple((a.status, a.actor) for a in (timeline.state_at(k, t) for k in keys))

    end_sig = signature(end)
    changes, previous = [], None
    for t in steps:
        sig = signature(t)
        if sig != previous and sig != end_sig:
            changes.append((t, sig))
        previous = sig
    # Keep one moment per state run; a state equal to the end's is shown by the last panel.
    distinct = []
    for t, sig in changes:
        if not distinct or distinct[-1][1] != sig:
            distinct.append((t, sig))
    moments = [t for t, _ in distinct]
    if len(moments) > n - 1:
        if n == 2:
            moments = [moments[0]]
        else:
            idx = sorted({round(i * (len(moments) - 1) / (n - 2)) for i in range(n - 1)})
            moments = [moments[i] for i in idx]
    return sorted(set(moments) | {end})


@dataclass(frozen=True)
class PanelResult:
    """What one panel drew, in design units (the report turns them into pixels)."""

    labels: LabelsResult
    anchors: dict  # place key -> (x, y), a point inside each drawn place
    markers: dict  # place name -> town marker radius in projected metres
    scalebar: tuple | None  # (km, bar length) when this panel has the scale bar


@dataclass(frozen=True)
class _DrawnPlaces:
    shapes: dict  # place key -> DrawnShape, in drawing order
    markers: list  # (place key, box) of each town marker: label obstacles
    marker_radii: dict  # place name -> marker radius in projected metres


#: Drawing (and z) order of admin levels: a country under its provinces, under their districts.
KIND_ORDER = {"country": 0, "admin1": 1, "admin2": 2, "admin3": 3}
#: z-orders on a panel's map axes above the basemap: approximate areas, town markers.
AREA_Z = 4
TOWN_Z = 6


def draw_panel(
    fig,
    page,
    add_axes,
    state,
    panel: Panel,
    ctx: DrawContext,
    n: int,
    offset: int,
    index: int,
    labels: bool,
    inset: InsetSpec,
) -> PanelResult:
    """Draw one map panel: title (small multiples), basemap, places, locator and scale bar
    (first panel only: small multiples share one extent), labels."""
    tl = state.timeline
    view = MapView(panel.extent, panel.rect)
    if n > 1 and panel.t is not None:
        _draw_panel_title(page, panel, offset, ctx)
    ax = _map_axes(add_axes, view, ctx)
    draw_basemap(ax, state, view, ctx)

    t = panel.t
    keys = list(state.keys) or [k for k in tl.places if tl.claims_for(k)]
    states = {k: (tl.state_at(k, t) if t is not None else Assessment(UNKNOWN)) for k in keys}
    keys.sort(key=lambda k: (KIND_ORDER.get(tl.places[k].kind, 9), tl.places[k].name))
    drawn = _draw_places(ax, state, view, keys, states, ctx)

    obstacles, scalebar = [], None
    if index == 0:
        obstacles, scalebar = _draw_locator_and_scalebar(
            fig, page, add_axes, state, panel, inset, ctx
        )
    anchors = _anchors(drawn.shapes, view)
    placed = place_labels(
        page, state, view, keys, states, drawn.shapes, drawn.markers, obstacles, ctx, labels
    )
    # The locator context's names, after the claims' labels: they never cover a label or a marker.
    place_context_labels(
        page, state, view,
        [p.box for p in placed.placed] + [box for _k, box in drawn.markers] + [tuple(o) for o in obstacles],
        ctx,
    )
    return PanelResult(placed, anchors, drawn.marker_radii, scalebar[1:] if scalebar else None)


def _draw_panel_title(page, panel: Panel, offset: int, ctx: DrawContext) -> None:
    """The panel's instant above it: UTC, and local time on a second line when an offset is set."""
    mx, my, _, _ = panel.rect
    draw_text(
        page,
        mx,
        my - 4,
        format_utc(panel.t),
        PANEL_TITLE_SIZE,
        ctx,
        va="bottom",
        ha="left",
        weight="bold",
    )
    local = format_local(panel.t, offset)
    if local:
        # Two lines: UTC above, local below; shift the UTC line up.
        page.texts[-1].set_y(my - 4 - PANEL_TITLE_SIZE * 1.25)
        draw_text(
            page,
            mx,
            my - 4,
            f"({local})",
            PANEL_TITLE_SIZE,
            ctx,
            va="bottom",
            ha="left",
            color=MUTED_TEXT,
        )


def _map_axes(add_axes, view: MapView, ctx: DrawContext):
    """The panel's map axes: the projected extent, no ticks, the map background and a grey frame."""
    return framed_axes(add_axes, view.rect, view.extent, ctx, edge="#9a9a9a")


def _draw_places(
    ax, state, view: MapView, keys: list, states: dict, ctx: DrawContext
) -> _DrawnPlaces:
    """Each place as its unit (polygon), approximate area (circle) or town marker, in order."""
    tl = state.timeline
    drawn = _DrawnPlaces({}, [], {})
    for k in keys:
        p = tl.places[k]
        a = states[k]
        kids = tl.children.get(k, ())
        outline_only = bool(kids) and any(
            states.get(c) is not None and states[c].status != UNKNOWN for c in kids
        )
        if p.drawn_as == "unit" and p.geometry is not None and not p.geometry.is_empty:
            pg = view.prepare(p.geometry)
            if pg is None or pg.is_empty:
                continue
            path = geom_path(pg)
            if path is None:
                continue
            z = DATA_Z + KIND_ORDER.get(p.kind, 4) * 0.1
            draw_shape(ax, path, unit_style(tl, a, p, outline_only), ctx, z)
            drawn.shapes[k] = DrawnShape("unit", pg, None)
        elif p.lat is not None and p.lon is not None:
            if p.drawn_as in ("approximate", "unit"):
                _draw_area(ax, tl, k, a, ctx, drawn)
            else:
                _draw_town(ax, state, view, k, a, ctx, drawn)
    return drawn


def _draw_area(ax, tl, key, a, ctx: DrawContext, drawn: _DrawnPlaces) -> None:
    """An approximate place: a circle of its radius (5 km when unknown) around its point."""
    from shapely.geometry import Point

    p = tl.places[key]
    cx, cy = lonlat_to_merc(p.lon, p.lat)
    r = (p.radius_m or 5000.0) / max(0.05, math.cos(math.radians(p.lat)))
    draw_shape(
        ax,
        ("circle", (cx, cy), r),
        unit_style(tl, a, PlaceKind(p.kind, "approximate"), False),
        ctx,
        AREA_Z,
    )
    drawn.shapes[key] = DrawnShape("circle", Point(cx, cy).buffer(r, 16), r)


def _draw_town(ax, state, view: MapView, key, a, ctx: DrawContext, drawn: _DrawnPlaces) -> None:
    """A town marker, shrunk on maps of wide areas so it never hides the unit around it."""
    tl = state.timeline
    p = tl.places[key]
    per_u = view.per_u
    cx, cy = lonlat_to_merc(p.lon, p.lat)
    st = point_style(tl, a)
    radius = marker_radius_u(
        st.radius_u, view.ground_km(), per_u,
        _enclosing_area(state, drawn.shapes, (p.lon, p.lat), (cx, cy), key),
    )
    st = DrawStyle(**{**st.__dict__, "radius_u": radius})
    draw_shape(ax, ("circle", (cx, cy), radius * per_u), st, ctx, TOWN_Z)
    drawn.shapes[key] = DrawnShape("point", (cx, cy), radius)
    drawn.marker_radii[p.name] = radius * per_u
    ux, uy = view.to_u(cx, cy)
    rr = st.radius_u + st.width_u
    drawn.markers.append((key, (ux - rr, uy - rr, ux + rr, uy + rr)))


def _enclosing_area(state, shapes: dict, lonlat, xy, key):
    """Projected area of the smallest drawn unit or basemap province around a point, or None."""
    from shapely.errors import ShapelyError
    from shapely.geometry import Point

    tl = state.timeline
    best = None
    pt_m, pt_ll = Point(*xy), Point(*lonlat)
    for kk, shape in shapes.items():
        if shape.kind == "unit" and kk != key and tl.places[kk].kind != "country":
            try:
                if shape.geom.contains(pt_m):
                    best = shape.geom.area if best is None else min(best, shape.geom.area)
            except ShapelyError:  # GEOSException on an invalid polygon: says nothing of the marker
                continue
    for g in (g for _, kind, g in state.basemap if kind != "country" and g is not None):
        try:
            if g.geom_type in ("Polygon", "MultiPolygon") and g.contains(pt_ll):
                area = project_geometry(g).area
                best = area if best is None else min(best, area)
        except ShapelyError:  # likewise for a basemap province
            continue
    return best


def _draw_locator_and_scalebar(fig, page, add_axes, state, panel: Panel, inset: InsetSpec,
                               ctx: DrawContext) -> tuple:
    """The locator inset (beside the title or in its corner of the map) and the scale bar in the
    opposite bottom corner; returns (boxes labels must avoid, the scale bar's (box, km, length))."""
    obstacles = []
    mx, my, mw, mh = panel.rect
    if inset.rect is not None:
        ix, iy, inset_w, inset_h = inset.rect
    else:
        inset_w, inset_h = inset.size
        m = 6
        ix = mx + mw - inset_w - m if "right" in inset.corner else mx + m
        iy = my + m if "top" in inset.corner else my + mh - inset_h - m
        obstacles.append((ix - 3, iy - 3, ix + inset_w + 3, iy + inset_h + 3))
    draw_locator(fig, add_axes, state, inset.region, panel.extent, (ix, iy, inset_w, inset_h), ctx)
    scalebar = draw_scalebar(page, panel, ctx, "right" if inset.corner == "bottom-left" else "left")
    obstacles.append(scalebar[0])
    return obstacles, scalebar


def _anchors(shapes: dict, view: MapView) -> dict:
    """A point inside the visible part of each drawn place (design units)."""
    anchors = {}
    for k, shape in shapes.items():
        if shape.kind == "point":
            anchors[k] = view.to_u(*shape.geom)
        else:
            vis = shape.geom.intersection(view.extent_box)
            if not vis.is_empty:
                rp = vis.representative_point()
                anchors[k] = view.to_u(rp.x, rp.y)
    return anchors
