"""The drawing context: design units to points and pixels, text measured, cleaned and drawn."""

from __future__ import annotations

import re

from mapper.render.static.paint import INK, MAP_BACKGROUND, STYLE

FONT = STYLE.font["static"]  # matplotlib's bundled font: measured for layout, always available
#: Fonts an SVG viewer without DejaVu Sans falls back to (Verdana is as wide; the others narrower).
SVG_FONT_STACK = STYLE.font["svg_stack"]
# Sizes in design units. No text is smaller than MIN_TEXT_U: with one design unit per pixel at
# 600 px (and more below, see render_static) that is 12 px, 9 pt on a screen at 96 px per inch.
MIN_TEXT_U = STYLE.font["min_px_at_600"]
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def clean_text(text) -> str:
    """Input text made safe to draw: control characters and lone surrogates become spaces.

    (Mathtext is off for every text, so ``$`` needs no escaping.)

    Examples
    --------
    >>> clean_text("Qala\\x00-e-Naw\\x1b[31m")
    'Qala -e-Naw [31m'
    """
    return _CONTROL_CHARS.sub(" ", str(text or "")).replace("\t", " ")


class DrawContext:
    """Unit conversions for one figure: design units -> points, pixels, hatch densities.

    ``W`` is the page's design width; ``H`` its design height, set once the figure's integer
    pixel height is known (the stripe patterns need both).
    """

    def __init__(self, scale: float, dpi: int, width_u: float):
        self.s = scale  # pixels per design unit
        self.dpi = dpi
        self.W = width_u
        self.H: float | None = None
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
        """``text`` broken into lines no wider than ``width_u`` design units (one word may overflow)."""
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
        """A line width in points for ``u`` design units."""
        return u * self.pt

    def dashes(self, dash_u) -> object:
        """A matplotlib linestyle: "solid", or the dash pattern in design units converted to points."""
        return "solid" if not dash_u else (0, tuple(d * self.pt for d in dash_u))


def draw_text(ax, x, y, s, size_u, ctx, **kw):
    """Draw text ``s`` at data (x, y) with size in design units (at least MIN_TEXT_U); returns the Text."""
    kw.setdefault("color", INK)
    kw.setdefault("family", FONT)
    size_u = max(size_u, MIN_TEXT_U)
    return ax.text(
        x, y, clean_text(s), fontsize=size_u * ctx.pt, parse_math=False, usetex=False, **kw
    )


def framed_axes(add_axes, rect: tuple, extent: tuple, ctx: DrawContext, *, edge: str):
    """Map axes at ``rect`` (x, y, w, h in design units) over the projected ``extent``
    (x0, y0, x1, y1): no ticks, the map background and a 1-unit frame in colour ``edge``."""
    x0, y0, x1, y1 = extent
    ax = add_axes(*rect)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(MAP_BACKGROUND)
    for sp in ax.spines.values():
        sp.set_edgecolor(edge)
        sp.set_linewidth(ctx.lw(1))
    return ax
