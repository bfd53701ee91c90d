"""Static maps (PNG, SVG, PDF) of reported control, for print and social media.

The picture matches the interactive map for the same claims and time: the
same places (:func:`mapper.state.drawn_keys`), the same assessment
(:meth:`mapper.timeline.Timeline.state_at`), the same colours and styles
from the one style table both maps read (``assets/style.json`` through
:mod:`mapper.render.style`: controlled: actor colour; contested: stripes in
the colours of the sides; disputed: cross-hatch and dashed outline;
attacked: dotted outline), the same extent (bounds of the places drawn,
30 px padding), default title (:func:`mapper.render.titles.default_title`),
legend and credits (:meth:`gazetteer.Gazetteer.attribution`). Drawn with
matplotlib's Agg/SVG/PDF backends only: no browser, no pyplot global state,
no network.

Layout is computed in *design units* (``u``): one unit is one pixel when
the whole image is shown 600 px wide (one map) or 300 px per panel (small
multiples), so text keeps the same proportions at any ``width``/``dpi``.
No text is smaller than ``MIN_TEXT_U`` (12 u: 12 px at 600 px, 9 pt on a
96 px-per-inch screen); a narrower image is laid out on fewer units rather
than shrinking its text. Town markers shrink on maps of wide areas and never
cover more than a quarter of the province around them
(:func:`marker_radius_u`); labels sit inside or beside their place, and one
moved farther than ``LEADER_GAP_U`` gets a leader line. Geometry is
projected to Web Mercator like the Leaflet map; the scale bar is computed
for the latitude of the map's centre. Files are written atomically with the
user's umask (:func:`mapper.atomic.write_atomic`).

Input text (title, subtitle, place names, claimants, sources) is drawn as
plain text: matplotlib's mathtext is switched off (``parse_math=False``), so
``$x$`` stays ``$x$``, and control characters are removed so the SVG stays
well-formed XML; the SVG backend escapes ``<``, ``>`` and ``&`` and never
writes scripts. SVG text stays text (``svg.fonttype = none``).

Modules
-------
Each step of :func:`render_static` has its module; the layers import downward only
(``figure`` -> ``layout``/``panels`` -> ``labels``/``insets``/``basemap``/``legend`` ->
``shapes``/``context`` -> ``paint``/``projection``).

============  =================================================================
figure        :func:`render_static`: checks, instants, figure, encoding, report
layout        the page in design units: header, panel frames, extent, legend rows
panels        small-multiple instants (:func:`panel_times`); one panel's places
basemap       context under the data (land, admin-1 lines); new layers go here
labels        greedy label placement, leader lines
legend        legend keys and the credits text
insets        the locator inset (region, corner, drawing)
scalebar      the km scale bar
paint         the shared style table resolved to drawable colours per place
shapes        styled matplotlib shapes and the stripe/hatch patterns
context       design units to points/pixels; text measured, cleaned, drawn
projection    Web Mercator, (lon, lat) order throughout; one panel's view
report        :class:`StaticReport`, what was written
============  =================================================================

Examples
--------
>>> state = prepare_state(["claims.csv"], gazetteer=gz)                      # doctest: +SKIP
>>> render_static(state, "outputs/qala.png", width=1200, dpi=200)            # doctest: +SKIP
StaticReport(path='outputs/qala.png', format='png', width_px=1200, ...)
"""

from mapper.render.static.context import clean_text
from mapper.render.static.figure import DEFAULT_DPI, FORMATS, render_static
from mapper.render.static.labels import LabelPlacement
from mapper.render.static.paint import marker_radius_u, point_style, unit_style
from mapper.render.static.panels import panel_times
from mapper.render.static.projection import LonLatBox
from mapper.render.static.report import StaticReport

__all__ = [
    "DEFAULT_DPI",
    "FORMATS",
    "LabelPlacement",
    "LonLatBox",
    "StaticReport",
    "clean_text",
    "panel_times",
    "point_style",
    "marker_radius_u",
    "render_static",
    "unit_style",
]
