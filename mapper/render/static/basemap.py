"""The basemap under the data: land fills, then admin-1 lines (as the HTML map's base pane).

This is the place for context layers (country labels, cities, seas, rivers): each is drawn
on one panel's map axes from ``state.basemap`` (or another offline source), its geometry cut
and simplified by :meth:`MapView.prepare`, its style from the shared table
(:meth:`mapper.render.style.StyleTable.basemap_style`), below ``DATA_Z`` so the claims stay on top.
Labels of context layers belong on the page's label sheet (see :mod:`.labels`) so that place
labels avoid them.
"""

from __future__ import annotations

from mapper.render.static.context import DrawContext
from mapper.render.static.paint import STYLE, plain_style
from mapper.render.static.projection import MapView
from mapper.render.static.shapes import draw_shape, geom_path

#: z-orders on a panel's map axes: land, admin-1 lines; the claimed places start at DATA_Z.
LAND_Z = 1
ADMIN1_Z = 2
DATA_Z = 3


def draw_basemap(ax, state, view: MapView, ctx: DrawContext) -> None:
    """Land (country fills) first, then lakes and rivers (:mod:`.locator`), then admin-1
    boundaries as lines, cut to the view."""
    from mapper.render.static.locator import draw_water

    draw_water(ax, state, view, ctx)
    for _name, kind, g in sorted(state.basemap, key=lambda b: b[1] != "country"):
        if g is None or g.is_empty:
            continue
        pg = view.prepare(
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
                ax, path, plain_style(STYLE.basemap_style("country"), face_alpha=1), ctx, LAND_Z
            )
        else:
            draw_shape(
                ax, path, plain_style(STYLE.basemap_style("admin1"), face="none"), ctx, ADMIN1_Z
            )
