"""Candidate reads: the SQL the resolver runs against an open index, returning frozen records.

:class:`CandidateReader` is the only part of :class:`gazetteer.Gazetteer` that queries the
``names`` and ``places`` tables (through :mod:`gazetteer.store`); it never scores. Records:
:class:`IndexedName` (one name row of the variant and fuzzy stages), :class:`PlaceRecord` (one
place row with its stored importance) and :class:`ExactHit` (a place whose name equals the key, with its record).

Cost
----
A query never loads a country's names: each stage reads one index range of ``names`` in
importance order with a LIMIT (:data:`gazetteer.store.NAME_INDEXES`): exact namesakes
(:data:`EXACT_MAX_ROWS`), the query's skeleton (:data:`VARIANT_MAX_ROWS`), then for the fuzzy
stage every skeleton one edit away from the query's (a consonant deleted, inserted, replaced, or
two swapped: what a typo does to a skeleton), :data:`FUZZY_ROWS_PER_KEY` names each and
:data:`FUZZY_MAX_ROWS` in all. Names without a skeleton (non-Latin scripts) probe the keys one
edit away instead, with the query's own letters (and the Arabic alphabet for Arabic-script names)
as replacements. So the rows a query reads are bounded whatever the index holds; when a skeleton
is shared by more names than the cap, the least important are the ones not considered.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from gazetteer import store
from gazetteer.model import Place
from gazetteer.normalize import normalize, skeleton, split_alternates

if TYPE_CHECKING:
    from gazetteer.index import GazetteerIndex

# Bounded reads (see "Cost" above). Every read is one index range in importance order with a
# LIMIT, so a query costs the same on the embedded index and after allCountries.
#: Candidates turned into Place objects and scored; also the exact namesakes read from anywhere
#: besides the hinted country's.
MAX_HYDRATE = 60
#: Exact namesakes read per key (in the hinted country; plus MAX_HYDRATE from anywhere).
EXACT_MAX_ROWS = 200
#: Names read for the query's own skeleton (variant stage), most important first.
VARIANT_MAX_ROWS = 500
#: Names read per neighbouring skeleton (fuzzy stage), and in all, most important first.
FUZZY_ROWS_PER_KEY = 50
FUZZY_MAX_ROWS = 2500
#: Neighbouring skeletons (or keys, for non-Latin names) probed at most.
FUZZY_MAX_PROBES = 800
#: Country names looked up by :func:`country_code_of_key`, cached per reader.
COUNTRY_CODE_CACHE = 4096

#: Column positions in a :data:`gazetteer.store.PLACE_COLUMNS` row.
_PID, _COUNTRY_CODE, _IMPORTANCE = (store.PLACE_COLUMNS.index(c) for c in ("pid", "country_code", "importance"))
#: Positions of the flag and the soft form in a :data:`gazetteer.store.NAME_ROW` row.
_NAME_FLAG, _NAME_SOFT = ([c.strip() for c in store.NAME_ROW.split(",")].index(f) for f in ("flag", "soft"))


@dataclass(frozen=True)
class IndexedName:
    """One row of ``names`` as the variant and fuzzy stages read it
    (:data:`gazetteer.store.NAME_ROW`): normalized ``key``, its ``soft`` form, the place's
    ``pid``, the name ``flag`` (:mod:`gazetteer.names`) and the place's ``country_code``."""

    key: str
    soft: str
    pid: int
    flag: int
    country_code: str | None


@dataclass(frozen=True)
class PlaceRecord:
    """One ``places`` row: its ``pid``, ``country_code``, stored ``importance`` and the raw
    ``row`` (:data:`gazetteer.store.PLACE_COLUMNS`), turned into a :class:`Place` on demand
    (only the few candidates that are scored are)."""

    pid: int
    country_code: str | None
    importance: float | None
    row: tuple

    @classmethod
    def of(cls, row: Sequence[Any]) -> PlaceRecord:
        """The record of an index row (a ``places`` row with its name columns)."""
        return cls(row[_PID], row[_COUNTRY_CODE], row[_IMPORTANCE], row if isinstance(row, tuple) else tuple(row))

    def place(self) -> Place:
        """The full :class:`~gazetteer.model.Place` of this row."""
        return store.row_to_place(self.row)


@dataclass(frozen=True)
class ExactHit(PlaceRecord):
    """A place one of whose names equals the key; ``flag`` says which kind of name it is."""

    flag: int

    @classmethod
    def of_flagged(cls, flag: int, row: tuple[Any, ...]) -> ExactHit:
        """The record of an exact-name row with the name's ``flag`` (alias, abbreviation...)."""
        return cls(row[_PID], row[_COUNTRY_CODE], row[_IMPORTANCE], row, flag)


@dataclass(frozen=True)
class NameRows:
    """The name rows of one or more reads, in read order, as :class:`IndexedName` records.

    The variant and fuzzy stages read up to a few thousand rows per query and compare only their
    keys (:attr:`keys`); a row becomes a record when it is asked for (``rows[i]``, iteration), so
    the thousands that do not match cost no object each.
    """

    raw: tuple[tuple[Any, ...], ...] = ()

    @classmethod
    def of(cls, rows: Iterable[tuple[Any, ...]]) -> NameRows:
        """Rows as sqlite3 returns them (tuples in :data:`gazetteer.store.NAME_ROW` order)."""
        return cls(tuple(rows))

    @property
    def keys(self) -> list[str]:
        """The matched name keys, one per row, in row order."""
        return [r[0] for r in self.raw]

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, i: int) -> IndexedName:
        return IndexedName(*self.raw[i])

    def __iter__(self) -> Iterator[IndexedName]:
        return (IndexedName(*r) for r in self.raw)

    def __add__(self, other: NameRows) -> NameRows:
        return NameRows(self.raw + other.raw)

    def with_flag(self, flag: int) -> NameRows:
        """Only the rows whose name flag is ``flag``."""
        return NameRows(tuple([r for r in self.raw if r[_NAME_FLAG] == flag]))

    def soft(self, i: int) -> str:
        """The soft form of row ``i`` (no record made: the variant stage tests many rows)."""
        return self.raw[i][_NAME_SOFT]


class CandidateReader:
    """The reads of one open index (:class:`gazetteer.index.GazetteerIndex`).

    The connection is taken from the index at each read, so a replaced connection (an upgraded
    schema, a test's counting wrapper) is used at once.
    """

    def __init__(self, index: GazetteerIndex):
        self._index = index
        self._last_prefilter: tuple[tuple[str, str | None], NameRows] | None = None
        self._demonyms: dict[str, str] | None = None

    @property
    def _conn(self) -> sqlite3.Connection:
        return self._index.conn

    # ------------------------------------------------------------------ places
    def place(self, place_id: str) -> Place | None:
        """The place with this id, or None."""
        rows = store.select_places(self._conn, "p.id = ?", (place_id,))
        return store.row_to_place(rows[0]) if rows else None

    def places_where(self, where: str, params: Sequence[Any] = ()) -> list[Place]:
        """Places matching an SQL condition over ``places p`` (the callers' own fixed texts)."""
        return [store.row_to_place(r) for r in store.select_places(self._conn, where, params)]

    def country_place(self, cc: str) -> Place | None:
        """The country with ISO code ``cc``, or None."""
        places = self.places_where("p.kind = 'country' AND p.country_code = ?", (cc,))
        return places[0] if places else None

    def geometry_wkb(self, place_id: str) -> bytes | None:
        """The stored polygon (WKB) of a place, or None."""
        row = self._conn.execute(
            "SELECT g.wkb FROM geoms g JOIN places p ON p.pid = g.pid WHERE p.id = ?", (place_id,)
        ).fetchone()
        return row[0] if row else None

    def places_by_pids(self, pids: Iterable[int]) -> dict[int, PlaceRecord]:
        """pid -> record for the given pids."""
        return {pid: PlaceRecord.of(row) for pid, row in store.places_by_pids(self._conn, pids).items()}

    def name_entries(self, *, with_flag: bool = False) -> Iterator[tuple]:
        """See :meth:`gazetteer.Gazetteer.name_entries`."""
        q = (
            "SELECT n.key, p.id, p.population, p.kind, p.country_code"
            + (", n.flag" if with_flag else "")
            + " FROM names n JOIN places p ON p.pid = n.pid"
        )
        yield from self._conn.execute(q)

    def country_code_of_name(self, key: str) -> str | None:
        """ISO code of the country one of whose names is the normalized ``key`` (one read)."""
        row = self._conn.execute(
            "SELECT p.country_code FROM names n JOIN places p ON p.pid = n.pid WHERE n.key = ? AND p.kind = 'country'",
            (key,),
        ).fetchone()
        return row[0] if row else None

    def demonym_table(self) -> dict[str, str]:
        """Nationality word -> ISO code, written into the index at build time (read once)."""
        if self._demonyms is None:
            row = self._conn.execute("SELECT v FROM meta WHERE k = 'demonyms'").fetchone()
            try:
                self._demonyms = json.loads(row[0]) if row and row[0] else {}
            except ValueError:
                self._demonyms = {}
        return self._demonyms

    # ------------------------------------------------------------------ names
    def exact(self, key: str, cc: str | None) -> list[ExactHit]:
        """Places with a name equal to ``key``, most important first: :data:`EXACT_MAX_ROWS`
        (in country ``cc`` when given, plus :data:`MAX_HYDRATE` from anywhere)."""
        return [ExactHit.of_flagged(flag, row)
                for flag, row in store.exact_matches(self._conn, key, EXACT_MAX_ROWS, cc, abroad_limit=MAX_HYDRATE)]

    def by_skeleton(self, skel: str, cc: str | None) -> NameRows:
        """The :data:`VARIANT_MAX_ROWS` most important names with skeleton ``skel`` (in ``cc``)."""
        return NameRows.of(store.names_by_skeleton(self._conn, skel, cc, VARIANT_MAX_ROWS))

    def prefilter(self, key: str, cc: str | None, own: NameRows | None = None) -> NameRows:
        """Names that may be a typo away from ``key``: its own skeleton's names (``own`` when the
        variant stage read them already) and the names of every skeleton one edit away (for
        non-Latin keys: every key one edit away).

        Reads at most VARIANT_MAX_ROWS + FUZZY_MAX_ROWS rows in FUZZY_MAX_PROBES + 1 index
        ranges, most important names first in each (see "Cost" above). The last answer is
        kept: "did you mean" after a failed fuzzy stage reads nothing again.
        """
        memo = (key, cc)
        if self._last_prefilter is not None and self._last_prefilter[0] == memo:
            return self._last_prefilter[1]
        skel = skeleton(key)
        if skel:
            rows = own if own is not None else self.by_skeleton(skel, cc)
            column, probes = "skel", skeleton_neighbours(skel)
        else:
            rows, column, probes = NameRows(), "key", key_neighbours(key)
        rows += NameRows.of(store.names_by_probes(self._conn, column, probes[:FUZZY_MAX_PROBES], cc,
                                                  FUZZY_ROWS_PER_KEY, FUZZY_MAX_ROWS))
        self._last_prefilter = (memo, rows)
        return rows

    def display_names(self, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], str]:
        """(pid, key) -> the name as written, for a few (pid, key) pairs."""
        return store.display_names(self._conn, pairs)


@lru_cache(maxsize=COUNTRY_CODE_CACHE)
def country_code_of_key(reader: CandidateReader, key: str) -> str | None:
    """ISO code of the country named by the normalized ``key`` or by one of its alternates
    ("dr congo (zaire)"), else None."""
    found = reader.country_code_of_name(key)
    if found:
        return found
    for alt in split_alternates(key)[1:]:
        r = country_code_of_key(reader, normalize(alt))
        if r:
            return r
    return None


#: Consonants a skeleton holds after its first letter (:func:`gazetteer.normalize.skeleton` drops
#: vowels, h, w, y and folds q -> k, v -> w).
_SKEL_REST = "bcdfgjklmnprstxz"
#: Arabic-script letters as :func:`gazetteer.normalize.normalize` leaves them (variants folded).
_ARABIC_LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"


def _edits1(s: str, letters: str) -> list[str]:
    """Strings one deletion, transposition, replacement or insertion (in that order) away from
    ``s`` that keep its first character, replacements and insertions drawn from ``letters``.
    May hold ``s`` itself and duplicates.

    The first letter stays: typos and romanisations rarely change it, and a changed first
    letter mostly meets another place (Landay -> Kanday, Iyadh -> Riyadh).
    """
    n = len(s)
    out = [s[:i] + s[i + 1:] for i in range(1, n)]
    out += [s[:i] + s[i + 1] + s[i] + s[i + 2:] for i in range(1, n - 1)]
    for i in range(1, n):
        out += [s[:i] + c + s[i + 1:] for c in letters]
    for i in range(1, n + 1):
        out += [s[:i] + c + s[i:] for c in letters]
    return out


def skeleton_neighbours(skel: str) -> list[str]:
    """Skeletons one edit away from ``skel`` with the same first letter, deletions and swaps
    first, without ``skel`` itself.

    >>> skeleton_neighbours("gnz")[:4]
    ['gz', 'gn', 'gzn', 'gbz']
    """
    return [t for t in dict.fromkeys(_edits1(skel, _SKEL_REST)) if t != skel]


def key_neighbours(key: str) -> list[str]:
    """Keys one edit away from a key without a skeleton (non-Latin script), same first letter:
    replacements and insertions use the key's own letters and a space, plus the Arabic
    alphabet for Arabic-script keys."""
    letters = set(key) | {" "}  # a space dropped or added between words is a typo too
    if any("\u0600" <= ch <= "\u06ff" for ch in key):
        letters |= set(_ARABIC_LETTERS)
    return [t for t in dict.fromkeys(_edits1(key, "".join(sorted(letters))))
            if t != key and t.strip() == t and "  " not in t]
