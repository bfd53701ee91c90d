"""``conflictmap aggregate``: counts of events per admin unit and period, in-process or on Dask."""

from __future__ import annotations

import click

from mapper.cli.options import (
    check_overwrite,
    data_dir_option,
    is_quiet,
    mapper_errors,
    open_gazetteer,
    output_option,
    output_path,
    overwrite_option,
    strict_option,
    tz_option,
)

_SUFFIXES = (".csv", ".parquet", ".geojson")


def _per(ctx, param, value):
    from mapper.scale.aggregate import BREAKDOWNS

    items = [v.strip() for v in (value or "").split(",") if v.strip() and v.strip() != "none"]
    bad = [v for v in items if v not in BREAKDOWNS]
    if bad:
        raise click.BadParameter(f"{bad[0]!r}: give status, actor, both (actor,status) or none")
    return tuple(items)


@click.command("aggregate")
@click.argument("events", nargs=-1, required=True, type=click.Path())
@output_option(help="Output table: .csv, .parquet or .geojson (the units' polygons); a bare name goes into outputs/.")
@click.option("--by", type=click.Choice(["country", "admin1", "admin2"]), default="admin1", show_default=True,
              help="Units to count in: countries, provinces, or districts (polygons from an added boundary set, "
              "else by the rows' district names).")
@click.option("--every", type=click.Choice(["day", "week", "month"]), default="month", show_default=True,
              help="Period of each count (ISO weeks start on Monday).")
@click.option("--per", callback=_per, default="status", show_default=True, metavar="LIST",
              help="Break the counts down by status, actor, both (actor,status) or none. The output is a "
              "claims table `conflictmap map` reads only when it has the status.")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(["controlled", "contested", "attacked", "not_controlled"]),
              help="Count only events of this status (repeat for several).")
@click.option("--actor", "actors", multiple=True, metavar="NAME",
              help="Count only events of this actor, as the table names it (case ignored; repeat for several).")
@click.option("--scheduler", metavar="WHERE", default=None,
              help="Run on Dask: local, local:N (N worker processes here) or tcp://HOST:PORT of a running "
              "scheduler. Default: in this process, no cluster.")
@click.option("--chunk-rows", type=click.IntRange(min=1000), default=200_000, show_default=True, metavar="N",
              help="Rows per part (bounds the memory each worker needs).")
@tz_option
@strict_option
@overwrite_option
@data_dir_option
def command(events, output, by, every, per, statuses, actors, scheduler, chunk_rows, tz, strict, overwrite,
            data_dir):
    """Count the events of EVENTS (ACLED, UCDP GED or claims tables) per unit and period.

    Each row is counted in the unit its coordinates fall in (point in polygon),
    else in the unit its admin names resolve to (the `method` column says
    which); rows with neither are listed in OUT.unassigned.csv with their row
    numbers and why, as are rejected rows. CSV is streamed and Parquet read in
    parts, so memory stays bounded; --scheduler runs the same steps on Dask.
    The output is also a claims table: `conflictmap map OUT.csv` draws every
    counted unit with its counts.

    \b
    Examples:
      conflictmap aggregate acled.csv --by admin1 --every month -o outputs/acled-admin1.csv
      conflictmap aggregate events/ --by country --every week --per actor,status \\
          --scheduler local:4 -o outputs/weekly.parquet
      conflictmap map outputs/acled-admin1.csv -o outputs/acled-admin1.html
    """
    from mapper.errors import ClaimsFileError, ScaleError
    from mapper.scale.aggregate import AggregateSpec, aggregate, write_counts
    from mapper.scale.scheduler import dask_client, parse_scheduler

    out = output_path(output, _SUFFIXES, "outputs/counts.csv")
    check_overwrite(out, overwrite)
    try:
        spec = AggregateSpec(by=by, every=every, per=per, statuses=statuses, actors=actors, tz=tz)
        where = parse_scheduler(scheduler)
    except ScaleError as err:
        raise click.BadParameter(str(err)) from err
    gz = open_gazetteer(data_dir)
    with mapper_errors(gz):
        try:
            with dask_client(where) as client:
                if client is not None and not is_quiet():
                    click.echo(f"Dask: {where} ({len(client.scheduler_info().get('workers', {}))} workers)", err=True)
                result = aggregate(list(events), spec, gazetteer=gz, client=client, chunk_rows=chunk_rows,
                                   progress=None if is_quiet() else _progress)
        except ClaimsFileError as err:
            raise click.ClickException(str(err)) from err
        path = write_counts(result, out, gazetteer=gz, overwrite=overwrite)
    if not is_quiet():
        click.echo("", err=True)
        click.echo(result.summary(), err=True)
        click.echo(f"{len(result.counts):,} rows written to {path}", err=True)
        if result.unassigned or result.rejected:
            report = path.with_suffix(".unassigned.csv") if path.suffix == ".csv" else path.with_name(
                path.name + ".unassigned.csv")
            click.echo(f"unassigned and rejected rows: {report}", err=True)
        if "status" not in spec.per:
            click.echo("note: without status in --per the output is not a claims table for `conflictmap map`",
                       err=True)
    if strict and (result.unassigned or result.rejected):
        raise SystemExit(1)


def _progress(done: int) -> None:
    click.echo(f"\r{done} part{'s' if done != 1 else ''} done", err=True, nl=False)
