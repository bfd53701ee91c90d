"""Corpus runs of ``conflictmap geoparse`` and ``conflictmap extract`` (-o DIR, --scheduler):
one library call (:mod:`mapper.scale`), its errors as click errors, its result summarised on stderr."""

from __future__ import annotations

import click

#: Failed partitions and documents listed on stderr (all of them are in the manifest).
SHOWN_PROBLEMS = 20


def check_scheduler(value) -> None:
    """``--scheduler`` parsed early, so a typo fails before the gazetteer is opened."""
    if value is None:
        return
    from mapper.errors import ScaleError
    from mapper.scale import parse_scheduler

    try:
        parse_scheduler(value)
    except ScaleError as err:
        raise click.BadParameter(str(err), param_hint="--scheduler") from err


def run_corpus(run, *, quiet: bool, **kwargs):
    """Call ``run`` (:func:`mapper.scale.geoparse_corpus` or ``extract_corpus``) and report."""
    from gazetteer import GazetteerError
    from mapper.errors import CorpusInputError, ManifestMismatch, ScaleError

    try:
        result = run(progress=not quiet, **kwargs)
    except (CorpusInputError, ManifestMismatch) as err:
        raise click.UsageError(str(err)) from err
    except (ScaleError, GazetteerError) as err:  # missing dask (install hint), a worker's index...
        raise click.ClickException(str(err)) from err
    for p in result.failed_partitions[:SHOWN_PROBLEMS]:
        click.echo(f"partition {p.key} failed: {p.error}", err=True)
    shown = 0
    for p in result.partitions:
        for d in p.failed_documents:
            if shown < SHOWN_PROBLEMS:
                click.echo(f"partition {p.key}, document {d.id}: {d.error}", err=True)
            shown += 1
    n_bad = result.n_failed_documents
    if n_bad > shown or shown > SHOWN_PROBLEMS:
        click.echo(f"... {n_bad} failed document(s) in all: see {result.manifest}", err=True)
    if not quiet or not result.ok:
        done = len(result.partitions) - len(result.failed_partitions)
        click.echo(
            f"{done} of {len(result.partitions)} partition(s) done ({result.skipped} from an earlier run), "
            f"{result.documents} document(s), {result.items} {run_items(result)}, {n_bad} failed document(s), "
            f"{result.seconds:.1f} s ({result.scheduler}); manifest: {result.manifest}", err=True)
    if not result.ok:
        click.echo("rerun the same command to finish the failed partitions (finished ones are skipped)",
                   err=True)
    if not result.ok or n_bad:
        click.get_current_context().exit(1)
    return result


def run_items(result) -> str:
    return "toponym(s)" if result.command == "geoparse" else "claim(s)"
