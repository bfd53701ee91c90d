"""Styled shapes on matplotlib axes: fills, outlines and the stripe/hatch patterns drawn as lines."""

from __future__ import annotations

import math

from mapper.render.static.paint import DrawStyle


def _add_patch(ax, patch):
    """``ax.add_patch`` without its data-limit update (a Python loop over every vertex of an
    outline, seconds for a country): every axes here has fixed limits."""
    ax.add_artist(patch)
    return patch


def draw_shape(ax, path_or_patch, style: DrawStyle, ctx, zorder: float, *, clip=True):
    """Add a styled shape: fill (with hatches) and outline as separate patches."""
    from matplotlib.colors import to_rgba
    from matplotlib.patches import PathPatch

    def make(**kw):
        if isinstance(path_or_patch, tuple):  # ("circle", (x, y), r)
            from matplotlib.patches import Circle

            return Circle(path_or_patch[1], path_or_patch[2], **kw)
        return PathPatch(path_or_patch, **kw)

    added = []
    if style.face != "none" and style.face_alpha > 0:
        p = make(
            facecolor=to_rgba(style.face, style.face_alpha),
            edgecolor="none",
            linewidth=0,
            zorder=zorder,
        )
        _add_patch(ax, p)
        added.append(p)
    if style.hatch1 or style.hatch2:
        # Pattern lines drawn as lines clipped to the shape (not matplotlib hatches, whose density is
        # a whole number of lines per inch): exactly the page's spacing and widths at any size.
        clip_patch = added[0] if added else make(facecolor="none", edgecolor="none", linewidth=0)
        if not added:
            _add_patch(ax, clip_patch)
        for direction, colour in ((1, style.hatch1), (-1, style.hatch2)):
            if colour:
                lc = _pattern_lines(ax, clip_patch, direction, colour, style, ctx, zorder + 0.01)
                if lc is not None:
                    added.append(lc)
    if style.edge != "none" and style.width_u > 0:
        p = make(
            facecolor="none",
            edgecolor=to_rgba(style.edge, style.edge_alpha),
            linewidth=ctx.lw(style.width_u),
            linestyle=ctx.dashes(style.dash_u),
            zorder=zorder + 0.02,
            joinstyle="round",
            capstyle="butt",
        )
        _add_patch(ax, p)
        added.append(p)
    if not clip:
        for p in added:
            p.set_clip_on(False)
    return added


def _pattern_lines(ax, clip_patch, direction: int, colour: str, style: DrawStyle, ctx, zorder: float):
    """Lines at 45 degrees (``direction`` 1: "/", -1: "\\") over ``clip_patch``, clipped to it.

    Spacing and width are in design units; lines are anchored on the axes' data origin
    so neighbouring places' patterns line up.
    """
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba

    (dx0, dx1), (dy0, dy1) = ax.get_xlim(), ax.get_ylim()
    pos = ax.get_position()
    kx = (dx1 - dx0) / (pos.width * ctx.W)  # data units per design unit, to the right
    ky = (dy1 - dy0) / (pos.height * ctx.H)  # ... upwards (negative when the axis points down)
    if not kx or not ky:
        return None
    ext = clip_patch.get_path().transformed(clip_patch.get_patch_transform()).get_extents()
    vx0, vx1 = sorted((ext.x0 / kx, ext.x1 / kx))
    vy0, vy1 = sorted((ext.y0 / ky, ext.y1 / ky))
    # Clip to the visible part of the axes too: a country far larger than the view stays cheap.
    lx0, lx1 = sorted((dx0 / kx, dx1 / kx))
    ly0, ly1 = sorted((dy0 / ky, dy1 / ky))
    vx0, vx1, vy0, vy1 = max(vx0, lx0), min(vx1, lx1), max(vy0, ly0), min(vy1, ly1)
    if vx0 >= vx1 or vy0 >= vy1 or style.hatch_spacing_u <= 0:
        return None
    step = style.hatch_spacing_u * math.sqrt(2)  # along the vertical, for lines at 45 degrees
    segs = []
    if direction > 0:  # vy = vx + c
        lo, hi = vy0 - vx1, vy1 - vx0
    else:  # vy = -vx + c
        lo, hi = vy0 + vx0, vy1 + vx1
    k0, k1 = math.floor(lo / step), math.ceil(hi / step)
    if k1 - k0 > 4000:
        return None
    for k in range(k0, k1 + 1):
        c = k * step
        ya, yb = (vx0 + c, vx1 + c) if direction > 0 else (-vx0 + c, -vx1 + c)
        segs.append(((vx0 * kx, ya * ky), (vx1 * kx, yb * ky)))
    lc = LineCollection(
        segs,
        colors=[to_rgba(colour, style.face_alpha if style.face_alpha > 0 else 1.0)],
        linewidths=ctx.lw(style.hatch_width_u),
        capstyle="butt",
        zorder=zorder,
    )
    ax.add_collection(lc, autolim=False)
    lc.set_clip_path(clip_patch)
    return lc


def geom_path(geom):
    """Matplotlib Path of a (projected) Polygon / MultiPolygon / LineString, holes included."""
    import numpy as np
    from matplotlib.path import Path as MplPath

    verts, codes = [], []

    def ring(coords, closed=True):
        arr = np.asarray(coords)[:, :2]
        if len(arr) < 2:
            return
        verts.append(arr)
        c = np.full(len(arr), MplPath.LINETO, dtype=MplPath.code_type)
        c[0] = MplPath.MOVETO
        if closed:
            c[-1] = MplPath.CLOSEPOLY
        codes.append(c)

    def walk(g):
        t = g.geom_type
        if t == "Polygon":
            ring(g.exterior.coords)
            for r in g.interiors:
                ring(r.coords)
        elif t == "LineString" or t == "LinearRing":
            ring(g.coords, closed=False)
        elif hasattr(g, "geoms"):
            for part in g.geoms:
                walk(part)

    walk(geom)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def rect_path(x, y, w, h):
    """A closed matplotlib Path of the rectangle with corner (x, y), width ``w`` and height ``h``."""
    from matplotlib.path import Path as MplPath

    return MplPath([(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)], closed=True)
