"""``conflictmap eval``: score components against annotated corpora.

``conflictmap eval geoparse GOLD.jsonl [--pred PRED.jsonl]`` scores toponym
recognition and resolution with the standard rules of :mod:`mapper.evaluate`.
Without ``--pred`` it runs conflictmap's own geoparser on the gold texts
(end to end, or with ``--resolve-only`` on the gold spans).
"""

from __future__ import annotations

import json

import click

from mapper.cli.options import data_dir_option, is_quiet, open_gazetteer


@click.group("eval", context_settings={"help_option_names": ["-h", "--help"]})
def command():
    """Score conflictmap's components against annotated corpora.

    \b
    Example:
      conflictmap eval geoparse ../shared/data/geoparse/trnews.jsonl
    """


def _predict(gold_path, gz, resolve_only: bool, limit):
    """Run our geoparser over the gold documents; yields predicted Documents."""
    from mapper.evaluate import Document, Toponym, read_documents
    from mapper.geoparse import Geoparser

    parser = Geoparser(gz)
    for i, doc in enumerate(read_documents(gold_path)):
        if limit is not None and i >= limit:
            break
        if resolve_only:
            spans = [(t.start, t.end) for t in doc.toponyms]
            found = parser.resolve_spans(doc.text, spans)
        else:
            found = parser.parse(doc.text)
        yield Document(doc.id, "", tuple(Toponym(t.start, t.end, t.name, t.lat, t.lon) for t in found))


@command.command("geoparse")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--pred", type=click.Path(exists=True, dir_okay=False, allow_dash=True), default=None,
              help="Predictions in the same JSON Lines format (default: run conflictmap's geoparser).")
@click.option("--resolve-only", is_flag=True,
              help="Give the geoparser the gold spans and score resolution only (ignored with --pred).")
@click.option("--limit", type=click.IntRange(1, None), default=None,
              help="Score only the first N gold documents.")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True,
              help="table for people, json for programs.")
@click.option("--errors", "show_errors", type=click.IntRange(0, None), default=0,
              help="Also list the N worst-resolved matches (table format, on stderr).")
@data_dir_option
def geoparse_command(gold, pred, resolve_only, limit, fmt, show_errors, data_dir):
    """Score geoparsing of GOLD (JSON Lines: id, text, toponyms) with the standard rules.

    Recognition P/R/F1 (same name, case-insensitive, span midpoints < 10
    characters apart, gold toponyms with coordinates only); resolution over
    matched pairs: Acc@161, AUC, mean and median km; geo-F1 (a match counts
    only within 161 km).

    \b
    Examples:
      conflictmap eval geoparse gold.jsonl --pred predictions.jsonl
      conflictmap eval geoparse gold.jsonl                  # our geoparser, end to end
      conflictmap eval geoparse gold.jsonl --resolve-only   # our resolver on the gold spans
    """
    from mapper.evaluate import EvaluationInputError, format_scores, read_documents, score

    def gold_docs():
        for i, d in enumerate(read_documents(gold)):
            if limit is not None and i >= limit:
                break
            yield d

    try:
        if pred is not None:
            pred_docs = list(read_documents(pred))
            mode = f"predictions from {pred}"
        else:
            gz = open_gazetteer(data_dir)
            pred_docs = _progress(_predict(gold, gz, resolve_only, limit), is_quiet())
            mode = "conflictmap geoparser, " + ("gold spans (--resolve-only)" if resolve_only else "end to end")
        scores = score(gold_docs(), pred_docs)
    except EvaluationInputError as err:
        raise click.ClickException(str(err)) from err
    if fmt == "json":
        click.echo(json.dumps({"file": str(gold), "mode": mode, **scores.to_dict()}))
    else:
        click.echo(format_scores(scores, title=f"{gold}: {mode}"))
    if show_errors:
        worst = sorted(scores.matches, key=lambda m: -m.km)[:show_errors]
        for m in worst:
            click.echo(
                f"{m.km:9.1f} km  {m.doc_id}  {m.gold.name!r} [{m.gold.start}:{m.gold.end}] "
                f"gold ({m.gold.lat:.3f}, {m.gold.lon:.3f}) pred "
                + (f"({m.pred.lat:.3f}, {m.pred.lon:.3f})" if m.pred.has_coordinates else "unresolved"),
                err=True,
            )


def _progress(docs, quiet: bool):
    from tqdm import tqdm

    return tqdm(docs, desc="geoparsing", unit="doc", disable=quiet, leave=False, mininterval=0.5)
