"""The default actor table mapper/data/actors.csv, read as plain CSV (the loader has its own tests).

Only the state naming rule is taken from mapper.actors, its one owner."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

import pycountry
import pytest

from mapper.actors import state_name

TABLE = Path(__file__).resolve().parents[2] / "mapper" / "data" / "actors.csv"
HEADER = ["name", "kind", "country", "side", "aliases", "acronyms", "colour", "source"]
KINDS = {"state", "non_state", "militia", "pmc", "international"}
#: Words that must never be an alias on their own: the extractor resolves them from context.
GENERIC = {"the group", "group", "forces", "fighters", "insurgents", "rebels", "militants", "army", "police",
           "government", "government forces", "security forces", "militia", "militias", "troops", "soldiers",
           "jihadists", "separatists", "gunmen", "military", "civilians", "protesters"}
ACLED_UNNAMED_INTER = {"5", "6", "7"}  # rioters, protesters, civilians
ACLED_UNNAMED_PREFIXES = ("unidentified", "sole perpetrator")
MIN_COVERAGE = 0.90


def _script():
    """scripts/list_dataset_actors.py: the one owner of how a dataset's actor string finds its row."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "scripts" / "list_dataset_actors.py"
    spec = importlib.util.spec_from_file_location("list_dataset_actors", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_S = _script()
key, split, build_index, resolve, ACLED_PERIOD = _S.key, _S.split, _S.build_index, _S.resolve, _S.ACLED_PERIOD


def read_rows() -> list[dict]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, strict=True))


def labels(row: dict) -> list[str]:
    return [row["name"], *split(row["aliases"]), *split(row["acronyms"])]




@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_rows()


def test_header_is_exact():
    with TABLE.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == HEADER


def test_every_row_is_complete_and_valid(rows):
    for n, row in enumerate(rows, start=2):
        assert None not in row and all(v is not None for v in row.values()), f"line {n}: wrong number of fields"
        assert row["name"].strip() == row["name"] and row["name"], f"line {n}: empty or padded name"
        assert row["kind"] in KINDS, f"line {n}: kind {row['kind']!r} not in {sorted(KINDS)}"
        assert row["source"].strip(), f"line {n}: {row['name']} has no source"
        assert not row["colour"] or re.fullmatch(r"#[0-9A-F]{6}", row["colour"]), f"line {n}: colour"
        if row["kind"] == "international":
            assert not row["country"] or pycountry.countries.get(alpha_2=row["country"]), f"line {n}"
        else:
            assert pycountry.countries.get(alpha_2=row["country"]), f"line {n}: country {row['country']!r}"


def test_state_rows_are_named_after_their_country(rows):
    # The loader generates one state actor per country and folds a table row of the same country into it
    # under the generated name: a row with another spelling would lose its name (and break sides naming it).
    for row in rows:
        if row["kind"] == "state":
            assert row["name"] == state_name(row["country"]), f"{row['name']}: expected {state_name(row['country'])}"
        else:
            assert not row["name"].startswith("Government of "), f"{row['name']} is a state name"


def test_names_are_unique(rows):
    counts = Counter(row["name"] for row in rows)
    assert [n for n, c in counts.items() if c > 1] == []


def test_sides_name_a_row_or_a_state(rows):
    names = {row["name"] for row in rows}
    for row in rows:
        side = row["side"]
        if not side:
            continue
        assert side != row["name"], f"{row['name']}: side is itself (leave it empty)"
        if side not in names:
            country = side.removeprefix("Government of ")
            try:
                known = country != side and bool(pycountry.countries.search_fuzzy(country))
            except LookupError:
                known = False
            assert known, f"{row['name']}: side {side!r} is neither a row nor Government of <a country>"


def test_no_label_belongs_to_two_rows(rows):
    owners: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        for label in labels(row):
            owners[key(label)].add(row["name"])
    shared = {k: sorted(v) for k, v in owners.items() if len(v) > 1}
    assert shared == {}


def test_no_generic_word_is_an_alias(rows):
    generic = {key(g) for g in GENERIC}
    for row in rows:
        for label in split(row["aliases"]) + split(row["acronyms"]):
            assert key(label) not in generic, f"{row['name']}: {label!r} would match ordinary text"
            assert len(key(label)) >= 2, f"{row['name']}: {label!r} is too short to match safely"


def test_acronyms_are_short_and_have_no_spaces(rows):
    for row in rows:
        for acronym in split(row["acronyms"]):
            assert " " not in acronym and len(acronym) <= 10, f"{row['name']}: acronym {acronym!r}"


def test_size_and_spread(rows):
    assert len(rows) >= 180
    assert len({row["country"] for row in rows if row["country"]}) >= 35
    kinds = Counter(row["kind"] for row in rows)
    assert all(kinds[k] for k in KINDS), kinds


def test_seed_colours_are_kept(rows):
    by_name = {row["name"]: row for row in rows}
    assert by_name["Taliban"]["colour"] == "#D55E00"
    assert by_name["Government of Afghanistan"]["colour"] == "#0072B2"
    assert sum(1 for row in rows if row["colour"]) == 2


@pytest.mark.parametrize(
    "actor,expected",
    [
        ("Military Forces of Afghanistan (2014-)", "Government of Afghanistan"),
        ("Military Forces of Afghanistan (2014-) Special Forces", "Government of Afghanistan"),
        ("Military Forces of Afghanistan (2021-)", "Taliban"),
        ("Police Forces of Afghanistan (2021-) General Directorate of Intelligence", "Taliban"),
        ("Military Forces of Sudan (2019-) Rapid Support Forces", "Rapid Support Forces"),
        ("Military Forces of Sudan (1989-) Rapid Support Forces", "Rapid Support Forces"),
        ("Military Forces of Sudan (2019-) Abu Tira", "Government of Sudan"),
        ("Military Forces of Yemen (2016-) Supreme Political Council", "Houthis"),
        ("Military Forces of Yemen (2012-)", "Government of Yemen"),
        ("Military Forces of Iraq (2014-2018) Popular Mobilization Forces", "Popular Mobilization Forces"),
        ("AMISOM: African Union Mission in Somalia (2007-) (Uganda)", "African Union Mission in Somalia"),
        ("Hayat Tahrir al-Sham", "Hay'at Tahrir al-Sham"),
        ("al-Shabab", "Al-Shabaab"),
        ("Islamic State (West Africa) - Lake Chad Faction", "Islamic State West Africa Province"),
        ("Taliban and/or Islamic State (Afghanistan)", None),
        ("Unidentified Armed Group (Afghanistan)", None),
    ],
)
def test_resolve_dataset_strings(rows, actor, expected):
    assert resolve(build_index(rows), actor) == expected


def acled_actor1(folder: Path) -> tuple[Counter, Counter]:
    """actor1 of every ACLED file in folder: (named armed actors, all), counted per occurrence."""
    named, everything = Counter(), Counter()
    for path in sorted(folder.glob("acled*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = {c.lower(): c for c in reader.fieldnames or ()}
            for rec in reader:
                actor = rec[columns["actor1"]].strip()
                if not actor:
                    continue
                everything[actor] += 1
                inter = rec.get(columns.get("inter1", ""), "")
                if inter not in ACLED_UNNAMED_INTER and not actor.lower().startswith(ACLED_UNNAMED_PREFIXES):
                    named[actor] += 1
    return named, everything


@pytest.mark.shared_data
def test_covers_the_acled_actors_of_the_raw_samples(rows, shared_data):
    raw = shared_data / "conflict" / "raw"
    named, everything = acled_actor1(raw)
    if not named:
        pytest.skip(f"no ACLED files with actor1 in {raw}")
    index = build_index(rows)
    covered = sum(n for actor, n in named.items() if resolve(index, actor))
    share = covered / sum(named.values())
    missing = [a for a, _ in named.most_common() if not resolve(index, a)]
    # Protesters, rioters, civilians and "Unidentified Armed Group (X)" are not actors a table can name;
    # the share over every actor1 is printed for the record (pytest -rP).
    print(f"named armed actors: {covered}/{sum(named.values())} = {share:.1%}; all actor1: "
          f"{sum(n for a, n in everything.items() if resolve(index, a))}/{sum(everything.values())}")
    assert share >= MIN_COVERAGE, f"{share:.1%} covered; most frequent missing: {missing[:15]}"



def test_the_loader_keeps_every_row_and_side(rows):
    from mapper.actors import Actors

    actors = Actors.default()
    for row in rows:
        actor = actors.get(row["name"])
        assert actor is not None and actor.name == row["name"], row["name"]
        assert (actor.kind, actor.country, actor.side) == (row["kind"], row["country"], row["side"]), row["name"]
        if row["side"]:
            assert actors.get(row["side"]) is not None, f"{row['name']}: side {row['side']!r} unknown to the loader"


def test_the_loader_resolves_every_label_to_its_row(rows):
    from mapper.actors import Actors

    actors = Actors.default()
    wrong = []
    for row in rows:
        for label in split(row["aliases"]) + split(row["acronyms"]):
            found = actors.get(label)
            if found is None or found.name != row["name"]:
                wrong.append(f"{label!r} of {row['name']} -> {found.name if found else None}")
    assert wrong == []
