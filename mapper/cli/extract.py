"""``conflictmap extract``: draft claims from articles, ready for review and ``conflictmap map``."""

from __future__ import annotations

import logging
import sys

import click

from mapper.cli.options import (
    actors_option,
    data_dir_option,
    is_quiet,
    load_actors,
    open_gazetteer,
    output_option,
    overwrite_option,
    partition_size_option,
    scheduler_option,
    worker_data_dir_option,
)

log = logging.getLogger(__name__)


@click.command("extract")
@click.argument("articles", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--published", metavar="DATE",
              help="Publication date (ISO, e.g. 2021-07-07 or 2021-07-07T09:30): relative times such as "
                   "'Tuesday afternoon' are resolved against it. Required for articles; in a corpus, the "
                   "default for documents without a 'published' field.")
@click.option("--source", default="", help="Name of the outlet, e.g. 'Khaama Press' (claimant of unattributed claims).")
@click.option("--url", default="", help="URL of the article, copied into every claim.")
@click.option("--tz", default=None, metavar="ZONE",
              help="Zone of the article's local times (IANA name or +04:30). Default: the zone of the "
                   "article's main country when it has one, else UTC.")
@click.option("--no-gazetteer", is_flag=True,
              help="Do not open the gazetteer: places are capitalised phrases, without ids or coordinates.")
@click.option("--max-chars", type=click.IntRange(1000, None), default=2_000_000, show_default=True,
              help="Refuse articles with more text than this.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "jsonl", "parquet"]), default=None,
              help="Articles: csv (default; the claims schema, conflictmap map reads it) or json (a list of "
                   "claim objects). Corpus: jsonl (default) or parquet files, one per partition.")
@actors_option
@output_option(dir_okay=True, help="Claims file to write ('-' for stdout); for a corpus, the output folder.")
@overwrite_option
@scheduler_option
@partition_size_option
@worker_data_dir_option
@data_dir_option
def command(articles, published, source, url, tz, no_gazetteer, max_chars, fmt, actors_file, output, overwrite,
            scheduler, partition_size, worker_data_dir, data_dir):
    """Extract draft claims (who says which actor holds which place, when) from ARTICLES.

    ARTICLES are text or HTML files ('-' reads stdin). Each claim is tied to
    its sentence (quote, sentence_start, sentence_end; `sentences` lists every
    sentence of a draft merged from identical ones), a confidence and `flags`
    (place_far_from_article, place_outside_article_countries, place_unresolved,
    low_match, actor_unknown, speaker_unresolved, place_from_reference): review
    the flagged drafts first. The CSV is in the canonical claims schema, so
    `conflictmap map` reads it directly. Review the claims before publishing a map.

    ARTICLES that are JSON Lines (.jsonl, .jsonl.gz), Parquet or glob patterns
    are a corpus of documents {"id", "text", "published", "source", "url"}
    (the document's fields win over --published/--source/--url): -o is then a
    folder of one claims file per partition plus manifest.json, run in this
    process or with --scheduler on Dask (README, "Archives on a Dask cluster");
    a rerun resumes.

    \b
    Example:
      conflictmap extract article.txt --published 2021-07-07 --source "Khaama Press" -o claims.csv
      conflictmap extract sudan.txt --published 2023-10-26 --actors my-actors.csv --format json -o -
      conflictmap map claims.csv -o outputs/claims.html
      conflictmap extract 'wire/*.jsonl.gz' -o out/claims --scheduler tcp://10.0.0.5:8786
    """
    from mapper.scale._inputs import is_corpus_path

    if scheduler is not None or any(is_corpus_path(a) for a in articles):
        return _corpus(articles, published, source, url, tz, no_gazetteer, max_chars, fmt, actors_file, output,
                       overwrite, scheduler, partition_size, worker_data_dir, data_dir)
    fmt = fmt or "csv"
    if fmt not in ("csv", "json"):
        raise click.UsageError(f"--format {fmt} is for a corpus (JSON Lines or Parquet inputs); articles are "
                               "written as csv or json")
    if not published:
        raise click.UsageError("Missing option '--published' (the articles' publication date, e.g. 2021-07-07).")
    if output.is_dir():
        raise click.UsageError(f"{output} is a folder; -o names the claims file of the articles")
    from mapper.claims import write_claims_csv
    from mapper.errors import ArticleError, OutputExists, TimeParseError
    from mapper.extract import extract_claims
    from mapper.geoparse.text import article_from_bytes, load_article

    out_path = str(output)
    if out_path != "-" and output.exists() and not overwrite:
        raise click.UsageError(f"{output} exists; pass --overwrite to replace it.")
    actors = load_actors(actors_file)
    geoparser = None
    if not no_gazetteer:
        from mapper.geoparse import Geoparser

        # Claims need recall: every place next to control language counts, so no span filter here.
        geoparser = Geoparser(open_gazetteer(data_dir), filter_model=None)
    claims, failed = [], []
    for path in articles:
        try:
            if path == "-":
                article = article_from_bytes(sys.stdin.buffer.read(), name="<stdin>", max_chars=max_chars)
            else:
                article = load_article(path, max_chars=max_chars)
            found = extract_claims(article.text, published=published, source=source, url=url, tz=tz,
                                   geoparser=geoparser, actors=actors, name=article.name)
        except ArticleError as err:
            failed.append((path, str(err)))
            click.echo(f"skipped: {err}", err=True)
            continue
        except TimeParseError as err:
            raise click.BadParameter(str(err), param_hint="--published") from err
        if not found:
            click.echo(f"{article.name}: no claims found (no control language next to a place)", err=True)
        claims.extend(found)
    if failed and len(failed) == len(articles):
        raise click.ClickException(f"no article could be read ({len(failed)} skipped)")
    try:
        if fmt == "json":
            n = _write_json(claims, out_path, output)
        else:
            n = write_claims_csv(claims, sys.stdout if out_path == "-" else output, overwrite=overwrite)
    except OutputExists as err:
        raise click.UsageError(str(err)) from err
    flagged = sum(1 for c in claims if dict(c.extra).get("flags"))
    if flagged:
        click.echo(f"{flagged} of {len(claims)} drafts carry flags (see the flags column): review them first",
                   err=True)
    click.echo(
        f"{n} draft claims from {len(articles) - len(failed)} article(s) written to "
        f"{'stdout' if out_path == '-' else output}" + (f"; {len(failed)} skipped" if failed else ""),
        err=True,
    )
    if failed:
        click.get_current_context().exit(1)


def _write_json(claims, out_path, output) -> int:
    """Claims as a JSON list of records (the CSV columns, flags and sentence offsets included)."""
    import json

    from mapper.claims import claim_to_record

    records = []
    for c in claims:
        rec = {k: v for k, v in claim_to_record(c).items() if v not in ("", None)}
        for k, v in c.extra:
            rec[k] = [f for f in v.split(";") if f] if k == "flags" else v
        records.append(rec)
    data = json.dumps(records, ensure_ascii=False, indent=1)
    if out_path == "-":
        click.echo(data)
    else:
        output.write_text(data + "\n", encoding="utf-8")
    return len(records)


def _corpus(articles, published, source, url, tz, no_gazetteer, max_chars, fmt, actors_file, output, overwrite,
            scheduler, partition_size, worker_data_dir, data_dir):
    """``extract CORPUS -o DIR [--scheduler ...]``: documents partition by partition (mapper.scale)."""
    from mapper.cli._corpus import check_scheduler, run_corpus
    from mapper.scale import extract_corpus

    fmt = fmt or "jsonl"
    if fmt not in ("jsonl", "parquet"):
        raise click.UsageError(f"a corpus run writes jsonl or parquet files, not {fmt}; use --format jsonl or "
                               "--format parquet")
    if str(output) == "-":
        raise click.UsageError("a corpus run writes a folder: give -o DIR, not '-'")
    if "-" in articles:
        raise click.UsageError("a corpus run reads files, not stdin ('-')")
    check_scheduler(scheduler)
    if published:
        from mapper.errors import TimeParseError
        from mapper.timespan import parse_time

        try:
            parse_time(published)
        except TimeParseError as err:
            raise click.BadParameter(str(err), param_hint="--published") from err
    actors = load_actors(actors_file)
    if not no_gazetteer:
        open_gazetteer(data_dir).close()  # built on first use, before any worker needs it
    run_corpus(extract_corpus, quiet=is_quiet(), inputs=list(articles), out_dir=output, scheduler=scheduler,
               fmt=fmt, published=published, source=source, url=url, tz=tz, use_gazetteer=not no_gazetteer,
               actors=actors, actors_name=str(actors_file or ""), max_chars=max_chars,
               partition_size=partition_size, data_dir=data_dir, worker_data_dir=worker_data_dir,
               overwrite=overwrite)
