"""Stream GeoNames dump files (official formats) into the index.

Files (recognised by name, checked by column count):

* gazetteer dumps: a country file (``AF.txt`` / ``AF.zip``), ``allCountries.txt``/``.zip``,
  ``cities500`` ...: the 19-column ``geoname`` table;
* ``alternateNamesV2.txt``/``.zip`` or a per-country ``alternatenames/AF.zip``: 10 columns;
* ``admin1CodesASCII.txt``, ``admin2Codes.txt``: code, name, asciiname, geonameid;
* ``countryInfo.txt``: the country table (``#`` comment header).

Several files given together load in ONE transaction, in the order code tables,
dumps, alternate names; each is its own source (``geonames:AF``,
``geonames:admin2Codes``, ``geonames-alternates:alternateNamesV2``) and can be
removed alone.

Kinds
-----
Feature class ``P`` -> ``populated_place``; ``A`` ``ADM1``/``ADM2``/``ADM3``
(and their historical ``H`` forms) -> ``admin1``/``admin2``/``admin3``,
``PCL*`` -> ``country``; everything else (``A`` ADM4/ADMD, ``S`` spots such as
airports, bases, prisons, ``H`` water, ``T`` terrain such as valleys and passes,
``L`` areas, ``R`` roads, ``U``, ``V``) -> ``other``, with the GeoNames feature
code kept in ``feature_code``.

Identity and merging
--------------------
Dump rows become ``geonames:<geonameid>``. A row whose geonameid is already a
place (an embedded cities500 place) or a known code of one (a country, a
Natural Earth province ``admin1:AF-02`` with the same admin1 code, a district
merged through ``admin2Codes.txt``) *enriches* it (new names, admin2 link,
feature code) instead of duplicating it. An ``ADM2`` row in a country that has
district polygons merges into the polygon that holds it when the names agree.

Links
-----
``admin1``/``admin1_id`` come from the admin1 code (the Natural Earth unit with
that GeoNames code, else the dump's own ADM1 place). ``admin2``/``admin2_id``:
in a country that has district polygons (``gazetteer add boundaries``) the
polygon holding the point, so every source agrees; elsewhere the admin2 code
(``admin2Codes.txt`` given in the same or an earlier add, or the dump's own
ADM2 rows).

Memory
------
Rows are parsed line by line and written in batches (``batch_size``); the file
is never held. For big files the secondary indexes (name keys and skeletons,
place kind/source/admin ids) are dropped and rebuilt once at the end, inside
the same transaction (:data:`gazetteer.store.BULK_INDEXES`). What stays in memory: a geonameid ->
row-id map of places already in the index (~250k for the embedded data) and
the admin code tables. Alternate-name files are joined to places batch by batch
through the index, never with an in-memory map of all places.
"""

from __future__ import annotations

import io
import logging
import os
import zipfile
from pathlib import Path
from typing import Any

from gazetteer import store
from gazetteer.errors import SourceDataError
from gazetteer.normalize import looks_like_code
from gazetteer.sources._common import Problems, index_path, now, source_name

log = logging.getLogger(__name__)

DUMP_COLUMNS = 19
ALTERNATE_COLUMNS = (8, 10)  # alternateNames (obsolete) and alternateNamesV2
CODE_COLUMNS = 4
BATCH_SIZE = 50_000
#: Files larger than this (bytes, uncompressed) drop and rebuild the name-key indexes.
BULK_BYTES = 30_000_000
#: Alternate-name "languages" that are not names.
NOT_NAMES = frozenset({"link", "post", "iata", "icao", "faac", "fr_1793", "abbr", "unlc", "wkdt", "tcid", "phon",
                       "piny"})
#: Historical / destroyed / abandoned features (importance: :data:`gazetteer.importance.HISTORICAL_FACTOR`).
HISTORICAL_CODES = frozenset({"PPLH", "PPLQ", "PPLW", "PPLCH", "ADM1H", "ADM2H", "ADM3H", "ADM4H", "ADMDH",
                              "PCLH", "HSTS"})
ADMIN_KIND = {"ADM1": "admin1", "ADM1H": "admin1", "ADM2": "admin2", "ADM2H": "admin2", "ADM3": "admin3",
              "ADM3H": "admin3"}
ATTRIBUTION = "Places: GeoNames (geonames.org), CC BY 4.0"


def kind_of(fclass: str, fcode: str) -> str:
    """Place kind for a GeoNames feature class and code."""
    if fclass == "P":
        return "populated_place"
    if fclass == "A":
        if fcode in ADMIN_KIND:
            return ADMIN_KIND[fcode]
        if fcode.startswith("PCL"):
            return "country"
    return "other"


# ---------------------------------------------------------------------------- reading files
def _open(path: Path):
    """(binary stream, uncompressed size, member name) for a .txt or a GeoNames .zip.

    Lines are decoded one by one (:func:`_lines`), so a bad byte is reported at its exact line.
    """
    if path.suffix.lower() == ".zip":
        try:
            z = zipfile.ZipFile(path)
        except zipfile.BadZipFile as err:
            raise SourceDataError(f"{path} is not a valid zip archive ({err}); download it again",
                                  path=str(path)) from err
        members = [m for m in z.infolist() if m.filename.lower().endswith(".txt")
                   and not m.filename.lower().startswith(("readme", "iso-languagecodes"))]
        stem = path.stem.lower()
        chosen = [m for m in members if Path(m.filename).stem.lower() == stem] or members
        if not chosen:
            raise SourceDataError(f"{path} holds no .txt member (members: {', '.join(z.namelist())})",
                                  path=str(path))
        m = chosen[0]
        return io.BufferedReader(z.open(m), buffer_size=1 << 20), m.file_size, m.filename  # type: ignore[type-var]
    return open(path, "rb", buffering=1 << 20), os.path.getsize(path), path.name


def _lines(fh, path, problems=None):
    """(line number, text, bytes read) of a stream. A line that is not UTF-8 is a malformed row
    (reported through ``problems``) or, without ``problems``, an error naming file and line."""
    import zlib

    line_no = 0
    try:
        for line_no, raw in enumerate(fh, start=1):
            try:
                yield line_no, raw.decode("utf-8"), len(raw)
            except UnicodeDecodeError as err:
                message = f"not UTF-8 text (byte {err.start}: {raw[err.start:err.start + 1]!r}); GeoNames files are UTF-8"
                if problems is None:
                    raise SourceDataError(f"{path}:{line_no}: {message}", path=str(path), line=line_no) from err
                problems.add(line_no, None, message)
    except (zipfile.BadZipFile, EOFError, zlib.error) as err:
        raise SourceDataError(f"{path}: the archive is damaged after line {line_no} ({err}); download it again",
                              path=str(path), line=line_no + 1) from err


def _rows(fh, path, problems, bar, out):
    """(line number, tab-separated fields) of the non-empty lines of a dump or alternate-names
    file, each counted in ``out["rows"]``; ``bar`` advances by the bytes read."""
    for line_no, line, nbytes in _lines(fh, path, problems):
        bar.update(nbytes)
        line = line.rstrip("\r\n")
        if line:
            out["rows"] += 1
            yield line_no, line.split("\t")


def classify(path: Path) -> str:
    """``dump``, ``alternates``, ``admin1``, ``admin2`` or ``countryinfo`` for a GeoNames file."""
    name = path.name.lower()
    if name.startswith("admin1codes"):
        return "admin1"
    if name.startswith("admin2codes"):
        return "admin2"
    if name.startswith("countryinfo"):
        return "countryinfo"
    if name.startswith("alternatenames") or "alternatenames" in str(path.parent).lower():
        return "alternates"
    fh, _size, _m = _open(path)
    with fh:
        for _n, line, _b in _lines(fh, path):
            if line.startswith("#") or not line.strip():
                continue
            n = line.count("\t") + 1
            if n == DUMP_COLUMNS:
                return "dump"
            if n in ALTERNATE_COLUMNS:
                return "alternates"
            if n == CODE_COLUMNS:
                first = line.split("\t", 1)[0]
                return "admin2" if first.count(".") == 2 else "admin1"
            raise SourceDataError(
                f"{path}: first data line has {n} tab-separated columns; expected {DUMP_COLUMNS} (geoname dump), "
                "10 (alternateNamesV2) or 4 (admin codes)", path=str(path), line=1,
            )
    raise SourceDataError(f"{path} is empty", path=str(path))


def _source_for(kind: str, path: Path) -> str:
    return source_name("geonames-alternates" if kind == "alternates" else "geonames", path)


def _progress(total, desc, enabled):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, disable=not enabled, leave=False,
                mininterval=0.5)


# ---------------------------------------------------------------------------- entry point
def add_geonames(index, paths, *, strict=False, progress=False, batch_size=BATCH_SIZE):
    """Load GeoNames files into the index in one transaction; returns a list of LoadReport (one per file).

    Examples
    --------
    >>> add_geonames(data_dir, ["admin1CodesASCII.txt", "admin2Codes.txt", "AF.zip"])   # doctest: +SKIP
    """
    import time

    from gazetteer.sources._common import LoadReport

    target = index_path(index)
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = []
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise SourceDataError(f"GeoNames file {p} does not exist", path=str(p))
        files.append((classify(p), p))
    order = {"countryinfo": 0, "admin1": 1, "admin2": 2, "dump": 3, "alternates": 4}
    files.sort(key=lambda kp: order[kp[0]])
    reports = []
    with store.write_transaction(target) as conn:
        for kind, p in files:
            t0 = time.perf_counter()
            src = _source_for(kind, p)
            prev = store.delete_source(conn, src)
            problems = Problems(p, strict)
            out: dict[str, Any] = {"added": 0, "merged": 0, "linked": 0, "names": 0, "rows": 0}
            loader = {"countryinfo": _load_country_info, "admin1": _load_admin1, "admin2": _load_admin2,
                      "dump": _load_dump, "alternates": _load_alternates}[kind]
            loader(conn, p, src, out, problems, progress=progress, batch_size=batch_size)
            store.register_source(conn, {
                "name": src, "removable": True, "kind": f"geonames-{kind}", "path": str(p.resolve()),
                "description": f"GeoNames {kind} file {p.name}", "licence": "CC BY 4.0",
                "attribution": ATTRIBUTION, "count": out["added"], "merged": out["merged"], "loaded": now(),
            })
            reports.append(LoadReport(source=src, replaced=prev["existed"], malformed=problems.count,
                                      problems=tuple(problems.shown), seconds=round(time.perf_counter() - t0, 2),
                                      **out))
    for r in reports:
        log.info("%s", r.summary())
    return reports


# ---------------------------------------------------------------------------- code tables
def _code_rows(path, problems, ncols=CODE_COLUMNS):
    fh, _size, _m = _open(path)
    with fh:
        for line_no, line, _nbytes in _lines(fh, path, problems):
            line = line.rstrip("\r\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < ncols:
                problems.add(line_no, None, f"{len(parts)} columns, expected {ncols}")
                continue
            yield line_no, parts


def _add_names(conn, src, pid, names, out) -> None:
    from gazetteer.names import ALTERNATE, PRIMARY, rows_for_names

    have = {k for (k,) in conn.execute("SELECT key FROM names WHERE pid = ?", (pid,))}
    names = [n for n in dict.fromkeys(names) if n]
    if not names:
        return
    rows = [r for r in rows_for_names(pid, names[1:], names[0]) if r[0] not in have]
    rows = [(k, s, so, p, n, ALTERNATE if f == PRIMARY else f) for k, s, so, p, n, f in rows]  # never a second primary
    store.insert_rows(conn, name_rows=rows, name_source=src)
    out["names"] += len(rows)


def _load_country_info(conn, path, src, out, problems, **_kw):
    for line_no, parts in _code_rows(path, problems, ncols=17):
        out["rows"] += 1
        cc, name, gid = parts[0].strip(), parts[4].strip(), parts[16].strip()
        if len(cc) != 2 or not gid.isdigit():
            problems.add(line_no, "ISO" if len(cc) != 2 else "geonameid", f"bad value {parts[0]!r}/{parts[16]!r}")
            continue
        row = conn.execute("SELECT pid FROM places WHERE id = ?", (f"country:{cc}",)).fetchone()
        if row is None:
            continue
        store.add_codes(conn, src, [(f"geonames:{gid}", row[0])])
        _add_names(conn, src, row[0], [name], out)
        out["merged"] += 1


def _load_admin1(conn, path, src, out, problems, **_kw):
    for line_no, (code, name, ascii_name, gid, *_rest) in _code_rows(path, problems):
        out["rows"] += 1
        cc, _, a1 = code.partition(".")
        if len(cc) != 2 or not a1 or not gid.strip().isdigit():
            problems.add(line_no, "code" if not a1 else "geonameid", f"{code!r}/{gid!r} is not CC.code / an id")
            continue
        conn.execute("INSERT OR REPLACE INTO admin_codes VALUES (?,?,?,?,?)", (code, name, ascii_name, int(gid), src))
        row = conn.execute("SELECT pid FROM places WHERE id = ?", (f"admin1:{cc}-{a1}",)).fetchone()
        if row is None:
            continue
        store.add_codes(conn, src, [(f"geonames:{gid.strip()}", row[0]), (f"geonames-admin1:{code}", row[0])])
        _add_names(conn, src, row[0], [name, ascii_name], out)
        out["merged"] += 1


def _admin1_units(conn) -> dict:
    """(cc, admin1 code) -> (id, name) of admin1 places the index holds."""
    out = {}
    for id_, name, cc in conn.execute("SELECT id, name, country_code FROM places WHERE kind = 'admin1'"):
        if id_.startswith("admin1:") and cc and id_.startswith(f"admin1:{cc}-"):
            out[(cc, id_[len(f"admin1:{cc}-"):])] = (id_, name)
    for code, id_, name in conn.execute(
        "SELECT c.code, p.id, p.name FROM codes c JOIN places p ON p.pid = c.pid WHERE c.code LIKE 'geonames-admin1:%'"
    ):
        cc, _, a1 = code[len("geonames-admin1:"):].partition(".")
        out[(cc, a1)] = (id_, name)
    return out


def _load_admin2(conn, path, src, out, problems, **_kw):
    """Store the admin2 code table and fold its names/codes into admin2 units already in the index
    (e.g. geoBoundaries districts: same province, similar name)."""
    from gazetteer.sources._spatial import name_similarity, names_of

    admin1 = _admin1_units(conn)
    units_by_parent: dict = {}
    for pid, id_, name, a1id in conn.execute("SELECT pid, id, name, admin1_id FROM places WHERE kind = 'admin2'"):
        units_by_parent.setdefault(a1id, []).append((pid, id_, name))
    pending: dict = {}
    for line_no, (code, name, ascii_name, gid, *_rest) in _code_rows(path, problems):
        out["rows"] += 1
        parts = code.split(".")
        if len(parts) != 3 or not gid.strip().isdigit():
            problems.add(line_no, "code" if len(parts) != 3 else "geonameid", f"{code!r}/{gid!r} is not CC.a1.a2 / an id")
            continue
        conn.execute("INSERT OR REPLACE INTO admin_codes VALUES (?,?,?,?,?)", (code, name, ascii_name, int(gid), src))
        parent = admin1.get((parts[0], parts[1]))
        if parent is None or parent[0] not in units_by_parent:
            continue
        pending.setdefault(parent[0], []).append((code, name, ascii_name, gid.strip()))
    for parent_id, rows in pending.items():
        units = units_by_parent[parent_id]
        pairs = []
        for code, name, ascii_name, gid in rows:
            for pid, _id, uname in units:
                sim = name_similarity([name, ascii_name], names_of(conn, pid) + [uname])
                if sim >= 0.85:
                    pairs.append((sim, code, name, ascii_name, gid, pid))
        pairs.sort(key=lambda t: -t[0])
        used_codes, used_pids = set(), set()
        for _sim, code, name, ascii_name, gid, pid in pairs:
            if code in used_codes or pid in used_pids:
                continue
            used_codes.add(code)
            used_pids.add(pid)
            store.add_codes(conn, src, [(f"geonames:{gid}", pid), (f"geonames-admin2:{code}", pid)])
            _add_names(conn, src, pid, [name, ascii_name], out)
            out["merged"] += 1


# ---------------------------------------------------------------------------- dumps
def _parse(parts, line_no, problems):
    """Validated fields of a dump row, or None (problem recorded)."""
    gid = parts[0]
    if not gid.isdigit():
        problems.add(line_no, "geonameid", f"{gid[:30]!r} is not an integer id")
        return None
    name = parts[1].strip()
    if not name:
        problems.add(line_no, "name", "empty name")
        return None
    try:
        lat, lon = float(parts[4]), float(parts[5])
    except ValueError:
        problems.add(line_no, "latitude/longitude", f"{parts[4][:20]!r}, {parts[5][:20]!r} are not numbers")
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        problems.add(line_no, "latitude/longitude", f"({lat}, {lon}) is outside -90..90 / -180..180")
        return None
    cc = parts[8].strip().upper()
    if cc and (len(cc) != 2 or not cc.isalpha()):
        problems.add(line_no, "country code", f"{cc[:10]!r} is not an ISO alpha-2 code")
        return None
    pop = parts[14].strip()
    try:
        pop = int(pop) if pop else 0
    except ValueError:
        problems.add(line_no, "population", f"{pop[:20]!r} is not an integer")
        return None
    return gid, name, parts[2].strip(), parts[3], lat, lon, parts[6].strip(), parts[7].strip(), cc or None, \
        parts[10].strip(), parts[11].strip(), pop


class _DumpLoader:
    """State of one dump load: id maps, admin links, batches."""

    def __init__(self, conn, src, out, problems):
        self.conn, self.src, self.out, self.problems = conn, src, out, problems
        # geonameid -> pid of places already in the index (embedded cities500, merged units).
        self.known = {}
        for id_, pid in conn.execute("SELECT id, pid FROM places WHERE id LIKE 'geonames:%'"):
            if id_[9:].isdigit():
                self.known[int(id_[9:])] = pid
        for code, pid in conn.execute("SELECT code, pid FROM codes WHERE code LIKE 'geonames:%'"):
            if code[9:].isdigit():
                self.known.setdefault(int(code[9:]), pid)
        self.admin1 = _admin1_units(conn)
        for code, name, gid in conn.execute(
            "SELECT code, name, geonameid FROM admin_codes WHERE code NOT LIKE '%.%.%'"
        ):
            cc, _, a1 = code.partition(".")
            self.admin1.setdefault((cc, a1), (f"geonames:{gid}", name))
        self.admin2 = {}
        for code, name, gid in conn.execute("SELECT code, name, geonameid FROM admin_codes WHERE code LIKE '%.%.%'"):
            cc, a1, a2 = code.split(".", 2)
            self.admin2[(cc, a1, a2)] = (f"geonames:{gid}", name)
        for code, id_, name in conn.execute(
            "SELECT c.code, p.id, p.name FROM codes c JOIN places p ON p.pid = c.pid WHERE c.code LIKE 'geonames-admin2:%'"
        ):
            cc, a1, a2 = code[len("geonames-admin2:"):].split(".", 2)
            self.admin2[(cc, a1, a2)] = (id_, name)
        # Countries with district polygons: points there get admin2 by point in polygon.
        self.polygon_countries = {cc for (cc,) in conn.execute(
            "SELECT DISTINCT country_code FROM places WHERE kind = 'admin2' AND has_geometry = 1")}
        self._layers = {}
        self.country_names = dict(conn.execute("SELECT country_code, name FROM places WHERE kind = 'country'"))
        self.new_admin = {}  # (cc, a1[, a2]) -> (id, name) of admin units created by this dump
        self.pid = store.next_pid(conn)
        self.batch = []

    def layer(self, cc):
        from gazetteer.sources._spatial import Layer, load_units

        if cc not in self._layers:
            self._layers[cc] = Layer(load_units(self.conn, "admin2", [cc]))
        return self._layers[cc]

    def add(self, fields):
        self.batch.append(fields)

    def flush(self):
        from gazetteer.importance import geonames_importance
        from gazetteer.names import rows_for_names

        if not self.batch:
            return
        conn, out, src = self.conn, self.out, self.src
        # admin2 by point in polygon where district polygons exist
        pip = {}
        by_cc: dict = {}
        for i, f in enumerate(self.batch):
            if f[8] in self.polygon_countries:
                by_cc.setdefault(f[8], []).append(i)
        for cc, idx in by_cc.items():
            layer = self.layer(cc)
            hits = layer.locate([self.batch[i][5] for i in idx], [self.batch[i][4] for i in idx])
            for i, gi in zip(idx, hits):
                if gi >= 0:
                    u = layer.units[gi]
                    pip[i] = (u.id, u.name, u.pid, u)
        place_rows: list = []
        name_rows: list = []
        for i, (gid, name, ascii_name, alts, lat, lon, fclass, fcode, cc, a1, a2, pop) in enumerate(self.batch):
            kind = kind_of(fclass, fcode)
            a1u = self.admin1.get((cc, a1)) or self.new_admin.get((cc, a1)) if cc and a1 else None
            if i in pip:
                a2u: tuple | None = pip[i][:2]
            else:
                a2u = (self.admin2.get((cc, a1, a2)) or self.new_admin.get((cc, a1, a2))) if cc and a2 else None
            alt_list = [ascii_name] + [a for a in alts.split(",") if a and not looks_like_code(a)] if alts else [ascii_name]
            igid = int(gid)
            existing = self.known.get(igid)
            if existing is None and kind == "admin1" and cc and a1 and (cc, a1) in self.admin1 and \
                    self.admin1[(cc, a1)][0].startswith("admin1:"):
                existing = self._pid_of(self.admin1[(cc, a1)][0])
            if existing is None and kind == "country" and cc and fcode in ("PCLI", "PCLD", "PCLF", "PCLS", "PCLIX"):
                existing = self._pid_of(f"country:{cc}")
            if existing is None and kind == "admin2" and i in pip:
                from gazetteer.sources._spatial import name_similarity, names_of

                u = pip[i][3]
                if name_similarity([name, *alt_list[:5]], names_of(conn, u.pid) + [u.name]) >= 0.85:
                    existing = u.pid
            if existing is not None:
                self._enrich(existing, igid, name, alt_list, kind, fcode, a2u, pop)
                continue
            pid = self.pid
            self.pid += 1
            pid_id = f"geonames:{gid}"
            if kind == "admin1":
                a1u = (pid_id, name)
                if cc and a1:
                    self.new_admin.setdefault((cc, a1), a1u)
            elif kind == "admin2":
                a2u = (pid_id, name)
                if cc and a1 and a2:
                    self.new_admin.setdefault((cc, a1, a2), a2u)
            place_rows.append(store.place_row(
                pid, pid_id, name, kind, lat, lon, cc, self.country_names.get(cc),
                a1u[1] if a1u else None, a2u[1] if a2u else None, a1u[0] if a1u else None,
                a2u[0] if a2u else None, pop, fcode or fclass, (lon, lat, lon, lat), False, src,
                geonames_importance(kind, pop, fcode, historical=fcode in HISTORICAL_CODES),
            ))
            name_rows.extend(rows_for_names(pid, alt_list, name))
            out["added"] += 1
        store.insert_rows(conn, place_rows, name_rows)
        out["names"] += len(name_rows)
        self.batch = []

    def _pid_of(self, place_id):
        row = self.conn.execute("SELECT pid FROM places WHERE id = ?", (place_id,)).fetchone()
        return row[0] if row else None

    def _enrich(self, pid, gid, name, alt_list, kind, fcode, a2u, pop):
        conn, src = self.conn, self.src
        store.add_codes(conn, src, [(f"geonames:{gid}", pid)])
        _add_names(conn, src, pid, [name, *alt_list], self.out)
        row = conn.execute("SELECT kind, admin2_id, feature_code, id FROM places WHERE pid = ?", (pid,)).fetchone()
        changes: dict = {}
        if row[0] in ("populated_place", "other"):
            if a2u and row[1] != a2u[0]:
                changes.update(admin2=a2u[1], admin2_id=a2u[0])
            if fcode and row[2] != fcode and row[2] not in ("PPLC",):
                changes["feature_code"] = fcode
        if changes and store.set_fields(conn, src, pid, changes):
            self.out["linked"] += 1
        self.out["merged"] += 1


def _load_dump(conn, path, src, out, problems, *, progress=False, batch_size=BATCH_SIZE):
    fh, size, member = _open(path)
    bulk = size > BULK_BYTES
    loader = _DumpLoader(conn, src, out, problems)
    if bulk:  # one sort per index at the end instead of random B-tree inserts per row
        for cc in loader.polygon_countries:
            loader.layer(cc)  # read district polygons while places_kind_cc exists
        store.drop_bulk_indexes(conn)
    bar = _progress(size, f"loading {member}", progress)
    with fh:
        for line_no, parts in _rows(fh, path, problems, bar, out):
            if len(parts) != DUMP_COLUMNS:
                problems.add(line_no, None, f"{len(parts)} tab-separated columns, expected {DUMP_COLUMNS}")
                continue
            fields = _parse(parts, line_no, problems)
            if fields is None:
                continue
            loader.add(fields)
            if len(loader.batch) >= batch_size:
                loader.flush()
        loader.flush()
    bar.close()
    if bulk:
        store.create_bulk_indexes(conn)
    # Links to admin units this dump created after the rows that name them were written.
    _fix_forward_links(conn, src, loader)


def _fix_forward_links(conn, src, loader):
    """Clear admin ids that name no place (units named in the code tables but absent from the dump and
    the index); the unit *name* stays, as the code table gave it."""
    for col in ("admin1_id", "admin2_id"):
        conn.execute(
            f"UPDATE places SET {col} = NULL WHERE source = ? AND {col} IS NOT NULL "
            f"AND {col} NOT IN (SELECT id FROM places)", (src,),
        )


# ---------------------------------------------------------------------------- alternate names
def _load_alternates(conn, path, src, out, problems, *, progress=False, batch_size=BATCH_SIZE):
    from gazetteer.names import ALTERNATE, PRIMARY, rows_for_names

    fh, size, member = _open(path)
    bulk = size > BULK_BYTES
    if bulk:  # as for dumps: rebuild the name-key indexes once (names_pid stays: the batches read it)
        store.drop_bulk_indexes(conn, tables=("names",))
    bar = _progress(size, f"loading {member}", progress)
    batch: list = []

    def flush():
        if not batch:
            return
        gids = list({g for g, _n in batch})
        pids = store.pids_for_codes(conn, [f"geonames:{g}" for g in gids])
        have: dict = {}
        plist = list(set(pids.values()))
        for i in range(0, len(plist), 500):
            chunk = plist[i:i + 500]
            for pid, key in conn.execute(
                f"SELECT pid, key FROM names WHERE pid IN ({','.join('?' * len(chunk))})", chunk
            ):
                have.setdefault(pid, set()).add(key)
        rows = []
        for g, name in batch:
            pid = pids.get(f"geonames:{g}")
            if pid is None:
                continue
            seen = have.setdefault(pid, set())
            for r in rows_for_names(pid, (), name):
                if r[0] not in seen:
                    seen.add(r[0])
                    rows.append(r[:5] + (ALTERNATE if r[5] == PRIMARY else r[5],))
            out["merged"] += 1
        store.insert_rows(conn, name_rows=rows, name_source=src)
        out["names"] += len(rows)
        batch.clear()

    with fh:
        for line_no, parts in _rows(fh, path, problems, bar, out):
            if len(parts) not in ALTERNATE_COLUMNS:
                problems.add(line_no, None, f"{len(parts)} columns, expected 10 (alternateNamesV2) or 8")
                continue
            gid, lang, name = parts[1], parts[2], parts[3].strip()
            if not gid.isdigit():
                problems.add(line_no, "geonameid", f"{gid[:30]!r} is not an integer id")
                continue
            if lang in NOT_NAMES or not name or looks_like_code(name):
                continue
            batch.append((gid, name))
            if len(batch) >= batch_size:
                flush()
        flush()
    bar.close()
    if bulk:
        store.create_bulk_indexes(conn)
