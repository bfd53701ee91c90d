"""``conflictmap geoparse``: place mentions in text, resolved to gazetteer places."""

from __future__ import annotations

import json
import logging
import os
import sys

import click

from mapper.cli.options import (
    country_option,
    data_dir_option,
    is_quiet,
    open_gazetteer,
    output_option,
    overwrite_option,
    partition_size_option,
    scheduler_option,
    worker_data_dir_option,
)

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "json", "geojson", "table", "parquet")
#: Output formats of a corpus run (-o DIR).
CORPUS_FORMATS = ("jsonl", "parquet")
#: Inputs larger than this show a progress bar (bytes).
PROGRESS_MIN_BYTES = 1_000_000


def _is_jsonl(path: str) -> bool:
    if path.lower().endswith((".jsonl", ".ndjson", ".jsonl.txt")):
        return True
    if path == "-":
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(2048).lstrip()
    except OSError:
        return False
    return head.startswith(b"{") and b'"text"' in head


class _InputProblem(Exception):
    pass


def _jsonl_documents(path: str, problems: list, bar):
    from mapper.errors import CorpusInputError
    from mapper.scale._inputs import document_from_line

    fh = sys.stdin.buffer if path == "-" else open(path, "rb")
    try:
        for lineno, raw in enumerate(fh, start=1):
            if bar is not None:
                bar.update(len(raw))
            try:
                doc = document_from_line(raw, path, lineno)
            except CorpusInputError as err:
                problems.append(str(err))
                continue
            if doc is not None:
                yield doc
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()


def _article_document(path: str, problems: list, max_chars: int):
    from mapper.errors import ArticleError
    from mapper.geoparse.text import article_from_bytes, load_article

    try:
        art = (article_from_bytes(sys.stdin.buffer.read(), name="<stdin>", max_chars=max_chars) if path == "-"
               else load_article(path, max_chars=max_chars))
    except ArticleError as err:
        problems.append(str(err))
        return
    yield {"id": path, "text": art.text}


def _table_rows(result: dict) -> list:
    rows = []
    for t in result["toponyms"]:
        rows.append((str(result["id"])[:30], f"{t['start']}-{t['end']}", t["name"][:30], t.get("kind") or "",
                     t.get("id") or "-", "" if t["lat"] is None else f"{t['lat']:.4f}",
                     "" if t["lon"] is None else f"{t['lon']:.4f}", f"{t['score']:.2f}"))
    return rows


@click.command("geoparse")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True,
              help="jsonl: one line per document; json: one list; geojson: one Feature per toponym per line "
                   "(lon, lat); table: for people; parquet: corpus runs (-o DIR) only.")
@click.option("--resolve-only", is_flag=True,
              help="Resolve the 'toponyms' spans the JSON Lines documents already carry instead of detecting.")
@click.option("--with-text", is_flag=True, help="Include each document's text in jsonl/json output "
                                                "(offsets of HTML inputs refer to the extracted text).")
@click.option("--max-chars", type=click.IntRange(1000, None), default=2_000_000, show_default=True,
              help="Refuse text/HTML articles longer than this.")
@click.option("--no-filter", is_flag=True, help="Keep every span the rules accept (skip the trained span filter): "
                                               "more recall, less precision.")
@country_option
@output_option(required=False, dir_okay=True,
               help="Corpus run: a folder for one output file per partition and manifest.json; a rerun "
                    "resumes (finished partitions are skipped). Default: everything to stdout.")
@overwrite_option
@scheduler_option
@partition_size_option
@worker_data_dir_option
@data_dir_option
def command(inputs, fmt, resolve_only, with_text, max_chars, no_filter, country, output, overwrite, scheduler,
            partition_size, worker_data_dir, data_dir):
    """Find place names in INPUTS and resolve them in context.

    INPUTS are text or HTML files, '-' (stdin), or JSON Lines files of documents
    {"id", "text", ...}; JSON Lines are streamed, so any size runs in bounded
    memory, with a progress bar on stderr for large files. Offsets are Python
    character offsets: name == text[start:end].

    With -o DIR the INPUTS are a corpus (JSON Lines, .jsonl.gz, Parquet with
    id/text columns, or glob patterns such as 'feed/*.jsonl.gz'), processed
    partition by partition into DIR (one file per partition, manifest.json),
    in this process or with --scheduler on Dask workers (README, "Archives on
    a Dask cluster"). A document that fails is reported with its id; the rest
    of its partition is kept.

    \b
    Examples:
      conflictmap geoparse article.txt --format table
      conflictmap geoparse corpus.jsonl > toponyms.jsonl
      conflictmap geoparse gold.jsonl --resolve-only | conflictmap eval geoparse gold.jsonl --pred -
      conflictmap geoparse 'archive/*.jsonl.gz' -o out/toponyms --scheduler local:4 --format parquet
    """
    from tqdm import tqdm

    if output is not None or scheduler is not None:
        return _corpus(inputs, fmt, resolve_only, with_text, no_filter, country, output, overwrite, scheduler,
                       partition_size, worker_data_dir, data_dir)
    if fmt == "parquet" or any(p.lower().endswith((".parquet", ".pq")) for p in inputs):
        raise click.UsageError("Parquet is for corpus runs: give an output folder, e.g. -o out/toponyms")

    from mapper.geoparse import Geoparser, geoparse_documents

    gz = open_gazetteer(data_dir)
    geoparser = Geoparser(gz, country=country, **({"filter_model": None} if no_filter else {}))
    problems: list = []
    out = sys.stdout
    first = True
    n_docs = n_tops = 0
    table_rows = [("doc", "span", "name", "kind", "place id", "lat", "lon", "score")]
    if fmt == "json":
        out.write("[")
    for path in inputs:
        jsonl = _is_jsonl(path)
        if resolve_only and not jsonl:
            raise click.UsageError(f"--resolve-only needs JSON Lines documents with 'toponyms' spans; {path} is not")
        size = os.path.getsize(path) if path != "-" and os.path.exists(path) else 0
        bar = None
        if jsonl and size >= PROGRESS_MIN_BYTES and not is_quiet():
            bar = tqdm(total=size, unit="B", unit_scale=True, desc=f"geoparsing {os.path.basename(path)}",
                       leave=False, mininterval=0.5, file=sys.stderr)
        docs = _jsonl_documents(path, problems, bar) if jsonl else _article_document(path, problems, max_chars)
        texts: dict = {}

        def keep_text(stream, texts=texts):
            for d in stream:
                if with_text:
                    texts[d.get("id")] = d.get("text", "")
                yield d

        try:
            for result in geoparse_documents(keep_text(docs), geoparser, resolve_only=resolve_only):
                n_docs += 1
                n_tops += len(result["toponyms"])
                if with_text:
                    result["text"] = texts.pop(result["id"], "")
                if fmt == "jsonl":
                    out.write(json.dumps(result, ensure_ascii=False) + "\n")
                elif fmt == "json":
                    out.write(("" if first else ",\n") + json.dumps(result, ensure_ascii=False))
                    first = False
                elif fmt == "geojson":
                    for t in result["toponyms"]:
                        geom = None if t["lat"] is None else {"type": "Point", "coordinates": [t["lon"], t["lat"]]}
                        props = {"doc": result["id"], **{k: v for k, v in t.items() if k not in ("lat", "lon")}}
                        out.write(json.dumps({"type": "Feature", "geometry": geom, "properties": props},
                                             ensure_ascii=False) + "\n")
                else:
                    table_rows.extend(_table_rows(result))
        except (KeyError, ValueError, TypeError) as err:
            raise click.ClickException(f"{path}: bad toponym span for --resolve-only ({err}); expected integer "
                                       "'start' and 'end' in each toponym") from err
        finally:
            if bar is not None:
                bar.close()
    if fmt == "json":
        out.write("]\n")
    elif fmt == "table":
        widths = [max(len(r[i]) for r in table_rows) for i in range(len(table_rows[0]))]
        for r in table_rows:
            out.write("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() + "\n")
    for p in problems[:20]:
        click.echo(f"skipped: {p}", err=True)
    if len(problems) > 20:
        click.echo(f"... and {len(problems) - 20} more problems", err=True)
    if not is_quiet():
        click.echo(f"{n_docs} document(s), {n_tops} toponym(s)", err=True)
    if problems:
        click.get_current_context().exit(1)


def _corpus(inputs, fmt, resolve_only, with_text, no_filter, country, output, overwrite, scheduler,
            partition_size, worker_data_dir, data_dir):
    """``geoparse -o DIR [--scheduler ...]``: the corpus, partition by partition (mapper.scale)."""
    from mapper.cli._corpus import check_scheduler, run_corpus
    from mapper.scale import geoparse_corpus

    if output is None:
        raise click.UsageError("--scheduler runs write one file per partition: give an output folder, "
                               "e.g. -o out/toponyms")
    if fmt not in CORPUS_FORMATS:
        raise click.UsageError(f"a corpus run writes jsonl or parquet files, not {fmt}; use --format jsonl "
                               "or --format parquet")
    if "-" in inputs:
        raise click.UsageError("a corpus run reads files, not stdin ('-')")
    check_scheduler(scheduler)
    gz = open_gazetteer(data_dir)  # built on first use, with its progress bar, before any worker needs it
    gz.close()
    run_corpus(geoparse_corpus, quiet=is_quiet(), inputs=list(inputs), out_dir=output, scheduler=scheduler,
               fmt=fmt, country=country, span_filter=not no_filter, resolve_only=resolve_only,
               with_text=with_text, partition_size=partition_size, data_dir=data_dir,
               worker_data_dir=worker_data_dir, overwrite=overwrite)
