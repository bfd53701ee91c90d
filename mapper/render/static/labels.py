"""Place labels: sizes, the leader-line rule, and the box geometry the placement uses."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mapper.render.static.paint import INK, STYLE

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


def _edge_x(shape, y: float, side: int, default: float) -> float:
    """The shape's outermost x on the row ``y`` towards ``side`` (+1 right, -1 left), design units."""
    from shapely.geometry import LineString

    try:
        x0, _, x1, _ = shape.bounds
        cut = shape.intersection(LineString([(x0 - 1, y), (x1 + 1, y)]))
        if not cut.is_empty:
            bx0, _, bx1, _ = cut.bounds
            return bx1 if side > 0 else bx0
    except Exception:  # an invalid shape: its bounding box
        pass
    return default


def _edge_y(shape, x: float, side: int, default: float) -> float:
    """The shape's outermost y on the column ``x`` towards ``side`` (+1 down, -1 up), design units."""
    from shapely.geometry import LineString

    try:
        _, y0, _, y1 = shape.bounds
        cut = shape.intersection(LineString([(x, y0 - 1), (x, y1 + 1)]))
        if not cut.is_empty:
            _, by0, _, by1 = cut.bounds
            return by1 if side > 0 else by0
    except Exception:
        pass
    return default


def _share_inside(shape, corner, bw: float, bh: float) -> float:
    from shapely.geometry import box as sbox

    try:
        return shape.intersection(sbox(corner[0], corner[1], corner[0] + bw, corner[1] + bh)).area / (
            bw * bh
        )
    except Exception:
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
