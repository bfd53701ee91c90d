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
from mapper.render.static.insets import (
    HEADER_INSET_MAX_H,
    INSET_MAX_COVER,
    choose_corner,
    data_weights,
    locator_region,
)
from mapper.render.static.labels import LabelPlacement
from mapper.render.static.layout import (
    ASOF_SIZE,
    DEFAULT_PIXEL_FACTOR,
    DESIGN_WIDTH,
    FOOTER_SIZE,
    MARGIN,
    PANEL_DESIGN_WIDTH,
    PANEL_GAP,
    PANEL_TITLE_SIZE,
    SUBTITLE_SIZE,
    TITLE_SIZE,
    Panel,
    extent_for,
    offset_text,
)
from mapper.render.static.legend import LEGEND_SIZE, footer_text, legend_items, legend_layout
from mapper.render.static.paint import INK, MUTED_TEXT
from mapper.render.static.panels import draw_panel, panel_times
from mapper.render.static.projection import EARTH_RADIUS, merc_to_lat
from mapper.render.static.report import StaticReport
from mapper.render.static.shapes import draw_shape, rect_path
from mapper.render.titles import default_title
from mapper.timelabels import format_local, format_utc, local_offset_minutes
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
    ctx = DrawContext(width / W, dpi)
    ctx.W = W
    title = clean_text(title if title is not None else state.title).strip() or default_title(tl)
    subtitle = clean_text(subtitle or "").strip()
    offset = _offset_minutes(tl)

    # ---- layout (design units, y down) ----
    inner = W - 2 * MARGIN
    panel_w = (inner - (n - 1) * PANEL_GAP) / n
    keys = list(state.keys) or [k for k in tl.places if tl.claims_for(k)]
    ext, aspect = extent_for(state, keys, extent, None, panel_w)
    map_h = panel_w * aspect
    # Locator inset: in the corner of the (first) map that hides the least data, else beside the title.
    inset_w = max(84.0, min(150.0, panel_w * 0.26))
    region, inset_aspect = locator_region(ext)
    inset_h = inset_w * inset_aspect
    if inset_h > map_h * 0.45:
        inset_h = map_h * 0.45
        inset_w = inset_h / inset_aspect
    per_u = (ext[2] - ext[0]) / panel_w
    corner, covered = choose_corner(
        ext, data_weights(state, keys, per_u), inset_w / panel_w, inset_h / map_h
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
                f"Status at {n} times (UTC{offset_text(offset)})",
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
        panels_layout.append(Panel(t, (px, y + panel_head, panel_w, map_h), ext))
    y += panel_head + map_h + 10

    drawn_kinds = {tl.places[k].drawn_as for k in keys}
    legend = legend_items(state, drawn_kinds)
    sw_w, sw_h, gap = 22, 14, 6
    widths = [sw_w + gap + ctx.measure(text, LEGEND_SIZE)[0] + 14 for _, _, text in legend]
    legend_pos = legend_layout(widths, inner)
    rows = max(r for _, r in legend_pos) + 1
    legend_y = y
    y += rows * 19 + 6
    footer = []
    for part in footer_text(state, __version__):
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
            draw_text(
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
            draw_text(page, fx, fy, line, FOOTER_SIZE, ctx, va="top", ha="left", color=MUTED_TEXT)

        # Labels, panel titles and scale bars go on a transparent sheet above the maps.
        over = add_axes(0, 0, W, Hf)
        over.set_xlim(0, W)
        over.set_ylim(Hf, 0)
        over.set_axis_off()
        over.set_zorder(20)
        infos = [
            draw_panel(fig, over, add_axes, state, panel, ctx, n, offset, pi, labels, inset)
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
                draw_shape(page, rect_path(lx + 1, ly + 1, sw_w - 2, sw_h - 2), style, ctx, 5)
            elif kind == "ring":
                draw_shape(page, ("circle", (lx + sw_w / 2, ly + sw_h / 2), 6.5), style, ctx, 5)
            else:
                draw_shape(
                    page, ("circle", (lx + sw_w / 2, ly + sw_h / 2), style.radius_u), style, ctx, 5
                )
            draw_text(
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


def _px(box, ctx) -> tuple:
    return tuple(round(v * ctx.s, 1) for v in box)


def _svg_font_fallback(data: bytes) -> bytes:
    """Give every text element of matplotlib's SVG a font stack, not DejaVu Sans alone.

    Only ``style`` attributes of ``<text>`` elements are touched (input text is
    escaped inside elements, so ``<text`` cannot appear in it).
    """
    pattern = re.compile(rb"(<text style=\"[^\"]*?)font-family: 'DejaVu Sans'")
    return pattern.sub(rb"\1font-family: " + SVG_FONT_STACK.encode("ascii"), data)


def _offset_minutes(tl) -> int:
    return local_offset_minutes(tl)
