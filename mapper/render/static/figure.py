""":func:`render_static`: checks the request, lays out the page, draws it and writes the file."""

from __future__ import annotations

import logging
import math
import os
import re
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from mapper.atomic import write_atomic
from mapper.errors import OutputExists, RenderError
from mapper.render.static.context import FONT, SVG_FONT_STACK, DrawContext, clean_text, draw_text
from mapper.render.static.labels import LabelPlacement
from mapper.render.static.layout import (
    DEFAULT_PIXEL_FACTOR,
    MARGIN,
    PageLayout,
    layout_page,
    page_width_u,
)
from mapper.render.static.legend import draw_legend
from mapper.render.static.panels import draw_panel, panel_times
from mapper.render.static.projection import EARTH_RADIUS, LonLatBox, merc_to_lat
from mapper.render.static.report import StaticReport
from mapper.render.titles import default_title
from mapper.timelabels import local_offset_minutes
from mapper.timeline import _aware

log = logging.getLogger(__name__)

FORMATS = ("png", "svg", "pdf")
DEFAULT_DPI = 200
MAX_PIXELS = 12_000  # per side: beyond this an image is a mistake, not a map
MAX_PANELS = 8


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
    extent: LonLatBox | None = None,
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
        A :class:`LonLatBox` to show instead of the data's bounds.
    transparent
        Transparent page background (PNG/SVG/PDF); the map itself keeps its colours.
    labels
        Label places (greedy placement, no overlaps); False for thumbnails.

    Raises
    ------
    RenderError
        Unknown format, bad size, an extent that is not a LonLatBox, nothing to draw.
    OutputExists
        The output exists and ``overwrite`` is False.
    """
    t0 = time.perf_counter()
    import matplotlib

    from mapper import __version__

    output, fmt = _check_request(output, fmt, dpi, overwrite)
    if extent is not None and not isinstance(extent, LonLatBox):
        raise RenderError(
            f"extent {extent!r} is not a LonLatBox; give "
            "LonLatBox(min_lon, min_lat, max_lon, max_lat)"
        )
    tl = state.timeline
    when = _instants(state, at, times, panels)
    n = len(when)
    W = page_width_u(n)
    width = int(width) if width else W * DEFAULT_PIXEL_FACTOR
    if not 200 <= width <= MAX_PIXELS:
        raise RenderError(f"width {width} px is outside 200..{MAX_PIXELS}; e.g. 1200")
    # Narrower than the design: lay out on fewer design units (one per pixel), so text never
    # shrinks below MIN_TEXT_U pixels; the map gets the room the text leaves.
    W = min(W, width)
    ctx = DrawContext(width / W, dpi, W)
    title = clean_text(title if title is not None else state.title).strip() or default_title(tl)
    offset = local_offset_minutes(tl)
    page_layout = layout_page(
        state, when, ctx, title=title, subtitle=clean_text(subtitle or "").strip(), extent=extent,
        offset=offset, version=__version__,
    )
    if page_layout.height_px > MAX_PIXELS:
        raise RenderError(
            f"the image would be {page_layout.height_px} px high; use a smaller --width or "
            "fewer panels"
        )
    with matplotlib.rc_context(_rc_params(ctx)):
        fig, infos = _draw_figure(
            state, page_layout, ctx, width, dpi, n, offset, labels, transparent
        )
        data = _encode(fig, fmt, dpi, transparent, title, __version__)
        if isinstance(output, Path):
            write_atomic(output, data)  # renamed into place, with the user's umask
        elif output is not None:
            output.write(data)
        text_px = [
            t.get_fontsize() * dpi / 72.0 for a in fig.axes for t in a.texts if t.get_text().strip()
        ]
    report = _report(
        state, output, fmt, width, dpi, page_layout, when, infos, ctx, data,
        min_text_px=round(min(text_px), 2) if text_px else 0.0,
        seconds=time.perf_counter() - t0,
    )
    log.info("%s", report.summary())
    return report


def _check_request(output, fmt: str | None, dpi, overwrite: bool) -> tuple:
    """(output as a Path or file object, format), or RenderError / OutputExists."""
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
    return output, fmt


def _instants(state, at, times, panels) -> list:
    """The instant of each panel: ``times``, else ``panels`` instants ending at ``at``, else
    ``at`` (default: where the interactive map opens); ``[None]`` when nothing has a time."""
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
    return when or [None]


def _rc_params(ctx: DrawContext) -> dict:
    """matplotlib settings for the figure: text stays text (SVG, PDF), no mathtext, no TeX."""
    return {
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


def _draw_figure(state, page_layout: PageLayout, ctx: DrawContext, width: int, dpi: int, n: int,
                 offset: int, labels: bool, transparent: bool) -> tuple:
    """The figure: header and credits, the maps (labels on a sheet above them), the legend.

    Returns (figure, a :class:`PanelResult` per panel).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    W = page_layout.width_u
    height_px = page_layout.height_px
    fig = Figure(figsize=(width / dpi, height_px / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    fig.patch.set_facecolor("none" if transparent else "#ffffff")
    fig.patch.set_alpha(0.0 if transparent else 1.0)
    Hf = height_px / ctx.s  # design height matching the integer pixel height
    ctx.H = Hf

    def add_axes(x, yy, w, h, **kw):
        ax = fig.add_axes((x / W, 1 - (yy + h) / Hf, w / W, h / Hf), **kw)
        return ax

    page = _sheet(add_axes, W, Hf)
    for line in page_layout.header:
        draw_text(
            page,
            line.x,
            line.y,
            line.text,
            line.size,
            ctx,
            va="top",
            ha="left",
            weight="bold" if line.bold else "normal",
            color=line.colour,
        )
    for line in page_layout.footer:
        draw_text(
            page, line.x, line.y, line.text, line.size, ctx, va="top", ha="left", color=line.colour
        )

    # Labels, panel titles and scale bars go on a transparent sheet above the maps.
    over = _sheet(add_axes, W, Hf)
    over.set_zorder(20)
    infos = [
        draw_panel(fig, over, add_axes, state, panel, ctx, n, offset, pi, labels, page_layout.inset)
        for pi, panel in enumerate(page_layout.panels)
    ]
    draw_legend(
        page, page_layout.legend, page_layout.legend_positions, MARGIN, page_layout.legend_top, ctx
    )
    return fig, infos


def _sheet(add_axes, W: float, H: float):
    """Axes over the whole page in design units (y down), without frame or ticks."""
    ax = add_axes(0, 0, W, H)
    ax.set_xlim(0, W)
    ax.set_ylim(H, 0)
    ax.set_axis_off()
    return ax


def _encode(fig, fmt: str, dpi: int, transparent: bool, title: str, version: str) -> bytes:
    """The figure as PNG/SVG/PDF bytes, titled, without a creation date (reproducible files)."""
    import io

    metadata = {
        "png": {"Title": title, "Software": f"conflictmap {version}"},
        "svg": {"Title": title, "Creator": f"conflictmap {version}", "Date": None},
        "pdf": {
            "Title": title,
            "Creator": f"conflictmap {version}",
            "CreationDate": None,
        },
    }[fmt]
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
    return data


def _report(state, output, fmt, width, dpi, page_layout: PageLayout, when, infos, ctx, data, *,
            min_text_px: float, seconds: float) -> StaticReport:
    """The report, design units turned into pixels of the image."""
    places = state.timeline.places
    x0, y0, x1, y1 = page_layout.extent
    lon0, lon1 = math.degrees(x0 / EARTH_RADIUS), math.degrees(x1 / EARTH_RADIUS)

    def px(point) -> tuple:
        return tuple(round(v * ctx.s, 1) for v in point)

    return StaticReport(
        path=str(output) if isinstance(output, Path) else None,
        format=fmt,
        width_px=width,
        height_px=page_layout.height_px,
        dpi=dpi,
        bytes=len(data),
        seconds=seconds,
        times=tuple(t for t in when if t is not None),
        labels_placed=sum(len(i.labels.placed) for i in infos),
        labels_hidden=sum(i.labels.hidden for i in infos),
        map_boxes=tuple(px(p.rect_box) for p in page_layout.panels),
        label_boxes=tuple(tuple(px(pl.box) for pl in i.labels.placed) for i in infos),
        anchors=tuple({places[k].name: px(uv) for k, uv in i.anchors.items()} for i in infos),
        labels=tuple(
            tuple(
                LabelPlacement(
                    pl.name,
                    px(pl.box),
                    px(pl.anchor),
                    round(pl.gap * ctx.s, 1),
                    tuple(px(pt) for pt in pl.leader) if pl.leader else None,
                )
                for pl in i.labels.placed
            )
            for i in infos
        ),
        markers=tuple(dict(i.markers) for i in infos),
        min_text_px=min_text_px,
        scalebar=tuple(
            (km, round(length * ctx.s, 2))
            for km, length in (i.scalebar for i in infos if i.scalebar)
        ),
        extent=(
            round(lon0, 4),
            round(merc_to_lat(y0), 4),
            round(lon1, 4),
            round(merc_to_lat(y1), 4),
        ),
    )


def _svg_font_fallback(data: bytes) -> bytes:
    """Give every text element of matplotlib's SVG a font stack, not DejaVu Sans alone.

    Only ``style`` attributes of ``<text>`` elements are touched (input text is
    escaped inside elements, so ``<text`` cannot appear in it).
    """
    pattern = re.compile(rb"(<text style=\"[^\"]*?)font-family: 'DejaVu Sans'")
    return pattern.sub(rb"\1font-family: " + SVG_FONT_STACK.encode("ascii"), data)
