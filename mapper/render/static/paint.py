"""How each drawn place is painted: the shared style table's entries resolved to drawable colours.

Every colour, width, dash and radius comes from the one table both maps read
(``assets/style.json`` through :mod:`mapper.render.style`); this module only turns its tokens
(``actor``, ``stripes``, ``hatch``) into the colours of the sides, fades stale states and scales
town markers to the map. ``MUTED_TEXT`` is the one static-only colour (header and credits).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from mapper.model import CONTESTED
from mapper.render.style import PathStyle, load_style

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


@dataclass(frozen=True)
class DrawStyle:
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


@dataclass(frozen=True)
class PlaceKind:
    """What is drawn: the place's gazetteer kind and how it is drawn (unit, approximate...)."""

    kind: str
    drawn_as: str


def actor_colour(timeline, name: str) -> str:
    """The colour of actor ``name`` in the timeline, or UNSTATED_COLOUR for none or an unknown one."""
    if not name:
        return UNSTATED_COLOUR
    actor = timeline.actors.get(name)
    return actor.colour if actor else UNSTATED_COLOUR


def _pattern_colours(timeline, a) -> tuple:
    cs = [actor_colour(timeline, n) for n in a.actors]
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


def _resolve(timeline, a, st: PathStyle, which: str) -> DrawStyle:
    """A table style (colour tokens: actor, stripes, hatch) as drawable colours for assessment ``a``."""
    actor = actor_colour(timeline, a.actor)
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
    return DrawStyle(**s)


def unit_style(timeline, a, place, outline_only: bool) -> DrawStyle:
    """Style of an admin unit / approximate area for assessment ``a`` (conflictmap.js unitStyle, same table)."""
    st = STYLE.unit_style(
        a.status, kind=place.kind, drawn_as=place.drawn_as, outline_only=outline_only
    )
    return _fade(timeline, a, _resolve(timeline, a, st, "unit"))


def point_style(timeline, a) -> DrawStyle:
    """Style of a town marker (conflictmap.js pointStyle, same table); radius before scaling to the map."""
    return _fade(timeline, a, _resolve(timeline, a, STYLE.point_style(a.status), "point"))


def _fade(timeline, a, style: DrawStyle) -> DrawStyle:
    """A state older than ``--stale-after``, drawn lighter by the rule table's factor (assess.js ``fade``)."""
    if not getattr(a, "stale", False):
        return style
    k = timeline.rules["stale"]["fill_opacity_factor"]
    return dataclasses.replace(style, face_alpha=style.face_alpha * k, edge_alpha=style.edge_alpha * max(k, 0.5))


def plain_style(st: PathStyle, **kw) -> DrawStyle:
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
    return DrawStyle(**s)


def short_label(a) -> str:
    """Second line of a place label (as conflictmap.js shortLabel)."""
    label = a.short_label  # the rule table's short labels (mapper/render/assets/rules.json), as the page
    if getattr(a, "stale", False) and getattr(a, "age_label", ""):
        label = f"{label} ({a.age_label})"  # an old report says how old it is, as the page's popup
    return label


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
