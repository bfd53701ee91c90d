"""``conflictmap describe``: the map state at a time, in plain language (alt text, captions, editors)."""

from __future__ import annotations

import json

import click

from mapper.cli.options import (
    actors_option,
    data_dir_option,
    dispute_window_option,
    is_quiet,
    load_actors,
    mapper_errors,
    open_gazetteer,
    stale_after_option,
    strict_option,
    tz_option,
    window_option,
)


@click.command("describe")
@click.argument("claims", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option(
    "--at",
    "at",
    metavar="TIME",
    help="Describe the state at this time (default: the latest claim, "
    "where the maps open), e.g. 2021-07-07T18:00.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "short", "json"]),
    default="text",
    show_default=True,
    help="text: every place with its current claims; short: one sentence (alt text); json: both, "
    "with the parts.",
)
@click.option(
    "--max-claims",
    type=click.IntRange(min=1),
    metavar="N",
    help="List at most N current claims per place (the rest are counted).",
)
@window_option
@dispute_window_option
@stale_after_option
@actors_option
@tz_option
@strict_option
@data_dir_option
def command(claims, at, fmt, max_claims, window, dispute_window, stale_after, actors_file, tz, strict, data_dir):
    """Describe what the map of CLAIMS shows at a time, in plain language.

    Built only from the claims and the timeline rules (the same assessment
    the maps colour places by): each place's status and the current claims
    behind it, with claimant, status, the source's word and time. The same
    text is the caption and text alternative of `conflictmap embed`.

    \b
    Examples:
      conflictmap describe examples/qala-e-naw-2021/claims.csv --at 2021-07-07T18:00 --tz Asia/Kabul
      conflictmap describe claims.csv --format short        # one sentence, for alt text
    """
    from mapper.state import MapOptions, prepare_state

    actors = load_actors(actors_file)
    gz = open_gazetteer(data_dir)
    with mapper_errors(gz):
        options = MapOptions(at=at, window=window, actors=actors, strict=strict, tz=tz,
                             dispute_window=dispute_window, stale_after=stale_after)
        state = prepare_state(list(claims), gazetteer=gz, options=options)
        desc = state.describe(max_claims=max_claims)
    if not is_quiet() and state.load is not None:
        click.echo(state.load.summary(), err=True)
        missing = [u for u in state.unresolved if not u.mapped_as]
        if missing:
            click.echo(
                f"{len(missing)} claim(s) not described: their places are not in the gazetteer "
                "(see `conflictmap map` for the full report).",
                err=True,
            )
    if fmt == "json":
        click.echo(json.dumps(desc.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "short":
        click.echo(desc.short)
    else:
        click.echo(desc.text)
