"""``conflictmap export``: claims or the assessment over time as GeoJSON, GeoPackage, GeoParquet, KML or CSV."""

from __future__ import annotations

import click

from mapper.cli.options import (
    Duration,
    actors_option,
    check_overwrite,
    data_dir_option,
    dispute_window_option,
    is_quiet,
    load_actors,
    mapper_errors,
    open_gazetteer,
    output_option,
    overwrite_option,
    stale_after_option,
    strict_option,
    tz_option,
    window_option,
)


@click.command("export")
@click.argument("claims", nargs=-1, required=True, type=click.Path(allow_dash=True))
@output_option(help="Output file: .geojson, .gpkg, .parquet (GeoParquet), .kml or .csv.")
@click.option("--what", type=click.Choice(["claims", "assessment"]), default="claims", show_default=True,
              help="claims: each claim with its place's geometry; assessment: per place, the intervals over "
              "which the assessed status stays the same, with the claims behind it.")
@click.option("--at", "at", metavar="TIME", help="Only what is current at this time, e.g. 2021-07-07T18:00.")
@click.option("--every", type=Duration(), metavar="PERIOD",
              help="Assessment snapshots every PERIOD (e.g. 1d, 12h) from the first claim to the last step.")
@window_option
@dispute_window_option
@stale_after_option
@actors_option
@tz_option
@strict_option
@overwrite_option
@data_dir_option
def command(claims, output, what, at, every, window, dispute_window, stale_after, actors_file, tz, strict,
            overwrite, data_dir):
    """Export CLAIMS, or the assessment derived from them, for GIS tools and Google Earth.

    Geometry in (lon, lat) order, times in UTC; KML has a <TimeSpan> per feature
    so Google Earth's time slider plays the assessment. The file is written
    atomically and never replaces an existing one without --overwrite.

    \b
    Examples:
      conflictmap export examples/qala-e-naw-2021/claims.csv -o outputs/qala-claims.geojson
      conflictmap export examples/qala-e-naw-2021/claims.csv --what assessment -o outputs/qala.kml
      conflictmap export claims.csv --what assessment --every 1d -o outputs/daily.gpkg
    """
    from mapper.export import export, fmt_for
    from mapper.state import MapOptions, prepare_state

    if at and every:
        raise click.UsageError("give --at or --every, not both")
    if every and what == "claims":
        raise click.UsageError("--every applies to --what assessment")
    with mapper_errors():
        fmt_for(output)
    check_overwrite(output, overwrite)
    actors = load_actors(actors_file)
    gz = open_gazetteer(data_dir)
    with mapper_errors(gz):
        options = MapOptions(at=at, window=window, actors=actors, strict=strict, tz=tz,
                             dispute_window=dispute_window, stale_after=stale_after)
        state = prepare_state(list(claims), gazetteer=gz, options=options)
    if not is_quiet():
        if state.load is not None:
            click.echo(state.load.summary(), err=True)
        missing = [u for u in state.unresolved if not u.mapped_as]
        if missing:
            click.echo(f"{len(missing)} claim(s) not exported: their places are not in the gazetteer "
                       "(see `conflictmap map` for the full report).", err=True)
    with mapper_errors():
        res = export(state, output, what=what, at=state.at if at else None, every=every, overwrite=overwrite)
    if not is_quiet():
        click.echo(f"{res.features} {res.what} feature(s) of {res.places} place(s) written to {res.path}", err=True)
