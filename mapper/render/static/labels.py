"""Place labels: greedy placement inside or beside each place, without overlaps; leader lines."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mapper.model import ATTACKED, CONTESTED, CONTROLLED
from mapper.render.static.context import clean_text, draw_text
from mapper.render.static.paint import INK, STYLE, short_label
from mapper.render.static.projection import MapView, project_geometry
from mapper.timeline import DISPUTED, UNKNOWN

LABEL_SIZE = STYLE.label["name_size"]  # as the page's labels
LABEL_STATE_SIZE = STYLE.label["state_size"]
#: A label farther than this from its shape (design units) gets a leader line to it.
LEADER_GAP_U = 6
LEADER_WIDTH_U = 0.9
#: Placement cost of a label moved away (with a leader): as bad as hiding a whole unit's fill.
LEADER_COST = 2.0
#: Gap (design units) kept between a label and any other town's marker.
MARKER_CLEARANCE_U = 5
MAX_LABELS = STYLE.label["max_labels"]  # as the interactive map: more places are not labelled


@dataclass(frozen=True)
class LabelPlacement:
    """Where one label went (pixels from the top left of the image).

    ``distance_px`` is the gap between the label box and the shape it names
    (0 when the box touches or overlaps it); ``leader`` the leader line's
    ``((x0, y0), (x1, y1))``, drawn when the gap is more than ``LEADER_GAP_U``
    design units, else None.
    """

    name: str
    box: tuple
    anchor: tuple
    distance_px: float
    leader: tuple | None = None


def _edge(shape, axis: int, at: float, side: int, default: float) -> float:
    """The shape's outermost coordinate along ``axis`` (0: x on the row y = ``at``; 1: y on the
    column x = ``at``) towards ``side`` (+1 right/down, -1 left/up), design units; ``default``
    when the line misses the shape or the shape is invalid."""
    from shapely.errors import ShapelyError
    from shapely.geometry import LineString

    try:
        lo, hi = shape.bounds[axis], shape.bounds[axis + 2]
        ends = [(lo - 1, at), (hi + 1, at)] if axis == 0 else [(at, lo - 1), (at, hi + 1)]
        cut = shape.intersection(LineString(ends))
        if not cut.is_empty:
            return cut.bounds[axis + 2] if side > 0 else cut.bounds[axis]
    except ShapelyError:  # GEOSException on an invalid shape: its bounding box
        pass
    return default


def _edge_x(shape, y: float, side: int, default: float) -> float:
    """The shape's outermost x on the row ``y`` towards ``side`` (+1 right, -1 left), design units."""
    return _edge(shape, 0, y, side, default)


def _edge_y(shape, x: float, side: int, default: float) -> float:
    """The shape's outermost y on the column ``x`` towards ``side`` (+1 down, -1 up), design units."""
    return _edge(shape, 1, x, side, default)


def _share_inside(shape, corner, bw: float, bh: float) -> float:
    from shapely.errors import ShapelyError
    from shapely.geometry import box as sbox

    try:
        return shape.intersection(sbox(corner[0], corner[1], corner[0] + bw, corner[1] + bh)).area / (
            bw * bh
        )
    except ShapelyError:  # GEOSException on an invalid shape: count nothing as inside
        return 0.0


def _leader_line(box, anchor, radius: float):
    """Segment from the label box's nearest edge point to the anchor (to the marker's rim for towns)."""
    ax_, ay_ = anchor
    x0, y0, x1, y1 = box
    bx, by = min(max(ax_, x0), x1), min(max(ay_, y0), y1)
    dx, dy = ax_ - bx, ay_ - by
    dist = math.hypot(dx, dy)
    if dist <= radius + 1:
        return None
    ex, ey = ax_ - dx / dist * (radius + 1), ay_ - dy / dist * (radius + 1)
    return ((bx, by), (ex, ey))


def _draw_leader(page, seg, dot: bool, ctx) -> None:
    """A thin ink line over a white halo; a dot at the end when it points into an area."""
    from matplotlib.patches import Circle

    (sx, sy), (ex, ey) = seg
    for colour, width, z in (("#ffffff", LEADER_WIDTH_U + 1.6, 18.5), (INK, LEADER_WIDTH_U, 18.6)):
        page.plot([sx, ex], [sy, ey], color=colour, linewidth=ctx.lw(width), solid_capstyle="round",
                  zorder=z)
    if dot:
        page.add_patch(Circle((ex, ey), 2.0, facecolor=INK, edgecolor="#ffffff",
                              linewidth=ctx.lw(0.8), zorder=18.7))


def _inside(r, outer) -> bool:
    return r[0] >= outer[0] and r[1] >= outer[1] and r[2] <= outer[2] and r[3] <= outer[3]


def _grow(r, d: float) -> tuple:
    return (r[0] - d, r[1] - d, r[2] + d, r[3] + d)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]


# ----------------------------------------------------------------------------------- placement
#: Label sort order by kind of place (towns come first, then districts, provinces, countries).
KIND_RANK = {"admin3": 1, "admin2": 2, "admin1": 3, "country": 5}
#: ... then by status: a disputed place is labelled before a quiet one.
STATUS_RANK = {DISPUTED: 0, CONTESTED: 1, CONTROLLED: 2, ATTACKED: 3, UNKNOWN: 4}
#: Inner padding of a label box (design units).
LABEL_PAD_U = 2.5


@dataclass(frozen=True)
class DrawnShape:
    """What a panel drew for one place: ``kind`` "unit" (polygon), "circle" (approximate area,
    ``radius`` in projected metres) or "point" (a town marker at projected ``geom``, ``radius``
    in design units). ``geom`` is projected: a shapely geometry, or an ``(x, y)`` for a point."""

    kind: str
    geom: object
    radius: float | None = None


@dataclass(frozen=True)
class PlacedLabel:
    """One label placed, in design units: its box, the anchor of its place, the gap between them
    and the leader line drawn (``((x0, y0), (x1, y1))``) or None."""

    name: str
    box: tuple
    anchor: tuple
    gap: float
    leader: tuple | None


@dataclass(frozen=True)
class LabelsResult:
    """The labels drawn (:class:`PlacedLabel`, in placement order) and how many were hidden."""

    placed: tuple  # PlacedLabel per label drawn, in the order placed
    hidden: int  # labels left out (no room, or the place is outside the view)


@dataclass(frozen=True)
class _Candidates:
    """Where one label may go: the shape it names (design units), its anchor, candidate top-left
    corners in order of preference, and whether the shape is large enough to hold the label."""

    target: object
    anchor: tuple
    corners: list
    fits: bool


def place_labels(page, state, view: MapView, keys: list, states: dict, shapes: dict,
                 markers: list, obstacles: list, ctx, enabled: bool) -> LabelsResult:
    """Label places on the page sheet, greedily and without overlaps.

    Towns first, then districts, provinces, countries. Each label sits inside its shape or
    beside it; one moved farther than ``LEADER_GAP_U`` from its shape gets a leader line.
    ``markers`` are ``(key, box)`` of the town markers drawn, ``obstacles`` boxes to keep clear
    (inset, scale bar).
    """
    from shapely.geometry import LineString

    tl = state.timeline
    labelled = _labelled(tl, keys, states, shapes) if enabled else []
    units_u = _units_in_design_units(tl, shapes, view)
    mx, my, mw, mh = view.rect
    inner_box = (mx + 2, my + 2, mx + mw - 2, my + mh - 2)
    placed: list = []
    leader_lines: list = []  # LineStrings (design units) of the leaders drawn: labels keep off
    hidden = 0
    for k in labelled:
        p = tl.places[k]
        name = clean_text(p.name) + (" (approx.)" if p.drawn_as == "approximate" else "")
        sub = short_label(states[k])
        nw, nh = ctx.measure(name, LABEL_SIZE, True)
        sw_, sh = ctx.measure(sub, LABEL_STATE_SIZE) if sub else (0, 0)
        bw, bh = max(nw, sw_) + 2 * LABEL_PAD_U, nh + (sh if sub else 0) + 2 * LABEL_PAD_U - 1
        shape = shapes[k]
        if shape.kind == "point":
            cands = _point_candidates(view, shape, bw, bh)
        else:
            visible = shape.geom.intersection(view.extent_box)
            if visible.is_empty:
                hidden += 1
                continue
            if (
                p.kind == "country"
                and p.geometry is not None
                and visible.area < 0.5 * project_geometry(p.geometry).area
            ):
                continue  # a map of part of a country: its name at the centre of the view would mislead
            cands = _unit_candidates(view, shape, visible, bw, bh)
        rad = shape.radius if shape.kind == "point" else 0.0
        spot, gap = _best_spot(
            k, shape.kind, cands, rad, bw, bh, inner_box, placed, obstacles, markers, leader_lines,
            units_u,
        )
        if spot is None:
            hidden += 1
            continue
        leader = None
        if gap > LEADER_GAP_U:
            leader = _leader_line(spot, cands.anchor, rad)
            if leader is not None:
                _draw_leader(page, leader, shape.kind != "point", ctx)
                leader_lines.append(LineString(leader).buffer(1.0))
        placed.append(PlacedLabel(p.name, spot, cands.anchor, gap, leader))
        _draw_label(page, spot[:2], (bw, bh), name, sub, nh, ctx)
    return LabelsResult(tuple(placed), hidden)


def _labelled(tl, keys, states, shapes) -> list:
    """Places to label, in order: those with direct claims, towns first, at most 2 x MAX_LABELS."""
    direct = [k for k in keys if any(e.derived_from is None for e in tl.claims_for(k))]

    def rank(k):
        p = tl.places[k]
        return (
            0 if k in shapes and shapes[k].kind == "point" else KIND_RANK.get(p.kind, 4),
            STATUS_RANK.get(states[k].status, 5),
            p.name.casefold(),
        )

    if len(direct) > MAX_LABELS:
        # Too many to label all (the interactive map then labels none): label those with a current claim.
        direct = [k for k in direct if states[k].status != UNKNOWN]
    return sorted([k for k in direct if k in shapes], key=rank)[: MAX_LABELS * 2]


def _units_in_design_units(tl, shapes, view: MapView) -> dict:
    """Drawn areas (not countries) in design units: a label over them hides their fill."""
    from shapely.affinity import affine_transform
    from shapely.errors import ShapelyError

    out = {}
    for k, shape in shapes.items():
        if shape.kind in ("unit", "circle") and tl.places[k].kind != "country":
            try:
                out[k] = affine_transform(shape.geom, view.to_u_matrix).buffer(0)
            except ShapelyError:  # GEOSException on an invalid geometry: not an obstacle
                continue
    return out


def _point_candidates(view: MapView, shape: DrawnShape, bw: float, bh: float) -> _Candidates:
    """Beside a town marker (right, left, above, below, diagonals), then farther with a leader."""
    from shapely.geometry import Point

    ux, uy = view.to_u(*shape.geom)
    rad = shape.radius
    target = Point(ux, uy).buffer(rad, 12)  # the marker, as the reader sees it
    off = rad + 4
    d = off * 0.72
    cands = [
        (ux + off, uy - bh / 2),
        (ux - off - bw, uy - bh / 2),
        (ux - bw / 2, uy - off - bh),
        (ux - bw / 2, uy + off),
        (ux + d, uy - d - bh),
        (ux - d - bw, uy - d - bh),
        (ux + d, uy + d),
        (ux - d - bw, uy + d),
    ]
    for far in (rad + LEADER_GAP_U + 12, rad + LEADER_GAP_U + 30):  # moved away: leader
        fd = far * 0.72
        cands += [
            (ux + far, uy - bh / 2),
            (ux - far - bw, uy - bh / 2),
            (ux + fd, uy - fd - bh),
            (ux - fd - bw, uy - fd - bh),
            (ux + fd, uy + fd),
            (ux - fd - bw, uy + fd),
            (ux - bw / 2, uy - far - bh),
            (ux - bw / 2, uy + far),
        ]
    return _Candidates(target, (ux, uy), cands, True)


def _unit_candidates(
    view: MapView, shape: DrawnShape, visible, bw: float, bh: float
) -> _Candidates:
    """Inside an area (when large enough), else beside its edge, then farther with a leader."""
    from shapely.affinity import affine_transform
    from shapely.errors import ShapelyError
    from shapely.geometry import Point

    rp = visible.representative_point() if shape.kind == "unit" else visible.centroid
    ux, uy = view.to_u(rp.x, rp.y)
    try:
        target = affine_transform(visible, view.to_u_matrix).buffer(0)
    except ShapelyError:  # GEOSException on an invalid shape: its anchor stands for it
        target = Point(ux, uy).buffer(2)
    centre = [
        (ux - bw / 2 + dx, uy - bh / 2 + dy)
        for dx, dy in ((0, 0), (0, -30), (0, 30), (-70, 0), (70, 0))
    ]
    vx0, vy0, vx1, vy1 = visible.bounds
    (ax0, ay0), (ax1, ay1) = view.to_u(vx0, vy1), view.to_u(vx1, vy0)
    # Beside the shape: next to its edge on the anchor's row or column (not the far
    # side of its bounding box, which an irregular outline can leave well away).
    beside = []
    for gap in (4, LEADER_GAP_U + 14, LEADER_GAP_U + 34):
        beside += [
            (_edge_x(target, uy, +1, ax1) + gap, uy - bh / 2),
            (_edge_x(target, uy, -1, ax0) - gap - bw, uy - bh / 2),
            (ux - bw / 2, _edge_y(target, ux, -1, ay0) - gap - bh),
            (ux - bw / 2, _edge_y(target, ux, +1, ay1) + gap),
        ]
    fits = (ax1 - ax0) >= bw * 1.4 and (ay1 - ay0) >= bh * 2.5
    if fits:  # only centre spots whose box lies (mostly) inside the shape count as inside
        centre = [c for c in centre if _share_inside(target, c, bw, bh) >= 0.7] or centre[:1]
    return _Candidates(target, (ux, uy), centre + beside if fits else beside + centre, fits)


def _best_spot(key, kind, cands: _Candidates, rad, bw, bh, inner_box, placed, obstacles, markers,
               leader_lines, units_u) -> tuple:
    """The cheapest free candidate box ``(x0, y0, x1, y1)`` and its gap to the shape, or (None, 0).

    A box must stay inside the map, off other labels, obstacles, other towns' markers and leader
    lines; a leader it would need must cross no label or marker. Its soft cost: hiding other
    places' fills (and a small unit's own fill) under the label, and distance from the shape (a
    leader is a last resort).
    """
    from shapely.geometry import LineString
    from shapely.geometry import box as sbox

    ux, uy = cands.anchor
    boxes = [pl.box for pl in placed]
    spot, best, best_gap = None, None, 0.0
    own_penalty = 0.0 if kind == "point" or cands.fits else 0.6
    for order_i, (lx, ly) in enumerate(cands.corners):
        r = (lx, ly, lx + bw, ly + bh)
        if not _inside(r, inner_box):
            continue
        if any(_overlap(r, o) for o in boxes) or any(_overlap(r, o) for o in obstacles):
            continue
        # Never next to another town's marker: a label there would read as that town's.
        if any(_overlap(r, _grow(b, MARKER_CLEARANCE_U)) for mk, b in markers if mk != key):
            continue
        rb = sbox(*r)
        if any(line.intersects(rb) for line in leader_lines):
            continue
        gap = cands.target.distance(rb)
        if gap > LEADER_GAP_U:
            seg = _leader_line(r, (ux, uy), rad)
            if seg is not None:
                line = LineString(seg)
                if any(line.intersects(sbox(*_grow(o, -0.5))) for o in boxes):
                    continue  # a leader never crosses another label
                if any(line.intersects(sbox(*b)) for mk, b in markers if mk != key):
                    continue  # ... nor another town's marker
        area = bw * bh
        cost = 0.001 * order_i + (LEADER_COST + 0.01 * gap if gap > LEADER_GAP_U else 0.0)
        for ok, g in units_u.items():
            if g.intersects(rb):
                share = g.intersection(rb).area / area
                cost += own_penalty * share if ok == key else 2.0 * share
        if best is None or cost < best - 1e-9:
            spot, best, best_gap = r, cost, gap
        if cost < 0.01:
            break
    return spot, best_gap


def _draw_label(page, corner, size, name: str, sub: str, name_h: float, ctx) -> None:
    """The label box (a rounded halo) at ``corner`` (top left), the place name in bold and its
    state below."""
    from matplotlib.colors import to_rgba
    from matplotlib.patches import FancyBboxPatch

    lx, ly = corner
    bw, bh = size
    box = FancyBboxPatch(
        (lx, ly),
        bw,
        bh,
        boxstyle="round,pad=0,rounding_size=2.5",
        facecolor=to_rgba(STYLE.label["halo"], STYLE.label["halo_opacity"]),
        edgecolor="none",
        zorder=20,
    )
    page.add_patch(box)
    draw_text(
        page,
        lx + LABEL_PAD_U,
        ly + LABEL_PAD_U,
        name,
        LABEL_SIZE,
        ctx,
        va="top",
        ha="left",
        weight="bold",
        color=STYLE.label["colour"],
        zorder=21,
    )
    if sub:
        draw_text(
            page,
            lx + LABEL_PAD_U,
            ly + LABEL_PAD_U + name_h - 1,
            sub,
            LABEL_STATE_SIZE,
            ctx,
            va="top",
            ha="left",
            color=STYLE.label["state_colour"],
            zorder=21,
        )
