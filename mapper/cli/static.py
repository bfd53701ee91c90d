"""``conflictmap static``: claims in, a publication-quality PNG, SVG or PDF map out."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from mapper.cli.options import (
    actors_option,
    check_overwrite,
    data_dir_option,
    dispute_window_option,
    is_quiet,
    load_actors,
    mapper_errors,
    open_gazetteer,
    output_option,
    output_path,
    overwrite_option,
    stale_after_option,
    strict_option,
    tz_option,
    window_option,
)

log = logging.getLogger(__name__)

#: Where images go when -o is a bare file name (as for `conflictmap map`).
SUFFIXES = (".png", ".svg", ".pdf")
#: Margin around a place given as --extent, as a share of its size on each side.
PLACE_MARGIN = 0.08


def _output_path(value) -> Path:
    return output_path(value, SUFFIXES, "outputs/qala-e-naw.png")


#: How a bbox is written, quoted in every --extent error.
BBOX_HINT = "(order is min_lon,min_lat,max_lon,max_lat, e.g. 60.5,29.3,75,38.5)"


def parse_bbox(text: str):
    """``"min_lon,min_lat,max_lon,max_lat"`` -> :class:`~mapper.render.static.LonLatBox`.

    Raises :class:`click.BadParameter` (for ``--extent``) naming the value and the order.

    Examples
    --------
    >>> parse_bbox("60.5, 29.3, 75, 38.5")
    LonLatBox(min_lon=60.5, min_lat=29.3, max_lon=75.0, max_lat=38.5)
    >>> parse_bbox("29.3,95,38.5,75")
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: bbox '29.3,95,38.5,75': latitudes 95.0 and 75.0 are not both in -85..85 (order is min_lon,min_lat,max_lon,max_lat, e.g. 60.5,29.3,75,38.5)
    """
    from mapper.render.static import LonLatBox

    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 4:
        raise click.BadParameter(
            f"bbox {text!r} has {len(parts)} numbers, expected 4 {BBOX_HINT}", param_hint="--extent"
        )
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise click.BadParameter(
            f"bbox {text!r} is not four numbers {BBOX_HINT}", param_hint="--extent"
        ) from None
    try:
        return LonLatBox(*values)
    except ValueError as err:
        raise click.BadParameter(f"bbox {text!r}: {err} {BBOX_HINT}", param_hint="--extent") from err


def _extent(value, gz):
    """--extent: a lon/lat bbox, or a place name whose bounds are shown (a LonLatBox, or None)."""
    import re

    from shapely.errors import ShapelyError

    from mapper.placing import GAZETTEER_READ_ERRORS
    from mapper.render.static import LonLatBox

    if value is None:
        return None
    if re.fullmatch(r"[-+0-9.eE,\s]+", value):
        return parse_bbox(value)
    res = gz.resolve(value)
    if res.best is None or res.status == "not_found":
        hint = f"; did you mean: {', '.join(res.suggestions[:5])}" if res.suggestions else ""
        raise click.BadParameter(
            f"place {value!r} not found in the gazetteer{hint}. Give a place name or "
            "min_lon,min_lat,max_lon,max_lat (e.g. 60.5,29.3,75,38.5)",
            param_hint="--extent",
        )
    place = res.best.place
    if res.status == "ambiguous":
        log.warning("--extent %r is ambiguous; using %s (%s)", value, place.name, place.id)
    geom = None
    try:
        geom = gz.geometry(place) if place.has_geometry else None
    except (*GAZETTEER_READ_ERRORS, ShapelyError) as err:  # no polygon: the bbox or the point
        log.debug("no geometry for %s: %s", place.id, err)
    if geom is not None and not geom.is_empty and geom.geom_type in ("Polygon", "MultiPolygon"):
        box = tuple(geom.bounds)
    elif place.bbox and place.bbox[0] < place.bbox[2]:
        box = tuple(place.bbox)
    else:
        box = (place.lon - 0.5, place.lat - 0.4, place.lon + 0.5, place.lat + 0.4)
    # A margin around the place, so its outline does not touch the frame.
    dx, dy = (box[2] - box[0]) * PLACE_MARGIN, (box[3] - box[1]) * PLACE_MARGIN
    try:
        return LonLatBox(
            min_lon=max(-180.0, box[0] - dx),
            min_lat=max(-85.0, box[1] - dy),
            max_lon=min(180.0, box[2] + dx),
            max_lat=min(85.0, box[3] + dy),
        )
    except ValueError as err:
        raise click.BadParameter(
            f"the bounds of {place.name} ({place.id}) cannot be shown: {err}; give "
            f"min_lon,min_lat,max_lon,max_lat instead {BBOX_HINT}",
            param_hint="--extent",
        ) from err


def _steps(value, tz):
    from mapper.errors import MapperError
    from mapper.timelabels import parse_when

    out = []
    for part in [p.strip() for p in value.split(",") if p.strip()]:
        try:
            out.append(parse_when(part, tz=tz))
        except MapperError as err:
            raise click.BadParameter(f"{part!r}: {err}", param_hint="--steps") from err
    if not out:
        raise click.BadParameter(
            f"{value!r} names no time; e.g. --steps 2021-07-05,2021-07-06T12:00,2021-07-08",
            param_hint="--steps",
        )
    return out


@click.command("static")
@click.argument("claims", nargs=-1, required=True, type=click.Path(allow_dash=True))
@output_option(help="Image to write: .png, .svg or .pdf; a bare name goes into outputs/.")
@click.option(
    "--at",
    "at",
    metavar="TIME",
    help="Show the state at this time (default: the latest claim, where "
    "the interactive map opens), e.g. 2021-07-07T18:00.",
)
@click.option(
    "--title",
    metavar="TEXT",
    help="Title (default: the places claimed most and the dates, as the interactive map).",
)
@click.option(
    "--subtitle", metavar="TEXT", help="Line under the title, e.g. the story it illustrates."
)
@click.option(
    "--width",
    type=click.IntRange(200, 12000),
    metavar="PX",
    help="Image width in pixels (default 1200; 600 per panel with --panels/--steps).",
)
@click.option(
    "--dpi",
    type=click.IntRange(20, 1200),
    default=200,
    show_default=True,
    help="Resolution recorded in the image; SVG/PDF are WIDTH/DPI inches wide.",
)
@click.option(
    "--extent",
    metavar="PLACE|BBOX",
    help="Area shown: a place name (e.g. Badghis) or "
    "min_lon,min_lat,max_lon,max_lat. Default: every place with claims.",
)
@click.option(
    "--panels",
    type=click.IntRange(1, 8),
    metavar="N",
    help="N maps side by side, from the first claim to --at, with one legend (before/during/after).",
)
@click.option(
    "--steps",
    "steps",
    metavar="T1,T2,...",
    help="Small multiples at these times (comma-separated).",
)
@click.option(
    "--transparent", is_flag=True, help="Transparent background instead of white (PNG, SVG, PDF)."
)
@window_option
@dispute_window_option
@stale_after_option
@actors_option
@tz_option
@click.option("--allow-empty", is_flag=True, help="Draw the map even when no input file could be read at all "
                                                   "(by default that is an error and nothing is written).")
@overwrite_option
@strict_option
@data_dir_option
def command(
    claims,
    output,
    at,
    title,
    subtitle,
    width,
    dpi,
    extent,
    panels,
    steps,
    transparent,
    window,
    dispute_window,
    stale_after,
    actors_file,
    tz,
    allow_empty,
    overwrite,
    strict,
    data_dir,
):
    """Draw CLAIMS as a static map image (PNG, SVG or PDF) for print and social media.

    Same places, colours (one style table), assessment, title and credits
    as the interactive map for the same claims and time; contested and
    disputed places are hatched. Adds labels inside or beside their places
    (with a leader line when moved), an "as of" line, a scale bar, a
    locator inset and the sources. No browser needed.

    \b
    Examples:
      conflictmap static examples/qala-e-naw-2021/claims.csv -o outputs/qala-e-naw.png \\
          --title "Qala-e-Naw, July 2021" --tz Asia/Kabul --at 2021-07-07T18:00
      conflictmap static claims.csv -o outputs/badghis-strip.svg --panels 3 --extent Badghis
      conflictmap static claims.csv -o outputs/strip.pdf --steps 2021-07-05,2021-07-07,2021-07-09
    """
    from mapper.pipeline import check_inputs_read
    from mapper.render.static import render_static
    from mapper.state import MapOptions, prepare_state

    if panels and steps:
        raise click.UsageError("give either --panels N or --steps T1,T2,..., not both")
    out = _output_path(output)
    check_overwrite(out, overwrite)
    actors = load_actors(actors_file)
    gz = open_gazetteer(data_dir)
    with mapper_errors(gz):
        box = _extent(extent, gz)
        times = _steps(steps, tz) if steps else None
        options = MapOptions(at=at, title=title, window=window, dispute_window=dispute_window,
                             stale_after=stale_after, actors=actors, strict=strict, tz=tz)
        state = prepare_state(list(claims), gazetteer=gz, options=options)
        check_inputs_read(state.load, allow_empty)
        report = render_static(
            state,
            out,
            times=times,
            panels=panels,
            subtitle=subtitle,
            width=width,
            dpi=dpi,
            extent=box,
            transparent=transparent,
            overwrite=overwrite,
        )
    if not is_quiet():
        if state.load is not None:
            click.echo(state.load.summary(), err=True)
        not_mapped = [u for u in state.unresolved if not u.mapped_as]
        if state.unresolved:
            click.echo(
                f"Places not linked to one gazetteer entry ({len(state.unresolved)}, "
                f"{len(not_mapped)} not on the map):",
                err=True,
            )
            for u in state.unresolved[:20]:
                click.echo(f"  {u}", err=True)
        click.echo(report.summary(), err=True)
    click.echo(str(out))
    if strict and state.load is not None and state.load.rejected:
        raise SystemExit(1)
