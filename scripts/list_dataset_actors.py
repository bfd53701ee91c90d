#!/usr/bin/env python
"""List the actor strings of ACLED / UCDP GED exports, most frequent first.

Used to build and check ``mapper/data/actors.csv`` (see ``mapper/data/ACTORS.md``).
Reads every ``*.csv`` given (files or folders) and counts the values of the actor
columns it finds:

* ACLED: ``actor1``, ``actor2``, ``assoc_actor_1``, ``assoc_actor_2`` (any case;
  ``assoc_actor_*`` cells hold several actors separated by ``;``);
* UCDP GED: ``side_a``, ``side_b`` (``dyad_name`` is ``side_a - side_b``, so it adds
  nothing but is listed with ``--dyads``);
* the project's ``dev_toponyms.csv``: ``actor1``, ``actor2``.

With ``--missing mapper/data/actors.csv`` only the strings that no row's name, alias
or acronym covers are printed. With ``--sources mapper/data/actors.csv`` the table is
written to stdout with its ``source`` column filled in from the files that name each
row (e.g. ``ACLED actor1 (acled_api_2022_global_sample.csv)``); rows found in no file
keep their source. A string is covered as in ``tests/mapper/test_actors_data.py``
(``resolve`` there; keep the two in step): exact, then without ACLED's ``(2019-)``
period, then without the sub-unit after the period ("Military Forces of Somalia
(2017-2022) Jubaland Security Force" -> "Military Forces of Somalia"); case, accents
and punctuation ignored.

Output: tab-separated ``count<TAB>column<TAB>actor`` on stdout (or the table, with
``--sources``).

Example::

    python scripts/list_dataset_actors.py ../shared/data/conflict/raw | head -50
    python scripts/list_dataset_actors.py --missing mapper/data/actors.csv ../shared/data/conflict
    python scripts/list_dataset_actors.py --sources mapper/data/actors.csv ../shared/data/conflict/raw > new.csv
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ACTOR_COLUMNS = ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2", "side_a", "side_b")
#: ACLED's period of a state's forces, "(2019-)" or "(2004-2021)", wherever it stands in the name.
ACLED_PERIOD = re.compile(r"\(\d{4}-(?:\d{4})?\)")
#: How a file's columns are cited in the source column.
DATASET_OF = {"actor1": "ACLED", "actor2": "ACLED", "assoc_actor_1": "ACLED", "assoc_actor_2": "ACLED",
              "side_a": "UCDP GED", "side_b": "UCDP GED"}


def key(text: str) -> str:
    """Case-folded, accent-free, letters and digits only."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text.casefold() if c.isalnum() and not unicodedata.combining(c))


def split(cell: str) -> list[str]:
    return [p.strip() for p in cell.split(";") if p.strip()]


def read_table(table: Path) -> tuple[list[str], list[dict]]:
    with table.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, strict=True)
        return list(reader.fieldnames or ()), list(reader)


def build_index(rows: list[dict]) -> dict[str, str]:
    return {key(label): row["name"] for row in rows
            for label in [row["name"], *split(row["aliases"]), *split(row["acronyms"])]}


def resolve(index: dict[str, str], actor: str) -> str | None:
    """Row name for a dataset actor string, or None (see the module docstring)."""
    for candidate in (actor, ACLED_PERIOD.sub(" ", actor)):
        if key(candidate) in index:
            return index[key(candidate)]
    period = ACLED_PERIOD.search(actor)
    if period:
        for candidate in (actor[: period.end()], actor[: period.start()]):
            if key(candidate) in index:
                return index[key(candidate)]
    return None


def csv_files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        out.extend(sorted(p.rglob("*.csv")) if p.is_dir() else [p])
    return out


def count_actors(path: Path, dyads: bool = False) -> Counter:
    """(column, actor) -> occurrences; column names lower-cased."""
    counts: Counter = Counter()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = {c.lower(): c for c in reader.fieldnames or ()}
        wanted = [c for c in ACTOR_COLUMNS + (("dyad_name",) if dyads else ()) if c in columns]
        for row in reader:
            for col in wanted:
                value = (row[columns[col]] or "").strip()
                parts = value.split(";") if col.startswith("assoc_") else [value]
                for part in (p.strip() for p in parts):
                    if part:
                        counts[(col, part)] += 1
    return counts


def fill_sources(rows: list[dict], counts_by_file: dict[Path, Counter]) -> None:
    """Set each row's source to the files and columns that name it (most occurrences first, at most two)."""
    index = build_index(rows)
    seen: dict[str, Counter] = {}
    for path, counts in counts_by_file.items():
        for (col, actor), n in counts.items():
            name = resolve(index, actor)
            if name and col in DATASET_OF:
                seen.setdefault(name, Counter())[f"{DATASET_OF[col]} {col} ({path.name})"] += n
    for row in rows:
        if row["name"] in seen:
            row["source"] = "; ".join(label for label, _ in seen[row["name"]].most_common(2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="CSV files or folders of CSV files")
    parser.add_argument("--missing", type=Path, help="actors.csv: print only strings it does not cover")
    parser.add_argument("--sources", type=Path, help="actors.csv: print it with sources filled in")
    parser.add_argument("--dyads", action="store_true", help="also count UCDP dyad_name")
    args = parser.parse_args(argv)
    counts_by_file = {path: count_actors(path, args.dyads) for path in csv_files(args.paths)}
    if args.sources:
        fields, rows = read_table(args.sources)
        fill_sources(rows, counts_by_file)
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return 0
    counts: Counter = Counter()
    for c in counts_by_file.values():
        counts.update(c)
    index = build_index(read_table(args.missing)[1]) if args.missing else {}
    for (col, actor), n in counts.most_common():
        if args.missing and resolve(index, actor):
            continue
        sys.stdout.write(f"{n}\t{col}\t{actor}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
