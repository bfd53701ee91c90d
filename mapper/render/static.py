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

Examples
--------
>>> state = prepare_state(["claims.csv"], gazetteer=gz)                      # doctest: +SKIP
>>> render_static(state, "outputs/qala.png", width=1200, dpi=200)            # doctest: +SKIP
StaticReport(path='outputs/qala.png', format='png', width_px=1200, ...)
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mapper.atomic import write_atomic
from mapper.errors import OutputExists, RenderError
from mapper.model import ATTACKED, CONTESTED, CONTROLLED
from mapper.render.style import PathStyle, load_style
from mapper.render.titles import default_title
from mapper.timelabels import format_local, format_utc, local_offset_minutes
from mapper.timeline import DISPUTED, UNKNOWN, _aware

log = logging.getLogger(__name__)

FORMATS = ("png", "svg", "pdf")
#: Design width (u) of a single map, and of each panel of small multiples.
DESIGN_WIDTH = 600
PANEL_DESIGN_WIDTH = 300
#: Default output width in pixels = design width x this factor (1200 px for one map).
DEFAULT_PIXEL_FACTOR = 2
DEFAULT_DPI = 200
MAX_PIXELS = 12_000  # per side: beyond this an image is a mistake, not a map
MAX_PANELS = 8
#: Time steps examined when choosing small-multiple panels (more are sampled evenly).
MAX_PANEL_CANDIDATES = 400

# Colours and styles: one table shared with conflictmap.js / conflictmap.css (assets/style.json).
STYLE = load_style()
_C = STYLE.colours
CONTESTED_DEFAULT = _C["contested_default"]
DISPUTED_COLOUR = _C["disputed"]
UNKNOWN_COLOUR = _C["unknown"]
UNSTATED_COLOUR = _C["unstated"]
PATTERN_GROUND = _C["pattern_ground"]
INK = _C["ink"]
MAP_BACKGROUND = _C["map_background"]
LAND = _C["land"]
MUTED_TEXT = "#444444"  # static-only: header and credit lines
FONT = STYLE.font["static"]  # matplotlib's bundled font: measured for layout, always available
#: Fonts an SVG viewer without DejaVu Sans falls back to (Verdana is as wide; the others narrower).
SVG_FONT_STACK = STYLE.font["svg_stack"]

# Sizes in design units. No text is smaller than MIN_TEXT_U: with one design unit per pixel at
# 600 px (and more below, see render_static) that is 12 px, 9 pt on a screen at 96 px per inch.
MIN_TEXT_U = STYLE.font["min_px_at_600"]
MARGIN = 14
TITLE_SIZE = 18
SUBTITLE_SIZE = 13
ASOF_SIZE = 13
PANEL_TITLE_SIZE = 12
LABEL_SIZE = STYLE.label["name_size"]  # as the page's labels
LABEL_STATE_SIZE = STYLE.label["state_size"]
LEGEND_SIZE = 12
FOOTER_SIZE = 12
SCALE_SIZE = 12
PANEL_GAP = 12
PAD_U = 30  # padding around the data, as the interactive map's fitBounds padding
MIN_ASPECT, MAX_ASPECT = 0.55, 1.25  # map height / width
#: A label farther than this from its shape (design units) gets a leader line to it.
LEADER_GAP_U = 6
LEADER_WIDTH_U = 0.9
#: Placement cost of a label moved away (with a leader): as bad as hiding a whole unit's fill.
LEADER_COST = 2.0
#: Gap (design units) kept between a label and any other town's marker.
MARKER_CLEARANCE_U = 5
MAX_LABELS = STYLE.label["max_labels"]  # as the interactive map: more places are not labelled
#: Above this (weighted) share of its area over drawn data, the locator moves beside the title.
INSET_MAX_COVER = 0.12
HEADER_INSET_MAX_H = 80
#: Metres per pixel at Leaflet zoom 9 (its maxZoom when fitting bounds): the smallest extent shown.
MIN_METRES_PER_U = 305.75
EARTH_RADIUS = 6378137.0

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


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


@dataclass(frozen=True)
class StaticReport:
    """What :func:`render_static` wrote, with numbers."""

    path: str | None
    format: str
    width_px: int
    height_px: int
    dpi: int
    bytes: int
    seconds: float
    times: tuple = ()
    labels_placed: int = 0
    labels_hidden: int = 0
    extent: tuple = ()  # (min_lon, min_lat, max_lon, max_lat) shown
    #: Pixel geometry, for tests and image maps (x0, y0, x1, y1 from the top left):
    map_boxes: tuple = ()  # one box per panel
    label_boxes: tuple = ()  # per panel, the boxes of the labels placed
    anchors: tuple = ()  # per panel, {place name: (x, y)} a point inside each drawn place
    scalebar: tuple = ()  # (km, bar length in pixels) per scale bar drawn
    labels: tuple = ()  # per panel, a LabelPlacement per label placed
    markers: tuple = ()  # per panel, {place name: town marker radius in projected metres}
    min_text_px: float = 0.0  # smallest text drawn, in pixels of the image

    def summary(self) -> str:
        when = ", ".join(t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ") for t in self.times)
        return (
            f"Static map: {self.path} ({self.format.upper()}, {self.width_px} x {self.height_px} px at "
            f"{self.dpi} dpi, {self.bytes / 1e3:.0f} kB, {len(self.times)} panel{'s' if len(self.times) != 1 else ''}"
            f"{': ' + when if when else ''}; {self.labels_placed} labels placed, {self.labels_hidden} hidden "
            f"to avoid overlaps) in {self.seconds:.2f} s"
        )


# ----------------------------------------------------------------------------------- helpers
def clean_text(text) -> str:
    """Input text made safe to draw: control characters and lone surrogates become spaces.

    (Mathtext is off for every text, so ``$`` needs no escaping.)

    Examples
    --------
    >>> clean_text("Qala\\x00-e-Naw\\x1b[31m")
    'Qala -e-Naw [31m'
    """
    return _CONTROL_CHARS.sub(" ", str(text or "")).replace("\t", " ")


def lonlat_to_merc(lon: float, lat: float) -> tuple:
    """Web Mercator (EPSG:3857) metres of a (lon, lat) point; latitude clamped to +-85."""
    lat = max(-85.0, min(85.0, lat))
    return (
        math.radians(lon) * EARTH_RADIUS,
        math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * EARTH_RADIUS,
    )


def merc_to_lat(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y / EARTH_RADIUS)) - math.pi / 2)


def _project(geom):
    """Shapely geometry (lon, lat) -> Web Mercator metres."""
    import numpy as np
    import shapely

    def fwd(coords):
        lon = coords[:, 0]
        lat = np.clip(coords[:, 1], -85.0, 85.0)
        return np.column_stack(
            [
                np.radians(lon) * EARTH_RADIUS,
                np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * EARTH_RADIUS,
            ]
        )

    return shapely.transform(geom, fwd)


def parse_bbox(text: str) -> tuple:
    """``"min_lon,min_lat,max_lon,max_lat"`` -> floats; raises ValueError with the fix.

    Examples
    --------
    >>> parse_bbox("60.5, 29.3, 75, 38.5")
    (60.5, 29.3, 75.0, 38.5)
    >>> parse_bbox("29.3,95,38.5,75")
    Traceback (most recent call last):
    ...
    ValueError: bbox '29.3,95,38.5,75': latitudes 95.0 and 75.0 are not both in -85..85 (order is min_lon,min_lat,max_lon,max_lat, e.g. 60.5,29.3,75,38.5)
    """
    parts = [p.strip() for p in str(text).split(",")]
    hint = "(order is min_lon,min_lat,max_lon,max_lat, e.g. 60.5,29.3,75,38.5)"
    if len(parts) != 4:
        raise ValueError(f"bbox {text!r} has {len(parts)} numbers, expected 4 {hint}")
    try:
        x0, y0, x1, y1 = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"bbox {text!r} is not four numbers {hint}") from None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        raise ValueError(f"bbox {text!r} has a value that is not finite {hint}")
    if not (-85 <= y0 <= 85 and -85 <= y1 <= 85):
        raise ValueError(f"bbox {text!r}: latitudes {y0} and {y1} are not both in -85..85 {hint}")
    if not (-180 <= x0 <= 180 and -180 <= x1 <= 180):
        raise ValueError(
            f"bbox {text!r}: longitudes {x0} and {x1} are not both in -180..180 {hint}"
        )
    if x0 >= x1 or y0 >= y1:
        raise ValueError(f"bbox {text!r}: min must be less than max on both axes {hint}")
    return (x0, y0, x1, y1)


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


# ----------------------------------------------------------------------------------- styles
@dataclass(frozen=True)
class _Style:
    """Fill, pattern and outline of one drawn place, colours resolved (from the shared style table)."""

    face: str = "none"
    face_alpha: float = 0.0
    hatch1: str = ""  # colour of "/" lines (contested stripes; disputed cross-hatch)
    hatch2: str = ""  # colour of "\" lines (disputed cross-hatch)
    hatch_width_u: float = 0.0
    hatch_spacing_u: float = 0.0  # between line centres, perpendicular to the lines
    edge: str = INK
    edge_alpha: float = 1.0
    width_u: float = 1.0
    dash_u: tuple | None = None
    radius_u: float = 0.0


def _actor_colour(timeline, name: str) -> str:
    if not name:
        return UNSTATED_COLOUR
    actor = timeline.actors.get(name)
    return actor.colour if actor else UNSTATED_COLOUR


def _pattern_colours(timeline, a) -> tuple:
    cs = [_actor_colour(timeline, n) for n in a.actors]
    if a.status == CONTESTED:
        return (cs[0] if cs else CONTESTED_DEFAULT, cs[1] if len(cs) > 1 else PATTERN_GROUND)
    return (
        cs[0] if cs else DISPUTED_COLOUR,
        cs[1] if len(cs) > 1 else (cs[0] if cs else DISPUTED_COLOUR),
    )


def _pattern_geometry(which: str) -> dict:
    """Line spacing and widths (u) of the stripes/hatch, as the page draws them (style.json ``pattern``)."""
    pat = STYLE.pattern[which]
    if which == "unit":  # an SVG pattern of `period` px, rotated 45 degrees: lines `period` apart
        spacing = pat["period"]
    else:  # a canvas tile with corner-to-corner diagonals: lines tile/sqrt(2) apart
        spacing = pat["tile"] / math.sqrt(2)
    return {"spacing": spacing, "stripe": pat["stripe"], "hatch": pat["hatch"]}


def _resolve(timeline, a, st: PathStyle, which: str) -> _Style:
    """A table style (colour tokens: actor, stripes, hatch) as drawable colours for assessment ``a``."""
    actor = _actor_colour(timeline, a.actor)
    edge = actor if st.color == "actor" else st.color
    s = dict(
        edge=edge, edge_alpha=st.opacity, width_u=st.weight, dash_u=st.dash, radius_u=st.radius,
        face_alpha=st.fill_opacity,
    )
    if st.fill_color in ("stripes", "hatch"):
        c1, c2 = _pattern_colours(timeline, a)
        geo = _pattern_geometry(which)
        if st.fill_color == "stripes":  # the second side's colour, striped with the first's
            s.update(face=c2, hatch1=c1, hatch_width_u=geo["stripe"])
        else:  # white, cross-hatched in the two claimed colours
            s.update(face=PATTERN_GROUND, hatch1=c1, hatch2=c2, hatch_width_u=geo["hatch"])
        s["hatch_spacing_u"] = geo["spacing"]
    else:
        s["face"] = actor if st.fill_color == "actor" else st.fill_color
    if s["face_alpha"] <= 0:
        s.update(face="none", hatch1="", hatch2="")
    return _Style(**s)


def unit_style(timeline, a, place, outline_only: bool) -> _Style:
    """Style of an admin unit / approximate area for assessment ``a`` (conflictmap.js unitStyle, same table)."""
    st = STYLE.unit_style(
        a.status, kind=place.kind, drawn_as=place.drawn_as, outline_only=outline_only
    )
    return _fade(timeline, a, _resolve(timeline, a, st, "unit"))


def point_style(timeline, a) -> _Style:
    """Style of a town marker (conflictmap.js pointStyle, same table); radius before scaling to the map."""
    return _fade(timeline, a, _resolve(timeline, a, STYLE.point_style(a.status), "point"))


def _fade(timeline, a, style: _Style) -> _Style:
    """A state older than ``--stale-after``, drawn lighter by the rule table's factor (assess.js ``fade``)."""
    if not getattr(a, "stale", False):
        return style
    k = timeline.rules["stale"]["fill_opacity_factor"]
    return dataclasses.replace(style, face_alpha=style.face_alpha * k, edge_alpha=style.edge_alpha * max(k, 0.5))


def _plain_style(st: PathStyle, **kw) -> _Style:
    """A table style without tokens (basemap, legend keys) as a drawable style."""
    s = dict(
        face=st.fill_color if st.fill_color not in ("", None) else "none",
        face_alpha=st.fill_opacity,
        edge=st.color,
        edge_alpha=st.opacity,
        width_u=st.weight,
        dash_u=st.dash,
        radius_u=st.radius,
    )
    s.update(kw)
    return _Style(**s)


def short_label(a) -> str:
    """Second line of a place label (as conflictmap.js shortLabel)."""
    label = a.short_label  # the rule table's short labels (mapper/render/assets/rules.json), as the page
    if getattr(a, "stale", False) and getattr(a, "age_label", ""):
        label = f"{label} ({a.age_label})"  # an old report says how old it is, as the page's popup
    return label


# ----------------------------------------------------------------------------------- drawing context
class _Ctx:
    """Unit conversions for one figure: design units -> points, pixels, hatch densities."""

    def __init__(self, scale: float, dpi: int):
        self.s = scale  # pixels per design unit
        self.dpi = dpi
        self.pt = scale * 72.0 / dpi  # points per design unit
        from matplotlib.backends.backend_agg import RendererAgg
        from matplotlib.font_manager import FontProperties

        # Measured at the output resolution: hinting makes small text relatively wider.
        self._renderer = RendererAgg(4, 4, dpi)
        self._fp = FontProperties
        self._cache: dict = {}

    def measure(self, text: str, size_u: float, bold: bool = False) -> tuple:
        """(width, height) of one line of text in design units."""
        size_u = max(size_u, MIN_TEXT_U)
        key = (text, size_u, bold)
        if key not in self._cache:
            fp = self._fp(family=FONT, size=size_u * self.pt, weight="bold" if bold else "normal")
            w, h, d = self._renderer.get_text_width_height_descent(text or " ", fp, ismath=False)
            self._cache[key] = (w / self.s, size_u * 1.17)
        return self._cache[key]

    def wrap(self, text: str, size_u: float, width_u: float, bold: bool = False) -> list:
        lines = []
        for para in clean_text(text).split("\n"):
            words, line = para.split(), ""
            for w in words:
                trial = f"{line} {w}".strip()
                if line and self.measure(trial, size_u, bold)[0] > width_u:
                    lines.append(line)
                    line = w
                else:
                    line = trial
            lines.append(line)
        return [ln for ln in lines if ln] or [""]

    def lw(self, u: float) -> float:
        return u * self.pt

    def dashes(self, dash_u) -> object:
        return "solid" if not dash_u else (0, tuple(d * self.pt for d in dash_u))


def _text(ax, x, y, s, size_u, ctx, **kw):
    kw.setdefault("color", INK)
    kw.setdefault("family", FONT)
    size_u = max(size_u, MIN_TEXT_U)
    return ax.text(
        x, y, clean_text(s), fontsize=size_u * ctx.pt, parse_math=False, usetex=False, **kw
    )


def _add_patch(ax, patch):
    """``ax.add_patch`` without its data-limit update (a Python loop over every vertex of an
    outline, seconds for a country): every axes here has fixed limits."""
    ax.add_artist(patch)
    return patch


def _patch(ax, path_or_patch, style: _Style, ctx, zorder: float, *, clip=True):
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


def _pattern_lines(ax, clip_patch, direction: int, colour: str, style: _Style, ctx, zorder: float):
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


def _geom_path(geom):
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


# ----------------------------------------------------------------------------------- the figure
@dataclass
class _Panel:
    t: datetime
    rect: tuple  # (x, y, w, h) in design units (y down)
    extent: tuple  # projected (x0, y0, x1, y1)

    @property
    def rect_box(self) -> tuple:
        x, y, w, h = self.rect
        return (x, y, x + w, y + h)


def _px(box, ctx) -> tuple:
    return tuple(round(v * ctx.s, 1) for v in box)


def _extent_for(state, keys, bbox, box_aspect: float | None, map_w_u: float) -> tuple:
    """Projected extent (x0, y0, x1, y1) and map aspect (h/w) for the data or a given lon/lat bbox."""
    xs, ys = [], []
    if bbox is not None:
        for lon, lat in ((bbox[0], bbox[1]), (bbox[2], bbox[3])):
            x, y = lonlat_to_merc(lon, lat)
            xs.append(x)
            ys.append(y)
        pad_u = 0
    else:
        for k in keys:
            p = state.timeline.places[k]
            if p.geometry is not None and not p.geometry.is_empty:
                x0, y0, x1, y1 = p.geometry.bounds
                for lon, lat in ((x0, y0), (x1, y1)):
                    x, y = lonlat_to_merc(lon, lat)
                    xs.append(x)
                    ys.append(y)
            elif p.lat is not None and p.lon is not None:
                x, y = lonlat_to_merc(p.lon, p.lat)
                r = (
                    (p.radius_m or 0) / max(0.05, math.cos(math.radians(p.lat)))
                    if p.drawn_as == "approximate"
                    else 0
                )
                xs += [x - r, x + r]
                ys += [y - r, y + r]
        pad_u = PAD_U
    if not xs:  # nothing to draw: the basemap, else a default view of Afghanistan (as the HTML map)
        geoms = [g for _, _, g in state.basemap if g is not None]
        if geoms:
            for g in geoms:
                x0, y0, x1, y1 = g.bounds
                for lon, lat in ((x0, y0), (x1, y1)):
                    x, y = lonlat_to_merc(lon, lat)
                    xs.append(x)
                    ys.append(y)
        else:
            for lon, lat in ((60.5, 29.4), (75.0, 38.5)):
                x, y = lonlat_to_merc(lon, lat)
                xs.append(x)
                ys.append(y)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    min_span = MIN_METRES_PER_U * map_w_u
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    if w < min_span and h < min_span * (box_aspect or 1.0):
        f = min_span / w
        w, h = w * f, h * f
        w, h = max(w, min_span), max(h, 1.0)
    # Padding (the interactive map fits bounds with 30 px padding).
    usable = max(map_w_u - 2 * pad_u, map_w_u * 0.5)
    w = w * map_w_u / usable
    h = h * map_w_u / usable
    aspect = box_aspect if box_aspect is not None else min(MAX_ASPECT, max(MIN_ASPECT, h / w))
    if h / w > aspect:
        w = h / aspect
    else:
        h = w * aspect
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), aspect


def _legend_items(state, drawn_kinds: set) -> list:
    """(kind, style args, text) for the legend, in the interactive map's order."""
    tl = state.timeline
    used = []
    for e in tl.entries:
        if e.actor and e.actor not in used:
            used.append(e.actor)
    order = {a.name: i for i, a in enumerate(tl.actors)}
    used.sort(key=lambda n: order.get(n, 1e9))
    from mapper.timeline import Assessment

    items = []
    place = _FakePlace("admin2", "unit")
    for name in used:
        items.append(
            (
                "unit",
                unit_style(tl, Assessment(CONTROLLED, name, (name,)), place, False),
                f"Controlled by {name}",
            )
        )
    two = tuple(used[:2])
    items.append(
        (
            "unit",
            unit_style(tl, Assessment(CONTESTED, "", two), place, False),
            "Contested (fighting reported)",
        )
    )
    items.append(
        (
            "unit",
            unit_style(tl, Assessment(DISPUTED, "", two), place, False),
            "Disputed: claims disagree",
        )
    )
    items.append(
        (
            "unit",
            unit_style(tl, Assessment(ATTACKED), place, False),
            "Attack reported (no change of control)",
        )
    )
    items.append(("unit", unit_style(tl, Assessment(UNKNOWN), place, False), "No current claim"))
    if "approximate" in drawn_kinds:
        items.append(
            (
                "ring",
                _plain_style(STYLE.legend_style("approximate"), face="none"),
                "Approximate area",
            )
        )
    if "point" in drawn_kinds:
        colour = _actor_colour(tl, used[0]) if used else UNKNOWN_COLOUR
        items.append(
            (
                "dot",
                _plain_style(STYLE.legend_style("town"), face=colour, face_alpha=1),
                "Circles: towns and cities",
            )
        )
    return items


@dataclass(frozen=True)
class _FakePlace:
    kind: str
    drawn_as: str


def _footer_text(state, version: str) -> list:
    parts = []
    sources = list(state.sources)
    if sources:
        shown = sources[:6]
        more = f" and {len(sources) - 6} more" if len(sources) > 6 else ""
        parts.append("Claims: " + "; ".join(shown) + more + ".")
    attribution = [a for a in state.attribution if a]
    if attribution:
        parts.append(" \u00b7 ".join(attribution) + ".")
    parts.append(
        "Colours show what the claims say, not verified control. Made with conflictmap "
        f"{version}.".replace("  ", " ")
    )
    return parts


def _data_weights(state, keys, per_u: float) -> list:
    """(projected geometry, weight) of what the map draws: an inset should not hide it."""
    from shapely.geometry import Point

    out = []
    for k in keys:
        p = state.timeline.places[k]
        try:
            if p.drawn_as == "unit" and p.geometry is not None and not p.geometry.is_empty:
                if p.kind != "country":  # a country claim is drawn as an outline only
                    out.append((_project(p.geometry), 1.0))
            elif p.lat is not None and p.lon is not None:
                cx, cy = lonlat_to_merc(p.lon, p.lat)
                if p.drawn_as in ("approximate", "unit"):
                    r = (p.radius_m or 5000.0) / max(0.05, math.cos(math.radians(p.lat)))
                    out.append((Point(cx, cy).buffer(r, 16), 1.0))
                else:  # a town and its label
                    out.append((Point(cx, cy).buffer(per_u * 20, 8), 3.0))
        except Exception as err:  # an invalid geometry is not an obstacle
            log.debug("no weight for %s: %s", k, err)
    return out


def _legend_layout(widths: list, available: float) -> list:
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


def _choose_corner(panel_extent, geoms_proj, frac_w, frac_h) -> tuple:
    """The map corner where an inset of that size covers the least drawn data (top-right preferred).

    Returns (corner, share of the inset's area over drawn data, weighted).
    """
    from shapely.geometry import box as sbox

    x0, y0, x1, y1 = panel_extent
    w, h = (x1 - x0) * frac_w, (y1 - y0) * frac_h
    corners = {
        "top-right": sbox(x1 - w, y1 - h, x1, y1),
        "top-left": sbox(x0, y1 - h, x0 + w, y1),
        "bottom-right": sbox(x1 - w, y0, x1, y0 + h),
        "bottom-left": sbox(x0, y0, x0 + w, y0 + h),
    }
    best, best_cost = "top-right", None
    for name, b in corners.items():
        cost = 0.0
        for g, weight in geoms_proj:
            try:
                if g.intersects(b):
                    cost += weight * (
                        g.intersection(b).area if g.area > 0 else (x1 - x0) * (y1 - y0) * 0.01
                    )
            except Exception:  # an invalid polygon must not break the layout
                continue
        if best_cost is None or cost < best_cost - 1e-9:
            best, best_cost = name, cost
    return best, (best_cost or 0.0) / max(w * h, 1e-9)


def _nice_km(max_km: float) -> float:
    if max_km <= 0:
        return 1.0
    exp = math.floor(math.log10(max_km))
    for m in (5, 2, 1):
        v = m * 10**exp
        if v <= max_km:
            return v
    return 10**exp


def render_static(
    state,
    output=None,
    *,
    at: datetime | None = None,
    times: Sequence[datetime] | None = None,
    panels: int | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    width: int | None = None,
    dpi: int = DEFAULT_DPI,
    extent: tuple | None = None,
    transparent: bool = False,
    overwrite: bool = False,
    fmt: str | None = None,
    labels: bool = True,
) -> StaticReport:
    """Draw the map state as a PNG, SVG or PDF.

    Parameters
    ----------
    state
        A :class:`mapper.state.MapState` (see :func:`mapper.state.prepare_state`)
        (the value :func:`mapper.render.html.render_html` writes too).
    output
        File to write (format from its suffix unless ``fmt``), or a binary file object with ``fmt``.
    at
        Instant shown (default ``state.at``: where the interactive map opens).
    times, panels
        Small multiples: these instants, or ``panels`` instants from
        :func:`panel_times` (ending at ``at``), side by side with one legend.
    title, subtitle
        Default title: ``state.title`` (the interactive map's).
    width, dpi
        Image width in pixels (default 1200 for one map, 600 per panel) and
        resolution recorded in the file; an SVG/PDF is ``width / dpi`` inches wide.
    extent
        ``(min_lon, min_lat, max_lon, max_lat)`` to show instead of the data's bounds.
    transparent
        Transparent page background (PNG/SVG/PDF); the map itself keeps its colours.
    labels
        Label places (greedy placement, no overlaps); False for thumbnails.

    Raises
    ------
    RenderError
        Unknown format, bad size, nothing to draw.
    OutputExists
        The output exists and ``overwrite`` is False.
    """
    t0 = time.perf_counter()
    import matplotlib

    from mapper import __version__

    if isinstance(output, (str, os.PathLike)):
        output = Path(output)
        fmt = (fmt or output.suffix.lstrip(".")).lower()
        if output.exists() and not overwrite:
            raise OutputExists(f"{output} exists; pass overwrite=True (--overwrite) to replace it")
    fmt = (fmt or "png").lower()
    if fmt not in FORMATS:
        raise RenderError(
            f"output format {fmt!r} is not one of {', '.join(FORMATS)}; name the file .png, .svg or .pdf"
        )
    if not isinstance(dpi, int) or not 20 <= dpi <= 1200:
        raise RenderError(
            f"dpi {dpi!r} is not between 20 and 1200; e.g. 200 for print, 96 for screens"
        )

    tl = state.timeline
    if times:
        when = sorted({_aware(t) for t in times})
    elif panels and panels > 1:
        if panels > MAX_PANELS:
            raise RenderError(f"{panels} panels is too many; at most {MAX_PANELS} fit side by side")
        when = panel_times(tl, panels, end=at or state.at, start=state.t_from)
    else:
        base = at or state.at
        when = [_aware(base)] if base is not None else []
    if len(when) > MAX_PANELS:
        raise RenderError(f"{len(when)} times is too many panels; at most {MAX_PANELS}")
    if not when:
        when = [None]
    n = len(when)
    W = (
        DESIGN_WIDTH
        if n == 1
        else max(DESIGN_WIDTH, n * PANEL_DESIGN_WIDTH + (n - 1) * PANEL_GAP + 2 * MARGIN)
    )
    width = int(width) if width else W * DEFAULT_PIXEL_FACTOR
    if not 200 <= width <= MAX_PIXELS:
        raise RenderError(f"width {width} px is outside 200..{MAX_PIXELS}; e.g. 1200")
    # Narrower than the design: lay out on fewer design units (one per pixel), so text never
    # shrinks below MIN_TEXT_U pixels; the map gets the room the text leaves.
    W = min(W, width)
    ctx = _Ctx(width / W, dpi)
    ctx.W = W
    title = clean_text(title if title is not None else state.title).strip() or default_title(tl)
    subtitle = clean_text(subtitle or "").strip()
    offset = _offset_minutes(tl)

    # ---- layout (design units, y down) ----
    inner = W - 2 * MARGIN
    panel_w = (inner - (n - 1) * PANEL_GAP) / n
    keys = list(state.keys) or [k for k in tl.places if tl.claims_for(k)]
    ext, aspect = _extent_for(state, keys, extent, None, panel_w)
    map_h = panel_w * aspect
    # Locator inset: in the corner of the (first) map that hides the least data, else beside the title.
    inset_w = max(84.0, min(150.0, panel_w * 0.26))
    region, inset_aspect = _locator_region(ext)
    inset_h = inset_w * inset_aspect
    if inset_h > map_h * 0.45:
        inset_h = map_h * 0.45
        inset_w = inset_h / inset_aspect
    per_u = (ext[2] - ext[0]) / panel_w
    corner, covered = _choose_corner(
        ext, _data_weights(state, keys, per_u), inset_w / panel_w, inset_h / map_h
    )
    in_header = covered > INSET_MAX_COVER
    text_w = inner - (inset_w + 12 if in_header else 0)
    y = MARGIN
    header = []  # (x, y, text, size, bold, colour)
    for line in ctx.wrap(title, TITLE_SIZE, text_w, bold=True):
        header.append((MARGIN, y, line, TITLE_SIZE, True, INK))
        y += TITLE_SIZE * 1.25
    if subtitle:
        for line in ctx.wrap(subtitle, SUBTITLE_SIZE, text_w):
            header.append((MARGIN, y, line, SUBTITLE_SIZE, False, MUTED_TEXT))
            y += SUBTITLE_SIZE * 1.3
    if n == 1 and when[0] is not None:
        lead = "Status as of"
        space = ASOF_SIZE * 0.32
        date = format_utc(when[0])
        local = format_local(when[0], offset)
        header.append((MARGIN, y + 2, lead, ASOF_SIZE, False, INK))
        lx = MARGIN + ctx.measure(lead, ASOF_SIZE)[0] + space
        header.append((lx, y + 2, date, ASOF_SIZE, True, INK))
        if local:
            lx2 = lx + ctx.measure(date, ASOF_SIZE, True)[0] + space
            rest = f"({local})"
            if lx2 + ctx.measure(rest, ASOF_SIZE)[0] > MARGIN + text_w:
                y += ASOF_SIZE * 1.3
                lx2 = MARGIN
            header.append((lx2, y + 2, rest, ASOF_SIZE, False, MUTED_TEXT))
        y += ASOF_SIZE * 1.3 + 2
    elif n > 1:
        header.append(
            (
                MARGIN,
                y + 2,
                f"Status at {n} times (UTC{_offset_text(offset)})",
                ASOF_SIZE,
                False,
                INK,
            )
        )
        y += ASOF_SIZE * 1.3 + 2
    if in_header:
        if inset_h > HEADER_INSET_MAX_H:
            inset_w, inset_h = inset_w * HEADER_INSET_MAX_H / inset_h, HEADER_INSET_MAX_H
        inset = {"rect": (W - MARGIN - inset_w, MARGIN, inset_w, inset_h), "corner": ""}
        y = max(y, MARGIN + inset_h + 4)
    else:
        inset = {"rect": None, "corner": corner, "size": (inset_w, inset_h)}
    inset["region"] = region
    y += 6
    panel_head = (PANEL_TITLE_SIZE * 1.25 * (2 if offset else 1) + 4) if n > 1 else 0
    panels_layout = []
    for i, t in enumerate(when):
        px = MARGIN + i * (panel_w + PANEL_GAP)
        panels_layout.append(_Panel(t, (px, y + panel_head, panel_w, map_h), ext))
    y += panel_head + map_h + 10

    drawn_kinds = {tl.places[k].drawn_as for k in keys}
    legend = _legend_items(state, drawn_kinds)
    sw_w, sw_h, gap = 22, 14, 6
    widths = [sw_w + gap + ctx.measure(text, LEGEND_SIZE)[0] + 14 for _, _, text in legend]
    legend_pos = _legend_layout(widths, inner)
    rows = max(r for _, r in legend_pos) + 1
    legend_y = y
    y += rows * 19 + 6
    footer = []
    for part in _footer_text(state, __version__):
        for line in ctx.wrap(part, FOOTER_SIZE, inner):
            footer.append((MARGIN, y, line))
            y += FOOTER_SIZE * 1.3
    H = y + MARGIN - 4
    height_px = int(round(H * ctx.s))
    if height_px > MAX_PIXELS:
        raise RenderError(
            f"the image would be {height_px} px high; use a smaller --width or fewer panels"
        )

    # ---- figure ----
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rc = {
        "svg.fonttype": "none",
        "svg.hashsalt": "conflictmap",
        "text.parse_math": False,
        "text.usetex": False,
        "lines.scale_dashes": False,
        "pdf.fonttype": 42,
        "font.family": FONT,
        "hatch.linewidth": ctx.lw(1.5),
        "path.simplify": True,
    }
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(width / dpi, height_px / dpi), dpi=dpi)
        FigureCanvasAgg(fig)
        fig.patch.set_facecolor("none" if transparent else "#ffffff")
        fig.patch.set_alpha(0.0 if transparent else 1.0)
        Hf = height_px / ctx.s  # design height matching the integer pixel height
        ctx.H = Hf

        def add_axes(x, yy, w, h, **kw):
            ax = fig.add_axes((x / W, 1 - (yy + h) / Hf, w / W, h / Hf), **kw)
            return ax

        page = add_axes(0, 0, W, Hf)
        page.set_xlim(0, W)
        page.set_ylim(Hf, 0)
        page.set_axis_off()
        for hx, hy, text, size, bold, colour in header:
            _text(
                page,
                hx,
                hy,
                text,
                size,
                ctx,
                va="top",
                ha="left",
                weight="bold" if bold else "normal",
                color=colour,
            )
        for fx, fy, line in footer:
            _text(page, fx, fy, line, FOOTER_SIZE, ctx, va="top", ha="left", color=MUTED_TEXT)

        # Labels, panel titles and scale bars go on a transparent sheet above the maps.
        over = add_axes(0, 0, W, Hf)
        over.set_xlim(0, W)
        over.set_ylim(Hf, 0)
        over.set_axis_off()
        over.set_zorder(20)
        infos = [
            _draw_panel(fig, over, add_axes, state, panel, ctx, n, offset, pi, labels, inset)
            for pi, panel in enumerate(panels_layout)
        ]
        placed_total = sum(i["placed"] for i in infos)
        hidden_total = sum(i["hidden"] for i in infos)

        # Legend (shared).
        for i, (kind, style, text) in enumerate(legend):
            cx_, r = legend_pos[i]
            lx = MARGIN + cx_
            ly = legend_y + r * 19
            if kind == "unit":
                _patch(page, _rect_path(lx + 1, ly + 1, sw_w - 2, sw_h - 2), style, ctx, 5)
            elif kind == "ring":
                _patch(page, ("circle", (lx + sw_w / 2, ly + sw_h / 2), 6.5), style, ctx, 5)
            else:
                _patch(
                    page, ("circle", (lx + sw_w / 2, ly + sw_h / 2), style.radius_u), style, ctx, 5
                )
            _text(
                page,
                lx + sw_w + gap,
                ly + sw_h / 2,
                text,
                LEGEND_SIZE,
                ctx,
                va="center_baseline",
                ha="left",
            )

        meta_title = title
        buf = output if output is not None and not isinstance(output, Path) else None
        metadata = {
            "png": {"Title": meta_title, "Software": f"conflictmap {__version__}"},
            "svg": {"Title": meta_title, "Creator": f"conflictmap {__version__}", "Date": None},
            "pdf": {
                "Title": meta_title,
                "Creator": f"conflictmap {__version__}",
                "CreationDate": None,
            },
        }[fmt]
        import io

        sink = io.BytesIO()
        fig.savefig(
            sink,
            format=fmt,
            dpi=dpi,
            transparent=transparent,
            metadata=metadata,
            facecolor="none" if transparent else "#ffffff",
        )
        data = sink.getvalue()
        if fmt == "svg":
            data = _svg_font_fallback(data)
        if isinstance(output, Path):
            write_atomic(output, data)  # renamed into place, with the user's umask
        elif buf is not None:
            buf.write(data)
        text_px = [
            t.get_fontsize() * dpi / 72.0 for a in fig.axes for t in a.texts if t.get_text().strip()
        ]
    size = len(data)
    seconds = time.perf_counter() - t0
    x0, y0, x1, y1 = ext
    lon0, lon1 = math.degrees(x0 / EARTH_RADIUS), math.degrees(x1 / EARTH_RADIUS)
    report = StaticReport(
        path=str(output) if isinstance(output, Path) else None,
        format=fmt,
        width_px=width,
        height_px=height_px,
        dpi=dpi,
        bytes=size,
        seconds=seconds,
        times=tuple(t for t in when if t is not None),
        labels_placed=placed_total,
        labels_hidden=hidden_total,
        map_boxes=tuple(_px(p.rect_box, ctx) for p in panels_layout),
        label_boxes=tuple(tuple(_px(b, ctx) for b in i["labels"]) for i in infos),
        anchors=tuple(
            {
                tl.places[k].name: tuple(round(v * ctx.s, 1) for v in uv)
                for k, uv in i["anchors"].items()
            }
            for i in infos
        ),
        labels=tuple(
            tuple(
                LabelPlacement(
                    name,
                    _px(box, ctx),
                    tuple(round(v * ctx.s, 1) for v in anchor),
                    round(gap * ctx.s, 1),
                    tuple(tuple(round(v * ctx.s, 1) for v in pt) for pt in leader) if leader else None,
                )
                for name, box, anchor, gap, leader in i["placements"]
            )
            for i in infos
        ),
        markers=tuple(dict(i["markers"]) for i in infos),
        min_text_px=round(min(text_px), 2) if text_px else 0.0,
        scalebar=tuple(
            (km, round(length * ctx.s, 2))
            for km, length in (i["scalebar"] for i in infos if i["scalebar"])
        ),
        extent=(
            round(lon0, 4),
            round(merc_to_lat(y0), 4),
            round(lon1, 4),
            round(merc_to_lat(y1), 4),
        ),
    )
    log.info("%s", report.summary())
    return report


def _svg_font_fallback(data: bytes) -> bytes:
    """Give every text element of matplotlib's SVG a font stack, not DejaVu Sans alone.

    Only ``style`` attributes of ``<text>`` elements are touched (input text is
    escaped inside elements, so ``<text`` cannot appear in it).
    """
    pattern = re.compile(rb"(<text style=\"[^\"]*?)font-family: 'DejaVu Sans'")
    return pattern.sub(rb"\1font-family: " + SVG_FONT_STACK.encode("ascii"), data)


def _offset_minutes(tl) -> int:
    return local_offset_minutes(tl)


def _offset_text(offset: int) -> str:
    if not offset:
        return ""
    a = abs(offset)
    return f"; local times at UTC{'-' if offset < 0 else '+'}{a // 60:02d}:{a % 60:02d}"


def _rect_path(x, y, w, h):
    from matplotlib.path import Path as MplPath

    return MplPath([(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)], closed=True)


def marker_radius_u(base_u: float, ground_km: float, per_u: float, unit_area_m2=None) -> float:
    """Radius (design units) of a town marker on a map ``ground_km`` wide (style.json ``point_scale``).

    ``base_u`` is the table's radius; ``per_u`` projected metres per design unit;
    ``unit_area_m2`` the projected area of the smallest unit around the town, if any.

    Examples
    --------
    >>> marker_radius_u(9, 100, 200.0)      # a city-scale map: full size
    9.0
    >>> round(marker_radius_u(9, 1500, 2500.0), 2)      # a country: smaller
    6.2
    >>> round(marker_radius_u(9, 1500, 2500.0, unit_area_m2=2e9), 2)   # in a small province: a quarter of it
    5.05
    >>> marker_radius_u(9, 1500, 2500.0, unit_area_m2=3e8)   # never below the minimum
    3
    """
    rule = STYLE.data["point_scale"]
    full, small, factor = rule["full_up_to_km"], rule["smallest_at_km"], rule["smallest_factor"]
    if ground_km <= full:
        f = 1.0
    elif ground_km >= small:
        f = factor
    else:
        f = 1.0 + (factor - 1.0) * math.log(ground_km / full) / math.log(small / full)
    r = base_u * f
    if unit_area_m2 and per_u > 0:
        r_max = math.sqrt(rule["max_share_of_unit"] * unit_area_m2 / math.pi) / per_u
        r = min(r, r_max)
    return max(min(rule["min_radius"], base_u), r)


def _draw_panel(
    fig,
    page,
    add_axes,
    state,
    panel: _Panel,
    ctx: _Ctx,
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
        _text(
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
            _text(
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
            pg = _project(g)
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
        path = _geom_path(pg)
        if path is None:
            continue
        if kind == "country":
            _patch(
                ax, path, _plain_style(STYLE.basemap_style("country"), face_alpha=1), ctx, 1
            )
        else:
            _patch(
                ax, path, _plain_style(STYLE.basemap_style("admin1"), face="none"), ctx, 2
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
                    area = _project(g).area
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
            path = _geom_path(pg)
            if path is None:
                continue
            _patch(
                ax, path, unit_style(tl, a, p, outline_only), ctx, 3 + order.get(p.kind, 4) * 0.1
            )
            shapes[k] = ("unit", pg, None)
        elif p.lat is not None and p.lon is not None:
            cx, cy = lonlat_to_merc(p.lon, p.lat)
            if p.drawn_as in ("approximate", "unit"):
                r = (p.radius_m or 5000.0) / max(0.05, math.cos(math.radians(p.lat)))
                _patch(
                    ax,
                    ("circle", (cx, cy), r),
                    unit_style(tl, a, _FakePlace(p.kind, "approximate"), False),
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
                st = _Style(**{**st.__dict__, "radius_u": radius})
                _patch(ax, ("circle", (cx, cy), radius * per_u), st, ctx, 6)
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
        _draw_locator(
            fig, add_axes, state, inset["region"], panel.extent, (ix, iy, inset_w, inset_h), ctx
        )
        scalebar = _draw_scalebar(page, panel, ctx, "right" if corner == "bottom-left" else "left")
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
                and visible.area < 0.5 * _project(p.geometry).area
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
        _text(
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
            _text(
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


def _unknown():
    from mapper.timeline import Assessment

    return Assessment(UNKNOWN)


def _inside(r, outer) -> bool:
    return r[0] >= outer[0] and r[1] >= outer[1] and r[2] <= outer[2] and r[3] <= outer[3]


def _grow(r, d: float) -> tuple:
    return (r[0] - d, r[1] - d, r[2] + d, r[3] + d)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]


def _locator_region(extent) -> tuple:
    """Projected region around the extent for the locator inset, and its aspect (h/w)."""
    x0, y0, x1, y1 = extent
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    lat = merc_to_lat(cy)
    # At least ~35 degrees of longitude, or 5x the map: enough to show the neighbours.
    min_w = math.radians(35) * EARTH_RADIUS
    w = max((x1 - x0) * 5, min_w)
    h = w * 0.72
    y_top = lonlat_to_merc(0, 84)[1]
    y_bot = lonlat_to_merc(0, -84)[1]
    ry0, ry1 = max(y_bot, cy - h / 2), min(y_top, cy + h / 2)
    del lat
    return (cx - w / 2, ry0, cx + w / 2, ry1), (ry1 - ry0) / w


def _draw_locator(fig, add_axes, state, region, extent, rect, ctx):
    """Small map of the region (country outlines) with the map's extent outlined."""
    from matplotlib.patches import Rectangle

    rx0, ry0, rx1, ry1 = region
    lon0, lon1 = math.degrees(rx0 / EARTH_RADIUS), math.degrees(rx1 / EARTH_RADIUS)
    lat0, lat1 = merc_to_lat(ry0), merc_to_lat(ry1)
    outlines = []
    gz = getattr(state, "gazetteer", None)
    if gz is not None:
        try:
            outlines = [
                (p.name, g)
                for p, g in gz.outlines((lon0, lat0, lon1, lat1), kinds=("country",))
                if g is not None
            ]
        except Exception as err:  # the inset is context; without outlines it shows the frame only
            log.debug("no outlines for the locator: %s", err)
    if not outlines:
        outlines = [
            (name, g) for name, kind, g in state.basemap if kind == "country" and g is not None
        ]
    x, y, w, h = rect
    ax = add_axes(x, y, w, h)
    ax.set_zorder(30)
    ax.set_xlim(rx0, rx1)
    ax.set_ylim(ry0, ry1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(MAP_BACKGROUND)
    for sp in ax.spines.values():
        sp.set_edgecolor("#555555")
        sp.set_linewidth(ctx.lw(1))
    tol = (rx1 - rx0) / w * 0.6
    from shapely.geometry import box as sbox

    view = sbox(rx0, ry0, rx1, ry1)
    for _, g in outlines:
        try:
            pg = _project(g)
            if not pg.intersects(view):
                continue
            pg = pg.simplify(tol, preserve_topology=True)
        except Exception:
            continue
        path = _geom_path(pg)
        if path is not None:
            _patch(
                ax, path, _plain_style(STYLE.basemap_style("country"), face_alpha=1, width_u=0.6), ctx, 1
            )
    ex0, ey0, ex1, ey1 = extent
    per_u = (rx1 - rx0) / w
    min_size = 5 * per_u  # a tiny extent is still visible as a small square
    cx, cy = (ex0 + ex1) / 2, (ey0 + ey1) / 2
    ew, eh = max(ex1 - ex0, min_size), max(ey1 - ey0, min_size)
    # The extent box: a black frame over a wider white halo, readable on any fill.
    for colour, width, z in (("#ffffff", 3.2, 5), ("#000000", 1.6, 6)):
        ax.add_patch(
            Rectangle((cx - ew / 2, cy - eh / 2), ew, eh, facecolor="none", edgecolor=colour,
                      linewidth=ctx.lw(width), zorder=z)
        )
    return ax


def _draw_scalebar(page, panel: _Panel, ctx: _Ctx, side: str) -> tuple:
    """A km scale bar at the bottom of the panel, true at the latitude of the map's centre.

    Returns (its box, km, length in design units).
    """
    from matplotlib.patches import Rectangle

    mx, my, mw, mh = panel.rect
    x0, y0, x1, y1 = panel.extent
    lat = merc_to_lat((y0 + y1) / 2)
    metres_per_u = (x1 - x0) / mw * math.cos(math.radians(lat))
    max_u = min(120.0, mw * 0.3)
    km = _nice_km(max_u * metres_per_u / 1000)
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
    _text(page, bx + length + 5, by + 1, label, SCALE_SIZE, ctx, va="center", ha="left", zorder=22)
    return (bx - 4, by - 10, bx + length + lw_ + 10, by + 7), km, length


__all__ = [
    "DEFAULT_DPI",
    "FORMATS",
    "LabelPlacement",
    "StaticReport",
    "clean_text",
    "panel_times",
    "parse_bbox",
    "point_style",
    "marker_radius_u",
    "render_static",
    "unit_style",
]
