"""SQLite storage of the gazetteer index.

Tables
------
``places``   one row per place; ``bbox`` columns in (lon, lat) order.
``names``    normalized ``key`` and romanisation ``skel``eton per name, with the place's
             country code ``cc`` and importance ``rank`` copied in, so that every read
             the resolver makes is one index range in importance order with a LIMIT
             (see :data:`NAME_INDEXES`): its cost does not grow with the index.
``geoms``    WKB polygons of admin units.
``meta``     key/value build facts; ``sources`` loaded sources with licences.

Rows are only ever built here and in :mod:`gazetteer.build`; the rest of the
package sees :class:`gazetteer.model.Place` objects.
"""

from __future__ import annotations

import functools
import json
import math
import sqlite3

from gazetteer.model import Place

#: Bumped when the tables change; :func:`upgrade_schema` migrates older indexes in place.
#: 2: ``names.cc`` and ``names.rank`` with the :data:`NAME_INDEXES` that read them.
SCHEMA_VERSION = 2

#: ``names.rank`` = round((1 - importance) x RANK_SCALE): ascending rank is descending importance.
RANK_SCALE = 10_000

#: Indexes on ``names`` the resolver reads (each query is an equality on the leading columns,
#: then ``ORDER BY rank LIMIT n``, so it stops after n entries however many names share the key):
#:
#: ``names_key_rank``   exact names, most important first; ``cc``, ``flag`` and ``pid`` inside so a
#:                      country filter is checked on the index entry;
#: ``names_skel_cc``    one country's names with a skeleton, most important first, covering the
#:                      columns the variant and fuzzy stages score (no table reads);
#: ``names_skel_rank``  the same without a country hint, all countries in one importance order.
#:
#: Skeleton indexes skip names without one (non-Latin scripts): queries add ``skel != ''``.
NAME_INDEXES = (
    ("names_key_rank", "CREATE INDEX names_key_rank ON names(key, rank, cc, flag, pid)"),
    ("names_skel_cc", "CREATE INDEX names_skel_cc ON names(skel, cc, rank, flag, key, soft, pid) WHERE skel != ''"),
    ("names_skel_rank", "CREATE INDEX names_skel_rank ON names(skel, rank, flag, key, soft, pid, cc) WHERE skel != ''"),
)

PLACE_COLUMNS = (
    "pid", "id", "name", "kind", "lat", "lon", "country_code", "country", "admin1", "admin2",
    "admin1_id", "admin2_id", "population", "feature_code", "min_lon", "min_lat", "max_lon",
    "max_lat", "has_geometry", "source", "importance",
)
_SELECT = "SELECT " + ", ".join("p." + c for c in PLACE_COLUMNS) + " FROM places p"


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the tables of an empty index (journal and sync off: the build writes a fresh file)."""
    conn.executescript(
        """
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE TABLE places (
            pid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, kind TEXT NOT NULL,
            lat REAL, lon REAL, country_code TEXT, country TEXT, admin1 TEXT, admin2 TEXT,
            admin1_id TEXT, admin2_id TEXT, population INTEGER, feature_code TEXT,
            min_lon REAL, min_lat REAL, max_lon REAL, max_lat REAL, has_geometry INTEGER,
            source TEXT, importance REAL
        );
        CREATE TABLE names (key TEXT NOT NULL, skel TEXT, soft TEXT, pid INTEGER NOT NULL, name TEXT, flag INTEGER,
                            cc TEXT NOT NULL DEFAULT '', rank INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE geoms (pid INTEGER PRIMARY KEY, wkb BLOB NOT NULL);
        CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
        CREATE TABLE sources (name TEXT PRIMARY KEY, info TEXT);
        """
    )


def place_row(pid, id, name, kind, lat, lon, cc, country, admin1, admin2, admin1_id, admin2_id,
              population, feature_code, bbox, has_geometry, source, importance):
    """One ``places`` row in PLACE_COLUMNS order; ``bbox`` (min_lon, min_lat, max_lon, max_lat) or None."""
    bbox = tuple(bbox) if bbox is not None else (None, None, None, None)
    return (pid, id, name, kind, lat, lon, cc, country, admin1, admin2, admin1_id, admin2_id,
            population, feature_code, *bbox, int(bool(has_geometry)), source, importance)


def importance_rank(importance) -> int:
    """``names.rank`` of a place's names: 0 for importance 1, :data:`RANK_SCALE` for 0."""
    imp = min(max(float(importance or 0.0), 0.0), 1.0)
    return int(math.floor((1.0 - imp) * RANK_SCALE + 0.5))


def _ranked(name_rows, place_of):
    """Append (cc, rank) to (key, skel, soft, pid, name, flag) rows; ``place_of(pid)`` -> (cc, importance)."""
    for r in name_rows:
        cc, imp = place_of(r[3])
        yield (*r[:6], cc or "", importance_rank(imp))


_INSERT_NAMES = "INSERT INTO names (key, skel, soft, pid, name, flag, cc, rank) VALUES (?,?,?,?,?,?,?,?)"


def insert(conn, place_rows, name_rows, geom_rows) -> None:
    """Bulk-insert places, names (ranked) and geometries into a new index, then build its indexes."""
    conn.executemany(f"INSERT INTO places VALUES ({','.join('?' * len(PLACE_COLUMNS))})", place_rows)
    by_pid = {r[0]: (r[6], r[20]) for r in place_rows}
    conn.executemany(_INSERT_NAMES, _ranked(name_rows, by_pid.__getitem__))
    conn.executemany("INSERT INTO geoms VALUES (?,?)", geom_rows)
    for _name, sql in NAME_INDEXES:
        conn.execute(sql)
    conn.executescript(
        """
        CREATE INDEX names_pid ON names(pid);
        CREATE INDEX places_admin1 ON places(admin1_id);
        CREATE INDEX places_kind_cc ON places(kind, country_code);
        """
    )


def write_meta(conn, meta: dict, sources: list) -> None:
    """Write the ``meta`` key/values and the ``sources`` info dicts (replacing earlier ones)."""
    conn.executemany("INSERT OR REPLACE INTO meta VALUES (?,?)", list(meta.items()))
    conn.executemany(
        "INSERT OR REPLACE INTO sources VALUES (?,?)", [(s["name"], json.dumps(s)) for s in sources]
    )


def row_to_place(row) -> Place:
    """The :class:`Place` of one ``places`` row (as selected by ``select_places``)."""
    (pid, id, name, kind, lat, lon, cc, country, admin1, admin2, admin1_id, admin2_id, pop,
     fcode, x0, y0, x1, y1, has_geom, source, _imp) = row
    return Place(
        id=id, name=name, kind=kind, lat=lat, lon=lon, country_code=cc, country=country,
        admin1=admin1, admin2=admin2, admin1_id=admin1_id, admin2_id=admin2_id,
        population=pop or 0, feature_code=fcode,
        bbox=(x0, y0, x1, y1) if x0 is not None else None, has_geometry=bool(has_geom), source=source or "",
    )


def connect(path, *, readonly=True) -> sqlite3.Connection:
    """A connection to the index file; :class:`~gazetteer.errors.IndexAccessError` when it cannot be opened."""
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            conn = sqlite3.connect(path, check_same_thread=False)
        conn.execute("PRAGMA query_only = 1" if readonly else "PRAGMA foreign_keys = 1")
        conn.execute("PRAGMA cache_size = -65536")
    except sqlite3.OperationalError as err:  # unreadable file, a stale journal that cannot be replayed...
        from gazetteer.errors import IndexAccessError

        raise IndexAccessError(
            f"cannot open the gazetteer index {path} ({err}); check that it and its folder are readable, "
            "or rebuild it with `conflictmap gazetteer build --force`", path=path,
        ) from err
    return conn


def places_by_pids(conn, pids) -> dict:
    """pid -> (row) for the given pids."""
    pids = list(pids)
    out = {}
    for i in range(0, len(pids), 500):
        chunk = pids[i:i + 500]
        q = f"{_SELECT} WHERE p.pid IN ({','.join('?' * len(chunk))})"
        for row in conn.execute(q, chunk):
            out[row[0]] = row
    return out


_EXACT = (
    "SELECT n.flag, " + ", ".join("p." + c for c in PLACE_COLUMNS)
    + " FROM names n INDEXED BY names_key_rank JOIN places p ON p.pid = n.pid WHERE n.key = ?{cc} "
    "ORDER BY n.rank LIMIT ?"
)
_EXACT_ANY, _EXACT_CC = _EXACT.format(cc=""), _EXACT.format(cc=" AND n.cc = ?")


def exact_matches(conn, key: str, limit: int, cc=None, abroad_limit: int = 0) -> list:
    """(flag, place row) for names with this normalized key, most important places first.

    At most ``limit`` rows; with a country ``cc`` that many from the country plus the
    ``abroad_limit`` most important from anywhere (for ranking and "closest" messages).
    """
    if not cc:
        return [(r[0], r[1:]) for r in conn.execute(_EXACT_ANY, (key, limit))]
    rows = [(r[0], r[1:]) for r in conn.execute(_EXACT_CC, (key, cc, limit))]
    if abroad_limit:
        rows += [(r[0], r[1:]) for r in conn.execute(_EXACT_ANY, (key, abroad_limit)) if r[7] != cc]
    return rows


#: Columns of a name row read by the variant and fuzzy stages (all in ``names_skel_cc``).
NAME_ROW = "key, soft, pid, flag, cc"
_BY_SKEL_CC = (f"SELECT {NAME_ROW} FROM names INDEXED BY names_skel_cc "
               "WHERE skel = ? AND skel != '' AND cc = ? ORDER BY rank LIMIT ?")
_BY_SKEL_ANY = (f"SELECT {NAME_ROW} FROM names INDEXED BY names_skel_rank "
                "WHERE skel = ? AND skel != '' ORDER BY rank LIMIT ?")


def names_by_skeleton(conn, skel: str, cc, limit: int) -> list:
    """(key, soft, pid, flag, cc) of the ``limit`` most important names with this skeleton
    (in country ``cc`` when given): one index range, however many names share it."""
    if not skel:
        return []
    if cc:
        return conn.execute(_BY_SKEL_CC, (skel, cc, limit)).fetchall()
    return conn.execute(_BY_SKEL_ANY, (skel, limit)).fetchall()


#: Probes per statement in :func:`names_by_probes` (short chunks are padded, so a few statement
#: texts serve every query and stay in sqlite3's statement cache).
PROBE_CHUNK = 64
_NO_KEY = "\x00"  # padding probe: no key or skeleton is a control character


@functools.cache
def _probe_sql(column: str, with_cc: bool) -> str:
    index = {("skel", True): "names_skel_cc", ("skel", False): "names_skel_rank"}.get((column, with_cc), "names_key_rank")
    where = f"{column} = ?{{i}}" + (" AND skel != ''" if column == "skel" else "") + (" AND cc = ?1" if with_cc else "")
    sub = (f"SELECT * FROM (SELECT {NAME_ROW} FROM names INDEXED BY {index} WHERE {where} "
           "ORDER BY rank LIMIT ?2)")
    return ("SELECT * FROM (" + " UNION ALL ".join(sub.format(i=i + 4) for i in range(PROBE_CHUNK))
            + ") LIMIT ?3")


def names_by_probes(conn, column: str, probes, cc, per_probe: int, total: int) -> list:
    """(key, soft, pid, flag, cc) of the ``per_probe`` most important names for each value of
    ``column`` (``"skel"`` or ``"key"``) in ``probes``, in probe order, at most ``total`` rows
    (per skeleton the same rows as :func:`names_by_skeleton`), PROBE_CHUNK probes per statement."""
    if column not in ("skel", "key"):
        raise ValueError(f"column {column!r} is not 'skel' or 'key'")
    sql = _probe_sql(column, bool(cc))
    rows: list = []
    probes = list(probes)
    for i in range(0, len(probes), PROBE_CHUNK):
        if len(rows) >= total:
            break
        chunk = probes[i:i + PROBE_CHUNK]
        chunk += [_NO_KEY] * (PROBE_CHUNK - len(chunk))
        rows += conn.execute(sql, [cc or "", per_probe, total - len(rows), *chunk]).fetchall()
    return rows


def display_names(conn, pairs) -> dict:
    """(pid, key) -> the name as written, for a few (pid, key) pairs."""
    out = {}
    for pid, key in pairs:
        row = conn.execute("SELECT name FROM names WHERE pid = ? AND key = ? LIMIT 1", (pid, key)).fetchone()
        if row:
            out[(pid, key)] = row[0]
    return out


def select_places(conn, where: str, params=()):
    """The ``places`` rows matching an SQL ``where`` clause with its parameters."""
    return conn.execute(f"{_SELECT} WHERE {where}", params).fetchall()


# --------------------------------------------------------------------------- loaded sources
# Helpers for :mod:`gazetteer.sources` (added sources: GeoNames dumps, boundaries, aliases,
# online results). The embedded build never calls them. Their extra tables are created on the
# first add (:func:`ensure_source_schema`), so an index built by any version can take sources:
#
# ``names.source``  set when a source adds a name to a place *another* source owns (NULL otherwise);
# ``alt_geoms``     polygons a source attached to a place that already had one;
# ``edits``         field-level undo log: what a source changed on another source's place;
# ``codes``         external identifiers of places (``geonames:1129867``, ``geoboundaries:<shapeID>``,
#                   ``geonames-admin2:AF.02.1901``, ``iso:AF-BDG``...), used to link later loads;
# ``notes``         per-place provenance text (alias notes, online query and provider);
# ``admin_codes``   GeoNames admin1/admin2 code tables (code -> name, geonameid).
#
# Every add/remove runs in ONE transaction on a journaled connection (:func:`write_transaction`).

import contextlib

#: Name flag of analyst aliases (the other flags: :data:`gazetteer.names.PRIMARY` and after).
NAME_FLAG_ALIAS = 3
SOURCE_SCHEMA_VERSION = 1
#: Fields a source may change on another source's place (recorded in ``edits``).
EDITABLE_FIELDS = frozenset({
    "admin1", "admin1_id", "admin2", "admin2_id", "population", "feature_code", "has_geometry",
    "min_lon", "min_lat", "max_lon", "max_lat", "lat", "lon",
})


@contextlib.contextmanager
def write_transaction(path, *, sources: bool = True):
    """A journaled writable connection inside one ``BEGIN IMMEDIATE`` ... ``COMMIT``.

    Any exception (including KeyboardInterrupt) rolls back, leaving the index
    exactly as it was. The connection is closed on exit. With ``sources`` the
    tables added sources need are created first (:func:`ensure_source_schema`).
    """
    from gazetteer.errors import IndexAccessError

    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    except sqlite3.Error as err:
        raise IndexAccessError(_cannot_write_message(path, err), path=path) from err
    try:
        try:
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute("PRAGMA cache_size = -131072")
            conn.execute("PRAGMA temp_store = FILE")
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            if not _is_access_error(err):
                raise
            raise IndexAccessError(_cannot_write_message(path, err), path=path) from err
        try:
            if sources:
                ensure_source_schema(conn)
            yield conn
        except BaseException as err:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:  # after an I/O error SQLite may have rolled back already
                pass
            if _is_access_error(err):  # read-only file, no room for the journal... (not a bad statement)
                raise IndexAccessError(_cannot_write_message(path, err), path=path) from err
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.OperationalError as err:
            if not _is_access_error(err):
                raise
            raise IndexAccessError(_cannot_write_message(path, err), path=path) from err
    finally:
        conn.close()


#: SQLite result codes that mean the file cannot be written or opened (not a bug in a statement).
_ACCESS_CODES = ("SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_PERM",
                 "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_NOLFS")
_ACCESS_WORDS = ("readonly", "read-only", "disk i/o", "full", "unable to open", "locked", "busy")


def _is_access_error(err: BaseException) -> bool:
    if not isinstance(err, sqlite3.OperationalError):
        return False
    name = getattr(err, "sqlite_errorname", None)  # Python 3.11+
    if name:
        return name.startswith(_ACCESS_CODES)
    return any(w in str(err).lower() for w in _ACCESS_WORDS)


def _cannot_write_message(path, err) -> str:
    return (
        f"cannot write the gazetteer index {path} ({err}); nothing was changed. Check that the file and "
        "its folder are writable and the disk is not full, or use a writable copy with --data-dir"
    )


def schema_version(conn) -> int:
    """The index's schema version from ``meta`` (1 when absent or unreadable)."""
    row = conn.execute("SELECT v FROM meta WHERE k = 'schema_version'").fetchone()
    try:
        return int(row[0]) if row else 1
    except ValueError:
        return 1


def upgrade_schema(conn) -> bool:
    """Migrate an index written by an older version to :data:`SCHEMA_VERSION` (inside the
    caller's transaction). Returns True when anything changed.

    1 -> 2: ``names.cc`` and ``names.rank`` filled from the places, the old single-column
    ``names_key``/``names_skel`` indexes replaced by :data:`NAME_INDEXES`.
    """
    if schema_version(conn) >= SCHEMA_VERSION:
        return False
    cols = {r[1] for r in conn.execute("PRAGMA table_info(names)")}
    if "cc" not in cols:
        conn.execute("ALTER TABLE names ADD COLUMN cc TEXT NOT NULL DEFAULT ''")
    if "rank" not in cols:
        conn.execute("ALTER TABLE names ADD COLUMN rank INTEGER NOT NULL DEFAULT 0")
    conn.create_function("importance_rank", 1, importance_rank, deterministic=True)
    conn.execute(
        "UPDATE names SET cc = COALESCE(p.country_code, ''), rank = importance_rank(p.importance) "
        "FROM places p WHERE p.pid = names.pid"
    )
    conn.execute("DROP INDEX IF EXISTS names_key")
    conn.execute("DROP INDEX IF EXISTS names_skel")
    existing = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    for name, sql in NAME_INDEXES:
        if name not in existing:
            conn.execute(sql)
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    return True


def upgrade_file(path) -> bool:
    """Bring the index file at ``path`` to :data:`SCHEMA_VERSION` in one transaction (no-op when
    current). Returns True when it was upgraded."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        current = schema_version(conn) >= SCHEMA_VERSION
    finally:
        conn.close()
    if current:
        return False
    with write_transaction(path, sources=False) as conn:
        return upgrade_schema(conn)


def ensure_source_schema(conn) -> None:
    """Create the tables and indexes added sources need (idempotent, transactional); an index
    written by an older version is upgraded first (:func:`upgrade_schema`)."""
    upgrade_schema(conn)
    cols = {r[1] for r in conn.execute("PRAGMA table_info(names)")}
    if "source" not in cols:
        conn.execute("ALTER TABLE names ADD COLUMN source TEXT")
    for sql in (
        ("CREATE TABLE IF NOT EXISTS alt_geoms (pid INTEGER NOT NULL, source TEXT NOT NULL, wkb BLOB NOT NULL, "
         "PRIMARY KEY (pid, source))"),
        ("CREATE TABLE IF NOT EXISTS edits (source TEXT NOT NULL, pid INTEGER NOT NULL, field TEXT NOT NULL, "
         "before, after, PRIMARY KEY (source, pid, field))"),
        ("CREATE TABLE IF NOT EXISTS codes (code TEXT NOT NULL, pid INTEGER NOT NULL, source TEXT NOT NULL, "
         "PRIMARY KEY (code, pid))"),
        "CREATE TABLE IF NOT EXISTS notes (pid INTEGER NOT NULL, source TEXT NOT NULL, note TEXT NOT NULL)",
        ("CREATE TABLE IF NOT EXISTS admin_codes (code TEXT PRIMARY KEY, name TEXT, asciiname TEXT, "
         "geonameid INTEGER, source TEXT NOT NULL)"),
        *(sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS") for name, sql in BULK_INDEXES
          if name in ("places_source", "places_admin2", "places_cc")),
        "CREATE INDEX IF NOT EXISTS names_source ON names(source) WHERE source IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS codes_pid ON codes(pid)",
        "CREATE INDEX IF NOT EXISTS codes_source ON codes(source)",
        "CREATE INDEX IF NOT EXISTS edits_pid ON edits(pid)",
        "CREATE INDEX IF NOT EXISTS notes_pid ON notes(pid)",
    ):
        conn.execute(sql)
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('sources_schema_version', ?)", (str(SOURCE_SCHEMA_VERSION),))


def next_pid(conn) -> int:
    """The next free place number (1 in an empty index)."""
    return (conn.execute("SELECT MAX(pid) FROM places").fetchone()[0] or 0) + 1


def insert_rows(conn, place_rows=(), name_rows=(), geom_rows=(), *, name_source=None) -> None:
    """Append rows to an index that already has its indexes (no index creation here).

    ``name_rows`` are :func:`gazetteer.names.rows_for_names` tuples; ``name_source``
    marks names added to places another source owns.
    """
    if place_rows:
        conn.executemany(f"INSERT INTO places VALUES ({','.join('?' * len(PLACE_COLUMNS))})", place_rows)
    if name_rows:
        name_rows = list(name_rows)
        known = {r[0]: (r[6], r[20]) for r in place_rows}
        others = list({r[3] for r in name_rows if r[3] not in known})
        for i in range(0, len(others), 500):
            chunk = others[i:i + 500]
            known.update((pid, (cc, imp)) for pid, cc, imp in conn.execute(
                f"SELECT pid, country_code, importance FROM places WHERE pid IN ({','.join('?' * len(chunk))})", chunk))
        conn.executemany(
            "INSERT INTO names (key, skel, soft, pid, name, flag, cc, rank, source) VALUES (?,?,?,?,?,?,?,?,?)",
            (r + (name_source,) for r in _ranked(name_rows, lambda pid: known.get(pid, (None, 0.0)))),
        )
    if geom_rows:
        conn.executemany("INSERT INTO geoms VALUES (?,?)", geom_rows)


#: Indexes a bulk append drops and rebuilds once (one sort each instead of random B-tree inserts
#: per row, which thrash the page cache once an index outgrows it). ``names_pid`` stays: loaders
#: read it and pids only grow, so it is appended to. The first two place indexes are the ones
#: :func:`insert` creates for the embedded build; the others come from :func:`ensure_source_schema`
#: (``places_cc`` lets the resolver read one country's names without scanning every place).
BULK_INDEXES = (
    *NAME_INDEXES,
    ("places_admin1", "CREATE INDEX places_admin1 ON places(admin1_id)"),
    ("places_kind_cc", "CREATE INDEX places_kind_cc ON places(kind, country_code)"),
    ("places_source", "CREATE INDEX places_source ON places(source)"),
    ("places_admin2", "CREATE INDEX places_admin2 ON places(admin2_id)"),
    ("places_cc", "CREATE INDEX places_cc ON places(country_code)"),
)


def drop_bulk_indexes(conn, tables=("names", "places")) -> None:
    """Drop the secondary indexes of ``tables`` before a bulk append (transactional); queries by
    kind, source or admin ids scan until :func:`create_bulk_indexes` rebuilds them."""
    for name, sql in BULK_INDEXES:
        if sql.split(" ON ")[1].split("(")[0] in tables:
            conn.execute(f"DROP INDEX IF EXISTS {name}")


def create_bulk_indexes(conn) -> None:
    """Rebuild whichever :data:`BULK_INDEXES` are missing, then refresh the planner's statistics."""
    existing = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    missing = [(name, sql) for name, sql in BULK_INDEXES if name not in existing]
    for _name, sql in missing:
        conn.execute(sql)
    if missing:
        conn.execute("ANALYZE")


def set_fields(conn, source: str, pid: int, values: dict) -> bool:
    """Change fields of a place another source owns, logging the old values in ``edits``.

    The first value a source saw is kept as ``before``, so several changes by one
    source undo to the original. Returns True when anything changed.
    """
    bad = set(values) - EDITABLE_FIELDS
    if bad:
        raise ValueError(f"fields {sorted(bad)} cannot be edited by a source")
    cols = list(values)
    row = conn.execute(f"SELECT {', '.join(cols)} FROM places WHERE pid = ?", (pid,)).fetchone()
    if row is None:
        return False
    changed = {c: v for c, v, old in zip(cols, values.values(), row) if old != v}
    if not changed:
        return False
    old_by_col = dict(zip(cols, row))
    for c, v in changed.items():
        conn.execute(
            "INSERT INTO edits VALUES (?,?,?,?,?) ON CONFLICT(source, pid, field) DO UPDATE SET after = excluded.after",
            (source, pid, c, old_by_col[c], v),
        )
    conn.execute(f"UPDATE places SET {', '.join(c + ' = ?' for c in changed)} WHERE pid = ?",
                 (*changed.values(), pid))
    return True


def attach_geometry(conn, source: str, pid: int, wkb: bytes, bounds) -> str:
    """Give a place a polygon: its primary geometry when it has none (undoable), else an alternate.

    Returns ``"primary"`` or ``"alternate"``.
    """
    has = conn.execute("SELECT 1 FROM geoms WHERE pid = ?", (pid,)).fetchone()
    if has:
        conn.execute("INSERT OR REPLACE INTO alt_geoms VALUES (?,?,?)", (pid, source, wkb))
        return "alternate"
    conn.execute("INSERT INTO geoms VALUES (?,?)", (pid, wkb))
    conn.execute("INSERT OR REPLACE INTO edits VALUES (?,?,?,?,?)", (source, pid, "geom", None, 1))
    x0, y0, x1, y1 = bounds
    set_fields(conn, source, pid, {"has_geometry": 1, "min_lon": x0, "min_lat": y0, "max_lon": x1, "max_lat": y1})
    return "primary"


def add_codes(conn, source: str, pairs) -> None:
    """Record external identifiers: iterable of (code, pid)."""
    conn.executemany("INSERT OR IGNORE INTO codes VALUES (?,?,?)", ((c, p, source) for c, p in pairs))


def pids_for_codes(conn, codes) -> dict:
    """code -> pid for codes known in ``codes`` or as a place id (``places.id``)."""
    codes = list(dict.fromkeys(codes))
    out = {}
    for i in range(0, len(codes), 500):
        chunk = codes[i:i + 500]
        marks = ",".join("?" * len(chunk))
        out.update(conn.execute(f"SELECT id, pid FROM places WHERE id IN ({marks})", chunk).fetchall())
        for code, pid in conn.execute(f"SELECT code, pid FROM codes WHERE code IN ({marks})", chunk):
            out.setdefault(code, pid)
    return out


def register_source(conn, info: dict) -> None:
    """Record (or replace) a source's info dict under its ``name``."""
    conn.execute("INSERT OR REPLACE INTO sources VALUES (?,?)", (info["name"], json.dumps(info, ensure_ascii=False)))


def source_info(conn, name: str):
    """The info dict of the source ``name``, or None when it was never added."""
    row = conn.execute("SELECT info FROM sources WHERE name = ?", (name,)).fetchone()
    return json.loads(row[0]) if row else None


#: Removing at least this many places drops and rebuilds the secondary indexes (see BULK_INDEXES).
BULK_REMOVE_PLACES = 500_000


def delete_source(conn, source: str) -> dict:
    """Remove everything ``source`` added (inside the caller's transaction) and return counts.

    Places the source owns go with their names, polygons, codes and notes; names,
    alternate polygons and codes it attached to other places go too; fields it
    changed on other places are restored when they still hold its value; links
    (admin1_id / admin2_id) other places had to the removed places are cleared.
    """
    conn.execute("DROP TABLE IF EXISTS temp.gone")
    conn.execute("CREATE TEMP TABLE gone AS SELECT pid, id FROM places WHERE source = ?", (source,))
    conn.execute("CREATE INDEX temp.gone_pid ON gone(pid)")
    conn.execute("CREATE INDEX temp.gone_id ON gone(id)")
    n_places = conn.execute("SELECT COUNT(*) FROM gone").fetchone()[0]
    bulk = n_places >= BULK_REMOVE_PLACES
    if bulk:  # deleting millions of rows from five B-trees costs more than rebuilding them once
        drop_bulk_indexes(conn)
    restored = 0
    edits = conn.execute(
        "SELECT pid, field, before, after FROM edits WHERE source = ? AND pid NOT IN (SELECT pid FROM gone)",
        (source,),
    ).fetchall()
    for pid, field, before, after in edits:
        if field == "geom":
            conn.execute("DELETE FROM geoms WHERE pid = ?", (pid,))
            restored += 1
            continue
        if field not in EDITABLE_FIELDS:
            continue
        cur = conn.execute(f"SELECT {field} FROM places WHERE pid = ?", (pid,)).fetchone()
        if cur is not None and cur[0] == after:
            conn.execute(f"UPDATE places SET {field} = ? WHERE pid = ?", (before, pid))
            restored += 1
    n_names = conn.execute(
        "DELETE FROM names WHERE pid IN (SELECT pid FROM gone)"
    ).rowcount + conn.execute("DELETE FROM names WHERE source = ?", (source,)).rowcount
    for table in ("geoms", "alt_geoms", "codes", "notes", "edits"):
        conn.execute(f"DELETE FROM {table} WHERE pid IN (SELECT pid FROM gone)")
    for table in ("alt_geoms", "codes", "notes", "edits", "admin_codes"):
        conn.execute(f"DELETE FROM {table} WHERE source = ?", (source,))
    conn.execute("DELETE FROM places WHERE pid IN (SELECT pid FROM gone)")
    unlinked = conn.execute(
        "UPDATE places SET admin2 = NULL, admin2_id = NULL WHERE admin2_id IN (SELECT id FROM gone)"
    ).rowcount
    unlinked += conn.execute(
        "UPDATE places SET admin1 = NULL, admin1_id = NULL WHERE admin1_id IN (SELECT id FROM gone)"
    ).rowcount
    existed = conn.execute("DELETE FROM sources WHERE name = ?", (source,)).rowcount
    conn.execute("DROP TABLE temp.gone")
    if bulk:
        create_bulk_indexes(conn)
    return {"source": source, "existed": bool(existed), "places": n_places, "names": n_names,
            "restored_fields": restored, "unlinked": unlinked}


def counts_by_kind_country(conn) -> list:
    """(country_code, kind, count) rows, largest first."""
    return conn.execute(
        "SELECT COALESCE(country_code, ''), kind, COUNT(*) FROM places GROUP BY 1, 2 ORDER BY 3 DESC"
    ).fetchall()


def counts_by_source(conn) -> dict:
    """Number of places per source name ("" for the embedded build's places without one)."""
    return dict(conn.execute("SELECT COALESCE(source, ''), COUNT(*) FROM places GROUP BY 1"))
