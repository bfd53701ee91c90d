"""``conflictmap map``: claims files in, one self-contained interactive HTML map out."""

from __future__ import annotations

import logging
import webbrowser
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



def _output_path(value) -> Path:
    return output_path(value, (".html", ".htm"), "outputs/qala-e-naw.html")


@click.command("map")
@click.argument("claims", nargs=-1, required=True, type=click.Path(allow_dash=True))
@output_option(help="HTML file to write; a bare name goes into outputs/ (e.g. -o qala.html -> outputs/qala.html).")
@click.option("--title", metavar="TEXT", help="Title shown on the map (default: the places claimed most and the dates).")
@click.option("--at", "at", metavar="TIME", help="Open the map at this time (default: the latest claim), e.g. 2021-07-07T18:00.")
@click.option("--from", "t_from", metavar="TIME", help="First time on the slider, e.g. 2021-07-01.")
@click.option("--to", "t_to", metavar="TIME", help="Last time on the slider, e.g. 2021-07-31.")
@click.option("--view", type=click.Choice(["assessed", "claimant"]), default="assessed", show_default=True,
              help="assessed: combine the claims of the ticked claimants; claimant: one claimant's view at a time.")
@click.option("--tiles", type=click.Choice(["none", "osm", "carto"]), default="none", show_default=True,
              help="Online tile layer under the data. 'none' keeps the map fully offline (vector outlines only).")
@window_option
@dispute_window_option
@stale_after_option
@actors_option
@tz_option
@click.option("--export-counts", type=click.Path(dir_okay=False, path_type=Path), metavar="CSV",
              help="Also write the counts at the opening time, with the claim rows behind each number.")
@click.option("--embed", is_flag=True, help="Make the page for embedding in an article (CSS scoped to the map, no "
                                             "full-page assumptions); then see `conflictmap embed`.")
@click.option("--open", "open_browser", is_flag=True, help="Open the map in the default browser when done.")
@click.option("--allow-empty", is_flag=True, help="Write the map even when no input file could be read at all "
                                                   "(by default that is an error and nothing is written).")
@overwrite_option
@strict_option
@data_dir_option
def command(claims, output, title, at, t_from, t_to, view, tiles, window, dispute_window, stale_after, actors_file, tz,
            export_counts, embed, open_browser, allow_empty, overwrite, strict, data_dir):
    """Draw CLAIMS (CSV, JSON, GeoJSON, ACLED or UCDP files) as one HTML map of reported control.

    The map has a time slider (arrow keys, play/pause; the date is kept in the
    URL as #date=...), a filter by claimant, counts you can cite, and every
    claim's quote and source in the popups. It needs no network: Leaflet and
    the outlines are inside the file.

    The report on stderr lists, most urgent first: draft claims that
    `conflictmap extract` flagged (flags column); every claim not on the map;
    places outside their row's admin1/admin2 (drawn as an approximate area in
    that unit, never as a namesake elsewhere); outliers (far from the file's
    other places, or alone in their country); the approximate placements (all
    of them in OUTPUT.unresolved.csv); one line per actor not in the registry.
    Doubtful places also carry a warning in their popup. The map is still
    made unless --strict.

    \b
    Examples:
      conflictmap map examples/qala-e-naw-2021/claims.csv -o outputs/qala-e-naw.html \\
          --title "Qala-e-Naw, July 2021" --tz Asia/Kabul
      conflictmap map acled.csv ucdp.csv -o outputs/north.html --from 2021-06-01 --to 2021-08-15 \\
          --export-counts outputs/north-counts.csv
    """
    from mapper.pipeline import build_map
    from mapper.state import MapOptions

    out = _output_path(output)
    check_overwrite(out, overwrite)
    if export_counts is not None:
        check_overwrite(export_counts, overwrite)
    actors = load_actors(actors_file)
    gz = open_gazetteer(data_dir)
    with mapper_errors(gz):
        options = MapOptions(title=title, at=at, t_from=t_from, t_to=t_to, window=window,
                             dispute_window=dispute_window, stale_after=stale_after, actors=actors, strict=strict, tz=tz)
        result = build_map(
            list(claims), gazetteer=gz, output=out, options=options, view=view, tiles=tiles, overwrite=overwrite,
            export_counts=export_counts, embed=embed, allow_empty=allow_empty,
        )
    if not is_quiet():
        click.echo(result.summary(), err=True)
    click.echo(str(result.output))
    if strict and result.rejected:
        raise SystemExit(1)
    if open_browser:
        webbrowser.open(result.output.resolve().as_uri())
