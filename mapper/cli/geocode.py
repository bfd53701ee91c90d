"""``conflictmap geocode``: add coordinates to a spreadsheet of place names."""

from __future__ import annotations

import click

from mapper.cli.options import (
    check_overwrite,
    data_dir_option,
    is_quiet,
    online_gazetteer,
    online_options,
    online_summary,
    open_gazetteer,
    output_option,
    overwrite_option,
    strict_option,
)


def _short(text: str, limit: int = 80) -> str:
    """A cell as the report shows it: long ones cut (the output file keeps them whole)."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _write(output, fill):
    """Run ``fill(file)`` into ``output`` ('-': stdout) through a temporary file renamed at the end,
    so a refused or interrupted input leaves no output (not even an empty one) and an old file intact."""
    from mapper.atomic import open_atomic

    if str(output) == "-":
        return fill(click.get_text_stream("stdout"))
    with open_atomic(output, "w", encoding="utf-8", newline="") as dst:
        return fill(dst)


@click.command("geocode")
@click.argument("table", type=click.File("r", encoding="utf-8-sig", errors="strict"))
@click.option("--place-column", required=True, metavar="COL", help="Column holding the place names.")
@click.option("--country-column", metavar="COL", help="Column with the country (name or ISO code).")
@click.option("--admin1-column", metavar="COL", help="Column with the province/region (first-level unit).")
@click.option("--admin2-column", metavar="COL", help="Column with the district (second-level unit).")
@output_option(help="Output CSV ('-' for stdout).")
@overwrite_option
@strict_option
@online_options
@data_dir_option
def command(table, place_column, country_column, admin1_column, admin2_column, output, overwrite, strict,
            data_dir, online):
    """Geocode TABLE.csv, keeping every column and row in order.

    Adds geo_lat, geo_lon, geo_id, geo_name, geo_kind, geo_status, geo_score
    and geo_note. Row context (country, admin1, admin2) disambiguates and
    constrains: a place outside the row's unit is never "resolved". When the
    place is unknown (or only known outside its unit) but its district or
    province is known, the row falls back to that unit (geo_kind
    "admin1 (fallback)", the reason in geo_note). Unresolved rows keep empty
    coordinates, never 0,0.

    \b
    Example:
      conflictmap geocode events.csv --place-column location \\
          --country-column country --admin1-column admin1 -o outputs/events-geo.csv
    """
    from gazetteer import GazetteerError
    from gazetteer.table import geocode_csv

    check_overwrite(output, overwrite)
    gz = online_gazetteer(open_gazetteer(data_dir), online)  # --online: ask a geocoder for unknown places
    try:
        results = _write(output, lambda dst: geocode_csv(
            table, dst, gz, place_column=place_column, country_column=country_column,
            admin1_column=admin1_column, admin2_column=admin2_column, progress=not is_quiet(),
        ))
    except UnicodeDecodeError as err:
        raise click.ClickException(
            f"{table.name} is not UTF-8 text (byte {err.start}): re-save it as UTF-8 CSV; nothing written"
        ) from err
    except GazetteerError as err:
        raise click.ClickException(str(err)) from err
    online_summary(gz, online)
    counts = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    if not is_quiet():
        click.echo(
            f"{len(results)} rows: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())), err=True
        )
        # Rows whose place lies outside their own admin unit first, in full: a namesake elsewhere
        # was found, so the row's place is not where the table says (or not in the gazetteer).
        for r in results:
            if r.outside:
                click.echo(f"  row {r.row_number}: {r.note}", err=True)
        for r in results:
            if r.status == "not_found" and not r.outside:
                sugg = r.resolution.suggestions if r.resolution else ()
                hint = f"; did you mean: {', '.join(sugg[:3])}" if sugg else ""
                click.echo(f"  row {r.row_number}: {_short(r.query)!r} not found{hint}"
                           + (f" ({_short(r.note, 400)})" if r.note else ""), err=True)
            elif r.note and not r.outside:
                click.echo(f"  row {r.row_number}: {_short(r.query)!r} {r.status}: {_short(r.note, 400)}", err=True)
    if strict and counts.get("not_found"):
        raise SystemExit(1)
