"""Analyst-maintained names: ``gazetteer add aliases FILE.csv``.

CSV with a header; one alias per row, either

* ``name,lat,lon`` - a new place at that point (``alias:<file>:<name-slug>``), or
* ``name,place_id`` - another name for a place already in the index (its id,
  e.g. ``geonames:1129867``, or a code such as ``geoboundaries:<shapeID>``),

plus optional ``kind`` (country, admin1, admin2, admin3, populated_place,
other; default ``other``), ``country`` (ISO code or name), ``admin1`` (a
province name, checked against the country) and ``note`` (kept as provenance).
New places are linked to their country, province and district by point in
polygon when those are not given.

Alias names are stored with the name flag :data:`gazetteer.store.NAME_FLAG_ALIAS`;
the resolver gives an exact match on such a name a bonus
(:data:`gazetteer.scoring.ALIAS_BONUS`), so aliases win over other sources when
they match exactly, while still obeying a hinted country.

Example file::

    name,lat,lon,kind,country,admin1,note
    NDS headquarters Qala-e-Naw,34.9856,63.1312,other,AF,Badghis,from field report 2021-07-07
    Camp Shorabak,31.8667,64.2167,other,AF,Helmand,former Camp Bastion
    Qalay-e-Naw,,,,,,
    Qalai Naw,,,,,,

(rows with neither coordinates nor ``place_id`` are malformed and reported).
"""

from __future__ import annotations

import csv
import logging
import re
from pathlib import Path

from gazetteer import store
from gazetteer.errors import SourceDataError
from gazetteer.model import KINDS
from gazetteer.normalize import clean_text, normalize
from gazetteer.sources._common import Problems, index_path, run_add, source_name

log = logging.getLogger(__name__)

#: Importance of a new alias place (between a district and a small town).
ALIAS_IMPORTANCE = 0.5
REQUIRED = ("name",)


def add_aliases(index, path, *, source=None, strict=False, progress=False):
    """Add an analyst alias CSV to the index (one transaction; re-adding the file replaces it).

    Examples
    --------
    >>> add_aliases(data_dir, "my-names.csv").summary()     # doctest: +SKIP
    'aliases:my-names: 4 rows read, 2 places added, 2 merged into existing places, ...'
    """
    target = index_path(index)
    path = Path(path)
    if not path.exists():
        raise SourceDataError(f"alias file {path} does not exist", path=str(path))
    src = source or source_name("aliases", path)
    problems = Problems(path, strict)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise SourceDataError(f"{path} is not UTF-8 text (byte {err.start}); re-save it as UTF-8 CSV",
                              path=str(path)) from err
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    if "name" not in header or not ({"lat", "lon"} <= set(header) or "place_id" in header):
        raise SourceDataError(
            f"{path}: header {','.join(header) or '(empty)'} lacks the required columns; expected "
            "name,lat,lon or name,place_id (optional kind,country,admin1,note)", path=str(path), line=1,
        )
    rows = list(enumerate(reader, start=2))
    info = {"kind": "aliases", "path": str(path.resolve()), "description": f"analyst aliases from {path.name}",
            "licence": "project data", "attribution": ""}

    def work(conn, out):
        _load(conn, out, src, path, rows, problems)
        out["rows"] = len(rows)
        out["malformed"] = problems.count
        out["problems"] = tuple(problems.shown)

    return run_add(target, src, info, work)


def _slug(name: str) -> str:
    return re.sub(r"[^0-9a-z\u00c0-\uffff]+", "-", normalize(name)).strip("-") or "alias"


def _country(conn, value):
    v = (value or "").strip()
    if not v:
        return None
    if len(v) == 2 and v.isalpha():
        return v.upper()
    key = normalize(v)
    row = conn.execute(
        "SELECT p.country_code FROM names n JOIN places p ON p.pid = n.pid WHERE n.key = ? AND p.kind = 'country'",
        (key,),
    ).fetchone()
    return row[0] if row else ""


def _admin1(conn, cc, value):
    key = normalize(value)
    rows = conn.execute(
        "SELECT DISTINCT p.id, p.name FROM names n JOIN places p ON p.pid = n.pid "
        "WHERE n.key = ? AND p.kind = 'admin1' AND p.country_code IS ?", (key, cc),
    ).fetchall()
    return rows[0] if len(rows) == 1 else None


def _load(conn, out, src, path, rows, problems):

    from gazetteer.names import rows_for_names
    from gazetteer.sources._spatial import Layer, load_units

    pid = store.next_pid(conn)
    place_rows, name_rows, notes = [], [], []
    used = set()
    layers = {}

    def layer(kind):
        if kind not in layers:
            layers[kind] = Layer(load_units(conn, kind))
        return layers[kind]

    country_names = dict(conn.execute("SELECT country_code, name FROM places WHERE kind = 'country'"))
    for line, row in rows:
        name = clean_text(row.get("name") or "")
        if not name:
            problems.add(line, "name", "empty name")
            continue
        kind = (row.get("kind") or "").strip() or "other"
        if kind not in KINDS:
            problems.add(line, "kind", f"{kind!r} is not a kind; expected one of {', '.join(KINDS)}")
            continue
        note = (row.get("note") or "").strip()
        place_id = (row.get("place_id") or "").strip()
        lat_s, lon_s = (row.get("lat") or "").strip(), (row.get("lon") or "").strip()
        if place_id:
            found = store.pids_for_codes(conn, [place_id]).get(place_id)
            if found is None:
                problems.add(line, "place_id", f"{place_id!r} is not a place id in the index "
                             "(see `conflictmap resolve NAME --format json` for ids)")
                continue
            have = {k for (k,) in conn.execute("SELECT key FROM names WHERE pid = ?", (found,))}
            # The alias row is added even when the key exists as an ordinary name: its flag carries the bonus.
            new = [r for r in _alias_rows(rows_for_names(found, (), name))
                   if r[5] == store.NAME_FLAG_ALIAS or r[0] not in have]
            store.insert_rows(conn, name_rows=new, name_source=src)
            if note:
                conn.execute("INSERT INTO notes VALUES (?,?,?)", (found, src, f"alias {name!r}: {note}"))
            out["names"] += len(new)
            out["merged"] += 1
            continue
        if not lat_s or not lon_s:
            problems.add(line, "lat/lon", "neither coordinates nor place_id given; expected name,lat,lon or name,place_id")
            continue
        try:
            lat, lon = float(lat_s), float(lon_s)
        except ValueError:
            problems.add(line, "lat" if not _is_float(lat_s) else "lon",
                         f"{lat_s!r}, {lon_s!r} are not decimal degrees (expected e.g. 34.9856, 63.1312)")
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            problems.add(line, "lat", f"({lat}, {lon}) is outside -90..90 / -180..180 (lat, lon order?)")
            continue
        cc = _country(conn, row.get("country"))
        if cc == "":
            problems.add(line, "country", f"{row.get('country')!r} is not a country code or name known to the index")
            continue
        if cc is None:
            gi = layer("country").locate([lon], [lat], snap=0.2)[0]
            cc = layer("country").units[gi].country_code if gi >= 0 else None
        a1 = None
        if (row.get("admin1") or "").strip():
            a1 = _admin1(conn, cc, row["admin1"])
            if a1 is None:
                problems.add(line, "admin1", f"{row['admin1']!r} is not a province of {cc or 'the index'}")
                continue
        else:
            gi = layer("admin1").locate([lon], [lat], [cc], snap=0.05)[0]
            if gi >= 0:
                u = layer("admin1").units[gi]
                a1 = (u.id, u.name)
        a2 = None
        gi = layer("admin2").locate([lon], [lat], [cc], snap=0.05)[0]
        if gi >= 0:
            u = layer("admin2").units[gi]
            a2 = (u.id, u.name)
        slug = f"alias:{src.split(':', 1)[1]}:{_slug(name)}"
        uid, n = slug, 2
        while uid in used or conn.execute("SELECT 1 FROM places WHERE id = ?", (uid,)).fetchone():
            uid = f"{slug}-{n}"
            n += 1
        used.add(uid)
        place_rows.append(store.place_row(
            pid, uid, name, kind, lat, lon, cc, country_names.get(cc), a1[1] if a1 else None,
            a2[1] if a2 else None, a1[0] if a1 else None, a2[0] if a2 else None, 0, "ALIAS",
            (lon, lat, lon, lat), False, src, ALIAS_IMPORTANCE,
        ))
        name_rows.extend(_alias_rows(rows_for_names(pid, (), name)))
        if note:
            notes.append((pid, src, note))
        pid += 1
        out["added"] += 1
    store.insert_rows(conn, place_rows, name_rows)
    conn.executemany("INSERT INTO notes VALUES (?,?,?)", notes)
    out["names"] += len(name_rows)


def _alias_rows(rows):
    """Primary/alternate name rows flagged as analyst aliases (type-word-stripped forms keep flag 2)."""
    from gazetteer.names import ALIAS, STRIPPED

    for k, s, so, p, n, f in rows:
        yield (k, s, so, p, n, f if f == STRIPPED else ALIAS)


def _is_float(s) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False
