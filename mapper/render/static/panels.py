"""One map panel: the instants of small multiples, and drawing a panel's places, labels and insets."""

from __future__ import annotations

import logging
import math
from datetime import datetime

from mapper.model import ATTACKED, CONTESTED, CONTROLLED
from mapper.render.static.context import DrawContext, clean_text, draw_text
from mapper.render.static.insets import draw_locator
from mapper.render.static.labels import (
    LABEL_SIZE,
    LABEL_STATE_SIZE,
    LEADER_COST,
    LEADER_GAP_U,
    MARKER_CLEARANCE_U,
    MAX_LABELS,
    _draw_leader,
    _edge_x,
    _edge_y,
    _grow,
    _inside,
    _leader_line,
    _overlap,
    _share_inside,
)
from mapper.render.static.layout import PANEL_TITLE_SIZE, Panel
from mapper.render.static.paint import (
    MAP_BACKGROUND,
    MUTED_TEXT,
    STYLE,
    DrawStyle,
    PlaceKind,
    marker_radius_u,
    plain_style,
    point_style,
    short_label,
    unit_style,
)
from mapper.render.static.projection import lonlat_to_merc, merc_to_lat, project_geometry
from mapper.render.static.scalebar import draw_scalebar
from mapper.render.static.shapes import draw_shape, geom_path
from mapper.timelabels import format_local, format_utc
from mapper.timeline import DISPUTED, UNKNOWN, _aware

log = logging.getLogger(__name__)


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
    inset: dict,
) -> dict:
    """Draw one map panel; returns what was placed where (design units)."""
    from matplotlib.colors import to_rgba
    from matplotlib.patches import FancyBboxPatch

    tl = state.timeline
    mx, my, mw, mh = panel.rect
    x0, y0, x1, y1 = panel.extent
    per_u = (x1 - x0) / mw  # metres (projected) per design unit

    if n > 1 and panel.t is not None:
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

    ax = add_axes(mx, my, mw, mh)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(MAP_BACKGROUND)
    for sp in ax.spines.values():
        sp.set_edgecolor("#9a9a9a")
        sp.set_linewidth(ctx.lw(1))
    from shapely.geometry import box as sbox

    view = sbox(
        x0 - (x1 - x0) * 0.05, y0 - (y1 - y0) * 0.05, x1 + (x1 - x0) * 0.05, y1 + (y1 - y0) * 0.05
    )
    tol = per_u * 0.5

    def prep(g):
        try:
            pg = project_geometry(g)
            if not pg.intersects(view):
                return None
            pg = pg.intersection(view) if not view.contains(pg) else pg
            return pg.simplify(tol, preserve_topology=True) if tol > 0 else pg
        except Exception as err:  # an invalid outline is skipped, never fatal
            log.debug("geometry skipped: %s", err)
            return None

    # Basemap: land fills, then admin-1 lines (as the HTML map's base pane).
    for _name, kind, g in sorted(state.basemap, key=lambda b: b[1] != "country"):
        if g is None or g.is_empty:
            continue
        pg = prep(
            g
            if kind == "country"
            else (g.boundary if g.geom_type in ("Polygon", "MultiPolygon") else g)
        )
        if pg is None or pg.is_empty:
            continue
        path = geom_path(pg)
        if path is None:
            continue
        if kind == "country":
            draw_shape(
                ax, path, plain_style(STYLE.basemap_style("country"), face_alpha=1), ctx, 1
            )
        else:
            draw_shape(
                ax, path, plain_style(STYLE.basemap_style("admin1"), face="none"), ctx, 2
            )

    t = panel.t
    keys = list(state.keys) or [k for k in tl.places if tl.claims_for(k)]
    states = {k: (tl.state_at(k, t) if t is not None else _unknown()) for k in keys}
    order = {"country": 0, "admin1": 1, "admin2": 2, "admin3": 3}
    keys.sort(key=lambda k: (order.get(tl.places[k].kind, 9), tl.places[k].name))
    shapes = {}  # key -> ("unit"|"circle"|"point", projected geom or centre, radius)
    markers = []  # design-unit boxes of town markers (label obstacles)

    def to_u(x, y):
        return (mx + (x - x0) / per_u, my + (y1 - y) / per_u)

    # Town markers shrink on maps of wide areas and never hide the province or district around them.
    ground_km = (x1 - x0) * math.cos(math.radians(merc_to_lat((y0 + y1) / 2))) / 1000
    marker_radii = {}  # place name -> marker radius in projected metres
    admin_polys = [g for _, kind, g in state.basemap if kind != "country" and g is not None]

    def _enclosing_area(lonlat, xy, key):
        """Projected area of the smallest drawn unit or basemap province around a point, or None."""
        from shapely.geometry import Point

        best = None
        pt_m, pt_ll = Point(*xy), Point(*lonlat)
        for kk, (kind, geom, _) in shapes.items():
            if kind == "unit" and kk != key and tl.places[kk].kind != "country":
                try:
                    if geom.contains(pt_m):
                        best = geom.area if best is None else min(best, geom.area)
                except Exception:  # an invalid polygon says nothing about the marker
                    continue
        for g in admin_polys:
            try:
                if g.geom_type in ("Polygon", "MultiPolygon") and g.contains(pt_ll):
                    area = project_geometry(g).area
                    best = area if best is None else min(best, area)
            except Exception:
                continue
        return best

    for _z, k in enumerate(keys):
        p = tl.places[k]
        a = states[k]
        kids = tl.children.get(k, ())
        outline_only = bool(kids) and any(
            states.get(c) is not None and states[c].status != UNKNOWN for c in kids
        )
        if p.drawn_as == "unit" and p.geometry is not None and not p.geometry.is_empty:
            pg = prep(p.geometry)
            if pg is None or pg.is_empty:
                continue
            path = geom_path(pg)
            if path is None:
                continue
            draw_shape(
                ax, path, unit_style(tl, a, p, outline_only), ctx, 3 + order.get(p.kind, 4) * 0.1
            )
            shapes[k] = ("unit", pg, None)
        elif p.lat is not None and p.lon is not None:
            cx, cy = lonlat_to_merc(p.lon, p.lat)
            if p.drawn_as in ("approximate", "unit"):
                r = (p.radius_m or 5000.0) / max(0.05, math.cos(math.radians(p.lat)))
                draw_shape(
                    ax,
                    ("circle", (cx, cy), r),
                    unit_style(tl, a, PlaceKind(p.kind, "approximate"), False),
                    ctx,
                    4,
                )
                from shapely.geometry import Point

                shapes[k] = ("circle", Point(cx, cy).buffer(r, 16), r)
            else:
                st = point_style(tl, a)
                radius = marker_radius_u(
                    st.radius_u, ground_km, per_u, _enclosing_area((p.lon, p.lat), (cx, cy), k)
                )
                st = DrawStyle(**{**st.__dict__, "radius_u": radius})
                draw_shape(ax, ("circle", (cx, cy), radius * per_u), st, ctx, 6)
                shapes[k] = ("point", (cx, cy), radius)
                marker_radii[p.name] = radius * per_u
                ux, uy = to_u(cx, cy)
                rr = st.radius_u + st.width_u
                markers.append((k, (ux - rr, uy - rr, ux + rr, uy + rr)))

    # Locator inset and scale bar (small multiples share one extent: both in the first panel only).
    obstacles = []
    corner = inset["corner"]
    if index == 0:
        if inset["rect"] is not None:
            ix, iy, inset_w, inset_h = inset["rect"]
        else:
            inset_w, inset_h = inset["size"]
            m = 6
            ix = mx + mw - inset_w - m if "right" in corner else mx + m
            iy = my + m if "top" in corner else my + mh - inset_h - m
            obstacles.append((ix - 3, iy - 3, ix + inset_w + 3, iy + inset_h + 3))
        draw_locator(
            fig, add_axes, state, inset["region"], panel.extent, (ix, iy, inset_w, inset_h), ctx
        )
        scalebar = draw_scalebar(page, panel, ctx, "right" if corner == "bottom-left" else "left")
        obstacles.append(scalebar[0])
    else:
        scalebar = None

    # Labels: towns first, then districts, provinces, countries; greedy, no overlaps. Each label sits
    # inside its shape or beside it; one moved farther than LEADER_GAP_U from its shape gets a leader.
    from shapely.geometry import LineString, Point

    direct = [k for k in keys if any(e.derived_from is None for e in tl.claims_for(k))]
    rank = {"admin3": 1, "admin2": 2, "admin1": 3, "country": 5}
    status_rank = {DISPUTED: 0, CONTESTED: 1, CONTROLLED: 2, ATTACKED: 3, UNKNOWN: 4}

    def lrank(k):
        p = tl.places[k]
        return (
            0 if shapes.get(k, ("",))[0] == "point" else rank.get(p.kind, 4),
            status_rank.get(states[k].status, 5),
            p.name.casefold(),
        )

    if len(direct) > MAX_LABELS:
        # Too many to label all (the interactive map then labels none): label those with a current claim.
        direct = [k for k in direct if states[k].status != UNKNOWN]
    labelled = (
        sorted([k for k in direct if k in shapes], key=lrank)[: MAX_LABELS * 2] if labels else []
    )
    anchors = {}
    for k, (kind, geom, _) in shapes.items():
        if kind == "point":
            anchors[k] = to_u(*geom)
        else:
            vis = geom.intersection(sbox(x0, y0, x1, y1))
            if not vis.is_empty:
                rp = vis.representative_point()
                anchors[k] = to_u(rp.x, rp.y)
    from shapely.affinity import affine_transform

    to_u_matrix = [1 / per_u, 0, 0, -1 / per_u, mx - x0 / per_u, my + y1 / per_u]
    units_u = {}
    for k, (kind, geom, _) in shapes.items():
        if kind in ("unit", "circle") and tl.places[k].kind != "country":
            try:
                units_u[k] = affine_transform(geom, to_u_matrix).buffer(0)
            except Exception:  # invalid geometry: not an obstacle
                continue
    placed_boxes = []
    leader_lines = []  # LineStrings (design units) of leaders drawn: later labels keep off them
    placements = []
    placed = hidden = 0
    label_size, state_size = LABEL_SIZE, LABEL_STATE_SIZE
    inner_box = (mx + 2, my + 2, mx + mw - 2, my + mh - 2)
    pad = 2.5
    for k in labelled:
        p = tl.places[k]
        name = clean_text(p.name) + (" (approx.)" if p.drawn_as == "approximate" else "")
        sub = short_label(states[k])
        nw, nh = ctx.measure(name, label_size, True)
        sw_, sh = ctx.measure(sub, state_size) if sub else (0, 0)
        bw, bh = max(nw, sw_) + 2 * pad, nh + (sh if sub else 0) + 2 * pad - 1
        kind, geom, rad = shapes[k]
        fits = True
        if kind == "point":
            ux, uy = to_u(*geom)
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
        else:
            visible = geom.intersection(sbox(x0, y0, x1, y1))
            if visible.is_empty:
                hidden += 1
                continue
            if (
                p.kind == "country"
                and p.geometry is not None
                and visible.area < 0.5 * project_geometry(p.geometry).area
            ):
                continue  # a map of part of a country: its name at the centre of the view would mislead
            rp = visible.representative_point() if kind == "unit" else visible.centroid
            ux, uy = to_u(rp.x, rp.y)
            try:
                target = affine_transform(visible, to_u_matrix).buffer(0)
            except Exception:  # an invalid shape: its anchor stands for it
                target = Point(ux, uy).buffer(2)
            centre = [
                (ux - bw / 2 + dx, uy - bh / 2 + dy)
                for dx, dy in ((0, 0), (0, -30), (0, 30), (-70, 0), (70, 0))
            ]
            vx0, vy0, vx1, vy1 = visible.bounds
            (ax0, ay0), (ax1, ay1) = to_u(vx0, vy1), to_u(vx1, vy0)
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
            cands = centre + beside if fits else beside + centre
        spot, best, best_gap = None, None, 0.0
        own_penalty = 0.0 if kind == "point" or fits else 0.6
        for order_i, (lx, ly) in enumerate(cands):
            r = (lx, ly, lx + bw, ly + bh)
            if not _inside(r, inner_box):
                continue
            if any(_overlap(r, o) for o in placed_boxes) or any(_overlap(r, o) for o in obstacles):
                continue
            # Never next to another town's marker: a label there would read as that town's.
            if any(_overlap(r, _grow(b, MARKER_CLEARANCE_U)) for mk, b in markers if mk != k):
                continue
            rb = sbox(*r)
            if any(line.intersects(rb) for line in leader_lines):
                continue
            gap = target.distance(rb)
            if gap > LEADER_GAP_U:
                seg = _leader_line(r, (ux, uy), rad if kind == "point" else 0.0)
                if seg is not None:
                    line = LineString(seg)
                    if any(line.intersects(sbox(*_grow(o, -0.5))) for o in placed_boxes):
                        continue  # a leader never crosses another label
                    if any(line.intersects(sbox(*b)) for mk, b in markers if mk != k):
                        continue  # ... nor another town's marker
            # Soft cost: hiding other places' fills (and a small unit's own fill) under the label,
            # and distance from the shape (a leader is a last resort).
            area = bw * bh
            cost = 0.001 * order_i + (LEADER_COST + 0.01 * gap if gap > LEADER_GAP_U else 0.0)
            for ok, g in units_u.items():
                if g.intersects(rb):
                    share = g.intersection(rb).area / area
                    cost += own_penalty * share if ok == k else 2.0 * share
            if best is None or cost < best - 1e-9:
                spot, best, best_gap = r, cost, gap
            if cost < 0.01:
                break
        if spot is None:
            hidden += 1
            continue
        lx, ly, rx, ry = spot
        leader = None
        if best_gap > LEADER_GAP_U:
            leader = _leader_line(spot, (ux, uy), rad if kind == "point" else 0.0)
            if leader is not None:
                _draw_leader(page, leader, kind != "point", ctx)
                leader_lines.append(LineString(leader).buffer(1.0))
        placed_boxes.append(spot)
        placements.append((p.name, spot, (ux, uy), best_gap, leader))
        placed += 1
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
            lx + pad,
            ly + pad,
            name,
            label_size,
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
                lx + pad,
                ly + pad + nh - 1,
                sub,
                state_size,
                ctx,
                va="top",
                ha="left",
                color=STYLE.label["state_colour"],
                zorder=21,
            )
    return {
        "placed": placed,
        "hidden": hidden,
        "labels": placed_boxes,
        "placements": placements,
        "anchors": anchors,
        "markers": marker_radii,
        "scalebar": scalebar[1:] if scalebar else None,
    }


def _unknown():
    from mapper.timeline import Assessment

    return Assessment(UNKNOWN)
