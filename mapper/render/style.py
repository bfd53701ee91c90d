"""The map styles, read from their one owner, ``assets/style.json``.

Both maps draw from the same table: the static renderer
(:mod:`mapper.render.static`) through :func:`load_style`, the interactive
page through its JSON data (``html.py`` puts :func:`page_style` under the
key ``style``; ``conflictmap.js`` reads fills, outlines, dash patterns,
marker radii and pattern sizes from it, and ``conflictmap.css`` reads the
label halo, label sizes and map background as CSS variables set from
:func:`css_variables`). So a colour, a dash or a radius is changed in one
place and both maps follow.

Style entries use Leaflet's path options (``color``, ``weight``,
``opacity``, ``dashArray``, ``fillColor``, ``fillOpacity``, ``radius``);
sizes are CSS pixels on the page and design units in static maps (one unit
is one pixel of a 600 px wide image). ``color`` and ``fillColor`` may be a
token instead of a colour: ``actor`` (the actor's colour), ``stripes`` or
``hatch`` (the contested and disputed patterns in the colours of the sides).

Examples
--------
>>> st = load_style()
>>> st.unit_style("controlled", kind="admin2").fill_color
'actor'
>>> st.unit_style("controlled", kind="admin1", outline_only=True).weight
3.2
>>> st.unit_style("unknown", kind="admin2", drawn_as="approximate").color
'#777777'
>>> st.point_style("disputed").dash
(4.0, 3.0)
>>> st.point_style("no-such-status").radius    # unknown statuses are drawn as "no current claim"
3.5
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

STYLE_PATH = Path(__file__).parent / "assets" / "style.json"
#: Tokens allowed in place of a colour.
TOKENS = ("actor", "stripes", "hatch")
STATUSES = ("controlled", "contested", "disputed", "attacked", "unknown")


@dataclass(frozen=True)
class PathStyle:
    """Fill and outline of one drawn shape (Leaflet path options, dash as numbers)."""

    color: str
    weight: float
    opacity: float = 1.0
    dash: tuple | None = None
    fill_color: str = "none"
    fill_opacity: float = 0.0
    radius: float = 0.0

    @classmethod
    def from_options(cls, o: Mapping) -> PathStyle:
        """A :class:`PathStyle` from Leaflet path options (``color``, ``weight``, ``dashArray``...)."""
        return cls(
            color=o.get("color", "none"),
            weight=float(o.get("weight", 0)),
            opacity=float(o.get("opacity", 1)),
            dash=parse_dash(o.get("dashArray")),
            fill_color=o.get("fillColor", "none"),
            fill_opacity=float(o.get("fillOpacity", 0)),
            radius=float(o.get("radius", 0)),
        )


def parse_dash(value) -> tuple | None:
    """``"7 5"`` -> ``(7.0, 5.0)``; None or "" -> None (a solid line).

    >>> parse_dash("1 5"), parse_dash(None)
    ((1.0, 5.0), None)
    """
    if not value:
        return None
    return tuple(float(x) for x in str(value).replace(",", " ").split())


def _apply(options: dict, rules: Mapping, status: str) -> None:
    """Overrides of one rule: ``all`` first, then the status's own; ``max_fill_opacity`` caps the fill."""
    cap = None
    for part in (rules.get("all", {}), rules.get(status, {})):
        for key, value in part.items():
            if key == "max_fill_opacity":
                cap = value
            else:
                options[key] = value
    if cap is not None:
        options["fillOpacity"] = min(options.get("fillOpacity", 0), cap)


@dataclass(frozen=True)
class StyleTable:
    """The parsed ``style.json``: typed accessors over read-only data."""

    data: Mapping

    @property
    def colours(self) -> Mapping:
        """Named colours (name -> CSS colour)."""
        return self.data["colours"]

    def colour(self, name: str) -> str:
        """The CSS colour called ``name`` (KeyError if unknown)."""
        return self.data["colours"][name]

    @property
    def label(self) -> Mapping:
        """Place label settings."""
        return self.data["label"]

    @property
    def font(self) -> Mapping:
        """Font settings."""
        return self.data["font"]

    @property
    def pattern(self) -> Mapping:
        """Stripe pattern settings (contested and partial areas)."""
        return self.data["pattern"]

    def unit_options(
        self, status: str, *, kind: str = "", drawn_as: str = "unit", outline_only: bool = False
    ) -> dict:
        """Leaflet options of an area (as conflictmap.js unitStyle): status, then the unit rules."""
        units, rules = self.data["unit"], self.data["unit_rules"]
        status = status if status in units else "unknown"
        o = dict(units[status])
        if kind in rules["thick_kinds"]:
            o["weight"] = max(o["weight"], rules["thick_min_weight"])
        if kind in rules["outline_only_kinds"]:
            outline_only = True  # a country-wide claim never paints the whole country
        if outline_only:
            _apply(o, rules["outline_only"], status)
        if drawn_as == "approximate":
            _apply(o, rules["approximate"], status)
        return o

    def unit_style(self, status: str, **kw) -> PathStyle:
        """``unit_options`` as a :class:`PathStyle`."""
        return PathStyle.from_options(self.unit_options(status, **kw))

    def point_style(self, status: str) -> PathStyle:
        """The style of a point place for ``status`` (the ``unknown`` one if the status has none)."""
        points = self.data["point"]
        return PathStyle.from_options(points.get(status, points["unknown"]))

    def basemap_style(self, kind: str) -> PathStyle:
        """The style of a basemap layer ``kind`` (the ``admin1`` one if the kind has none)."""
        base = self.data["basemap"]
        return PathStyle.from_options(base.get(kind, base["admin1"]))

    def legend_style(self, name: str) -> PathStyle:
        """The style of the legend swatch ``name``."""
        return PathStyle.from_options(self.data["legend"][name])


def _freeze(value):
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _check(data: dict, path) -> None:
    """Fail early, naming the entry, when the table is edited into something the maps cannot draw."""
    for group in ("unit", "point"):
        missing = [s for s in STATUSES if s not in data.get(group, {})]
        if missing:
            raise ValueError(f"{path}: '{group}' has no style for {', '.join(missing)}")
        for status, o in data[group].items():
            for key in ("color", "fillColor"):
                v = o.get(key)
                if not (isinstance(v, str) and (v in TOKENS or v.startswith("#"))):
                    raise ValueError(
                        f"{path}: {group}.{status}.{key} is {v!r}; expected a #rrggbb colour or one of "
                        f"{', '.join(TOKENS)}"
                    )
    if data.get("pattern", {}).get("angle") != 45:
        raise ValueError(f"{path}: pattern.angle must be 45 (the static maps hatch with / and \\)")


@cache
def load_style(path: str | None = None) -> StyleTable:
    """The style table (cached); ``path`` to try an edited copy."""
    p = Path(path) if path else STYLE_PATH
    data = json.loads(p.read_text(encoding="utf-8"))
    _check(data, p)
    return StyleTable(_freeze(data))


def page_style() -> dict:
    """The table as plain JSON data for the page (comments dropped)."""

    def thaw(v):
        if isinstance(v, Mapping):
            return {k: thaw(x) for k, x in v.items() if not k.startswith("_")}
        if isinstance(v, tuple):
            return [thaw(x) for x in v]
        return v

    return copy.deepcopy(thaw(load_style().data))


def css_variables() -> str:
    """``:root { --cm-...: ...; }`` for conflictmap.css: label halo and sizes, map background."""
    st = load_style()
    lab, col = st.label, st.colours
    halo = _rgba(lab["halo"], lab["halo_opacity"])
    values = {
        "--cm-map-bg": col["map_background"],
        "--cm-label-halo": halo,
        "--cm-label-colour": lab["colour"],
        "--cm-label-state-colour": lab["state_colour"],
        "--cm-label-size": f"{lab['name_size']}px",
        "--cm-label-state-size": f"{lab['state_size']}px",
        "--cm-label-weight": str(lab["name_weight"]),
        "--cm-label-radius": f"{lab['halo_radius']}px",
        "--cm-ctx-halo": st.data["context"]["halo"],
    }
    return ":root { " + " ".join(f"{k}: {v};" for k, v in values.items()) + " }"


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha:g})"


__all__ = [
    "PathStyle",
    "STYLE_PATH",
    "StyleTable",
    "css_variables",
    "load_style",
    "page_style",
    "parse_dash",
]
