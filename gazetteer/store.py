"""SQLite storage of the gazetteer index.

Tables
------
``places``   one row per place; ``bbox`` columns in (lon, lat) order.
``names``    normalized ``key`` and romanisation ``skel``eton per name, both indexed.
``geoms``    WKB polygons of admin units.
``meta``     key/value build facts; ``sources`` loaded sources with licences.

Rows are only ever built here and in :mod:`gazetteer.build`; the rest of the
package sees :class:`gazetteer.model.Place` objects.
"""

from __future__ import annotations

import json
import sqlite3

from gazetteer.model import Place

SCHEMA_VERSION = 1

PLACE_COLUMNS = (
    "pid", "id", "name", "kind", "lat", "lon", "country_code", "country", "admin1", "admin2",
    "admin1_id", "admin2_id", "population", "feature_code", "min_lon", "min_lat", "max_lon",
    "max_lat", "has_geometry", "source", "importance",
)
_SELECT = "SELECT " + ", ".join("p." + c for c in PLACE_COLUMNS) + " FROM places p"


def create_schema(conn: sqlite3.Connection) -> None:
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
        CREATE TABLE names (key TEXT NOT NULL, skel TEXT, soft TEXT, pid INTEGER NOT NULL, name TEXT, flag INTEGER);
        CREATE TABLE geoms (pid INTEGER PRIMARY KEY, wkb BLOB NOT NULL);
        CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
        CREATE TABLE sources (name TEXT PRIMARY KEY, info TEXT);
        """
    )


def place_row(pid, id, name, kind, lat, lon, cc, country, admin1, admin2, admin1_id, admin2_id,
              population, feature_code, bbox, has_geometry, source, importance):
    bbox = tuple(bbox) if bbox is not None else (None, None, None, None)
    return (pid, id, name, kind, lat, lon, cc, country, admin1, admin2, admin1_id, admin2_id,
            population, feature_code, *bbox, int(bool(has_geometry)), source, importance)


def insert(conn, place_rows, name_rows, geom_rows) -> None:
    conn.executemany(f"INSERT INTO places VALUES ({','.join('?' * len(PLACE_COLUMNS))})", place_rows)
    conn.executemany("INSERT INTO names VALUES (?,?,?,?,?,?)", name_rows)
    conn.executemany("INSERT INTO geoms VALUES (?,?)", geom_rows)
    conn.executescript(
        """
        CREATE INDEX names_key ON names(key);
        CREATE INDEX names_skel ON names(skel);
        CREATE INDEX names_pid ON names(pid);
        CREATE INDEX places_admin1 ON places(admin1_id);
        CREATE INDEX places_kind_cc ON places(kind, country_code);
        """
    )


def write_meta(conn, meta: dict, sources: list) -> None:
    conn.executemany("INSERT OR REPLACE INTO meta VALUES (?,?)", list(meta.items()))
    conn.executemany(
        "INSERT OR REPLACE INTO sources VALUES (?,?)", [(s["name"], json.dumps(s)) for s in sources]
    )


def row_to_place(row) -> Place:
    (pid, id, name, kind, lat, lon, cc, country, admin1, admin2, admin1_id, admin2_id, pop,
     fcode, x0, y0, x1, y1, has_geom, source, _imp) = row
    return Place(
        id=id, name=name, kind=kind, lat=lat, lon=lon, country_code=cc, country=country,
        admin1=admin1, admin2=admin2, admin1_id=admin1_id, admin2_id=admin2_id,
        population=pop or 0, feature_code=fcode,
        bbox=(x0, y0, x1, y1) if x0 is not None else None, has_geometry=bool(has_geom), source=source or "",
    )


def connect(path, *, readonly=True) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute("PRAGMA query_only = 1" if readonly else "PRAGMA foreign_keys = 1")
    conn.execute("PRAGMA cache_size = -65536")
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
    + " FROM names n JOIN places p ON p.pid = n.pid WHERE n.key = ? LIMIT ?"
)


def exact_matches(conn, key: str, limit: int) -> list:
    """(flag, place row) for every name with this normalized key, in one query."""
    return [(r[0], r[1:]) for r in conn.execute(_EXACT, (key, limit))]


def select_places(conn, where: str, params=()):
    return conn.execute(f"{_SELECT} WHERE {where}", params).fetchall()
