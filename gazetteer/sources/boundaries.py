"""Load administrative boundaries (any file GeoPandas/pyogrio reads) as admin units with polygons.

Field names are auto-detected for geoBoundaries (``shapeName``, ``shapeISO``,
``shapeID``, ``shapeGroup``), GADM (``NAME_2``, ``GID_2``, ``VARNAME_2``,
``NAME_1``...) and Natural Earth admin-1 (``name``, ``iso_3166_2``,
``adm1_code``, ``name_alt``, ``iso_a2``); ``name_field``/``code_field``
override them for anything else.

Identifiers
-----------
New units get ``admin<level>:<CC>-<code>``, where ``code`` is the unit's ISO
code without the country prefix when the file has unique ones
(``admin1:AF-BDG``; geoBoundaries' ``AF_KAN`` gives ``KAN``), else its
``shapeID`` / ``GID`` (``admin2:AF-17698898B67359070524975``). Ids are stable
for a given file release. Every unit also records its source codes
(``geoboundaries:<shapeID>``, ``iso:AF-BDG``, ``gadm:AFG.1.1_1``) so later loads
can link to it.

Merging with units already in the index
----------------------------------------
An incoming unit that is the same as an existing unit of the same level and
country (polygon intersection-over-union >= 0.5, or >= 0.1 with similar
names, or an existing point-only unit inside it with a similar name) is *merged*
instead of duplicated: the existing place keeps its id, gains the incoming
names as alternates (so geoBoundaries' ``Ghanzi`` becomes an alternate of
Ghazni) and codes, and gets the polygon as its primary geometry when it had
none, else as an alternate geometry (``alt_geoms``). So adding geoBoundaries
ADM1 for Afghanistan on top of the embedded Natural Earth provinces gives no
duplicate provinces, and every province name stays unambiguous.

Links
-----
* A new unit's parent (admin1 of an admin2, admin2 of an admin3) is the unit of
  the level above that holds the largest share of its area (layers from
  different years do not nest exactly: geoBoundaries AFG ADM1 2007 vs ADM2
  2014), or the parent named in the file (GADM ``NAME_1``) when that name
  matches exactly one unit of the country.
* Points of the country (populated places and other point features, from any
  source) get ``admin2``/``admin2_id`` of the admin2 polygon holding them
  (nearest within ~5 km for border slivers); new admin1 units fill in
  ``admin1`` only where it was missing. These changes are logged in ``edits``
  and undone by ``remove``.
* A new admin2's point (``lat``/``lon``) is its seat, the most populous place
  inside it that carries its name ("Qala-I- Naw" -> the town Qala i Naw),
  else a representative point inside the polygon; its population is the sum
  of the populated places it holds.

Quirks handled: names are cleaned of trailing newlines and doubled spaces
(``"Zanda  Jan\\n"`` -> ``"Zanda Jan"``), codes with ``_`` instead of ``-``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gazetteer import store
from gazetteer.errors import SourceDataError
from gazetteer.normalize import clean_text
from gazetteer.sources._common import (
    Problems,
    index_path,
    optional,
    run_add,
    source_name,
    strip_cc_prefix,
)
from gazetteer.sources._spatial import (
    NAMED_UNIT_IOU,
    SAME_NAME_SIMILARITY,
    SAME_UNIT_IOU,
    Layer,
    load_units,
    name_similarity,
    names_of,
)

log = logging.getLogger(__name__)

LEVELS = (1, 2, 3)
#: A populated place inside a district is its seat when their names are at least this similar.
SEAT_NAME_SIMILARITY = 0.85
#: Point kinds that get linked to the admin units holding them.
POINT_KINDS = ("populated_place", "other")


@dataclass
class Schema:
    """Which attribute fields of a boundary file hold the name, codes, country, parent and level."""

    name: str  # a short label: geoboundaries, gadm, natural-earth, custom
    name_field: str
    code_field: str | None = None
    id_code_field: str | None = None  # stable per-unit id (shapeID, GID_n) when codes are not unique
    alt_fields: tuple = ()
    country_field: str | None = None
    country_is_iso3: bool = False
    parent_name_field: str | None = None
    level_field: str | None = None
    extra_codes: tuple = ()  # (field, code prefix)


@dataclass(eq=False)  # identity hashing: records are dict keys
class Record:
    """One boundary feature as read: 1-based line, names, codes, country and geometry (lon, lat)."""

    line: int
    name: str
    alternates: list
    code: str | None
    id_code: str | None
    cc: str | None
    geom: Any  # a shapely geometry
    parent_name: str | None = None
    codes: list = field(default_factory=list)


def _col(columns, *names):
    """The column matching one of ``names`` case-insensitively, or None."""
    lower = {c.lower(): c for c in columns}
    for n in names:
        if n.lower() in lower:
            return lower[n.lower()]
    return None


def detect_schema(columns, level: int, name_field=None, code_field=None) -> Schema:
    """Recognise geoBoundaries, GADM or Natural Earth field names (explicit fields win)."""
    cols = [c for c in columns if c != "geometry"]
    for opt, f in (("--name-field", name_field), ("--code-field", code_field)):
        if f and f not in cols:
            raise SourceDataError(f"{opt} {f!r} is not a field of the file (fields: {', '.join(cols)})", field=f)
    if _col(cols, "shapeName") and _col(cols, "shapeID"):
        s = Schema("geoboundaries", _col(cols, "shapeName"), _col(cols, "shapeISO"), _col(cols, "shapeID"),
                   country_field=_col(cols, "shapeGroup"), country_is_iso3=True,
                   level_field=_col(cols, "shapeType"), extra_codes=((_col(cols, "shapeID"), "geoboundaries:"),))
    elif _col(cols, f"NAME_{level}") and _col(cols, f"GID_{level}"):
        alts = tuple(c for c in (_col(cols, f"VARNAME_{level}"), _col(cols, f"NL_NAME_{level}")) if c)
        s = Schema("gadm", _col(cols, f"NAME_{level}"), _col(cols, f"GID_{level}"), _col(cols, f"GID_{level}"),
                   alt_fields=alts, country_field=_col(cols, "GID_0"), country_is_iso3=True,
                   parent_name_field=_col(cols, f"NAME_{level - 1}") if level > 1 else None,
                   extra_codes=((_col(cols, f"GID_{level}"), "gadm:"),))
    elif _col(cols, "name") and (_col(cols, "adm1_code") or _col(cols, "iso_3166_2")):
        alts = tuple(c for c in (_col(cols, "name_alt"), _col(cols, "gn_name"), _col(cols, "woe_name"),
                                 _col(cols, "name_local"), _col(cols, "name_en")) if c)
        s = Schema("natural-earth", _col(cols, "name"), _col(cols, "iso_3166_2"),
                   _col(cols, "adm1_code") or _col(cols, "iso_3166_2"), alt_fields=alts,
                   country_field=_col(cols, "iso_a2"),
                   extra_codes=tuple((c, "ne:") for c in (_col(cols, "adm1_code"),) if c))
    elif name_field:
        s = Schema("custom", name_field)
    else:
        raise SourceDataError(
            "cannot tell which field holds the unit names (not geoBoundaries shapeName, GADM "
            f"NAME_{level} or Natural Earth name); fields: {', '.join(cols)}; pass --name-field "
            "(and --code-field for stable ids)"
        )
    if name_field:
        s.name_field = name_field
    if code_field:
        s.code_field = code_field
        s.id_code_field = code_field
    return s


def read_frame(path: Path, layer=None):
    """Read a boundary file into a GeoDataFrame in EPSG:4326 (lon, lat)."""
    try:
        import geopandas as gpd
        import pyogrio
    except ImportError as err:  # pragma: no cover - declared dependencies
        raise SourceDataError(f"reading boundaries needs geopandas and pyogrio ({err}); pip install geopandas pyogrio") from err
    path = Path(path)
    if not path.exists():
        raise SourceDataError(f"boundary file {path} does not exist", path=str(path))
    try:
        if layer is None:
            layers = [name for name, _g in pyogrio.list_layers(path)]
            if len(layers) > 1:
                raise SourceDataError(
                    f"{path} holds {len(layers)} layers ({', '.join(layers[:10])}); choose one with --layer",
                    path=str(path),
                )
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except SourceDataError:
        raise
    except Exception as err:  # pyogrio raises DataSourceError, DataLayerError, plain errors from GDAL
        raise SourceDataError(
            f"{path} could not be read as boundaries ({type(err).__name__}: {err}); expected GeoJSON, "
            "GeoPackage, a shapefile or a zipped shapefile", path=str(path),
        ) from err
    if getattr(frame, "geometry", None) is None or not hasattr(frame, "crs"):  # a table without shapes (CSV)
        raise SourceDataError(f"{path} holds no geometries; expected GeoJSON, GeoPackage or a shapefile of "
                              "admin polygons", path=str(path))
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    return frame


def _metadata(path: Path) -> dict:
    """geoBoundaries ships ``<name>-metaData.json`` beside the file: licence, source, year."""
    stem = path.name.split(".")[0].replace("_simplified", "")
    for cand in (path.with_name(f"{stem}-metaData.json"), path.with_name(f"{stem}-metadata.json")):
        if cand.exists():
            try:
                return json.loads(cand.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                log.warning("ignoring unreadable metadata file %s", cand)
    return {}


def _iso3_to_cc(value) -> str | None:
    import pycountry

    v = optional(value)
    if not v:
        return None
    v = v.split(".")[0].upper()
    if len(v) == 2:
        return v
    c = pycountry.countries.get(alpha_3=v)
    return c.alpha_2 if c else {"XKX": "XK"}.get(v)


def _records(frame, schema: Schema, level: int, country: str | None, problems: Problems) -> list:
    import shapely

    out = []
    for i, (_idx, row) in enumerate(frame.iterrows(), start=1):
        raw = row.get(schema.name_field)
        name = clean_text(str(raw)) if optional(raw) else ""
        if not name:
            problems.add(i, schema.name_field, f"feature {i} has no name ({raw!r}); expected text")
            continue
        geom = row.geometry
        if geom is None or geom.is_empty:
            problems.add(i, "geometry", f"{name!r} has no geometry")
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            if geom.geom_type == "GeometryCollection":
                geom = shapely.union_all([g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
            if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
                problems.add(i, "geometry", f"{name!r} is a {row.geometry.geom_type}, expected a (multi)polygon")
                continue
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
            if geom.geom_type == "GeometryCollection":
                geom = shapely.union_all([g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
        if schema.level_field and optional(row.get(schema.level_field)):
            declared = str(row.get(schema.level_field)).strip().upper()
            if declared.startswith("ADM") and declared[3:].isdigit() and int(declared[3:]) != level:
                raise SourceDataError(
                    f"the file holds {declared} units ({schema.level_field}={declared!r}) but level {level} "
                    f"was asked for; pass --level {int(declared[3:])}", line=i, field=schema.level_field,
                )
        alts = []
        if clean_text(str(raw)) != str(raw).strip():
            alts.append(str(raw).strip())
        for f in schema.alt_fields:
            v = optional(row.get(f))
            if v:
                alts.extend(clean_text(p) for p in v.replace("|", "\n").split("\n") if clean_text(p) and clean_text(p) != "NA")
        cc = country.upper() if country else None
        if cc is None and schema.country_field:
            cc = _iso3_to_cc(row.get(schema.country_field))
            if cc is None and optional(row.get(schema.country_field)):
                problems.add(i, schema.country_field,
                             f"{row.get(schema.country_field)!r} is not an ISO country code; pass --country CC")
                continue
        code = optional(row.get(schema.code_field)) if schema.code_field else None
        id_code = optional(row.get(schema.id_code_field)) if schema.id_code_field else None
        codes = []
        for f, prefix in schema.extra_codes:
            v = optional(row.get(f))
            if v:
                codes.append(prefix + v)
        out.append(Record(i, name, alts, code, id_code, cc, geom,
                          optional(row.get(schema.parent_name_field)) if schema.parent_name_field else None, codes))
    return out


def add_boundaries(index, path, *, level: int, name_field=None, code_field=None, country=None, layer=None,
                   source=None, strict=False, progress=False):
    """Add the admin units of a boundary file to the index (one transaction; re-adding replaces).

    Parameters
    ----------
    index : Gazetteer, data folder or index file
    path : str or Path
        GeoJSON, GeoPackage (``layer``), shapefile or zipped shapefile.
    level : {1, 2, 3}
        Admin level of the units (1 province, 2 district, 3 sub-district).
    name_field, code_field : str, optional
        Fields holding the unit name and a stable code, when not auto-detected.
    country : str, optional
        ISO alpha-2 code for files without a country field.
    source : str, optional
        Source name; default ``boundaries:<file stem>``.
    strict : bool
        Make the first malformed feature fatal (nothing is loaded).

    Returns
    -------
    LoadReport

    Examples
    --------
    >>> add_boundaries(data_dir, "geoBoundaries-AFG-ADM2.geojson", level=2)   # doctest: +SKIP
    LoadReport(source='boundaries:geoBoundaries-AFG-ADM2', added=398, linked=319, ...)
    """
    if level not in LEVELS:
        raise SourceDataError(f"level {level!r} is not supported; expected one of 1, 2, 3")
    target = index_path(index)
    path = Path(path)
    frame = read_frame(path, layer)
    schema = detect_schema(list(frame.columns), level, name_field, code_field)
    meta = _metadata(path)
    problems = Problems(path, strict)
    records = _records(frame, schema, level, country, problems)
    if not records:
        raise SourceDataError(f"{path} holds no usable admin units ({problems.count} malformed)", path=str(path))
    src = source or source_name("boundaries", path)
    licence = meta.get("boundaryLicense") or {"gadm": "GADM licence (non-commercial use)",
                                              "natural-earth": "public domain"}.get(schema.name, "unknown")
    producer = meta.get("boundarySource") or meta.get("boundarySource-1") or ""
    attribution = {
        "geoboundaries": f"Boundaries: geoBoundaries (geoboundaries.org){', ' + producer if producer else ''}, {licence}",
        "gadm": "Boundaries: GADM (gadm.org)",
        "natural-earth": "Boundaries: Natural Earth (naturalearthdata.com), public domain",
    }.get(schema.name, f"Boundaries: {path.name}")
    info = {
        "kind": "boundaries", "path": str(path.resolve()), "level": level, "format": schema.name,
        "description": f"admin level {level} boundaries from {path.name}"
        + (f" ({producer}, {meta.get('boundaryYear', '')})" if producer else ""),
        "licence": licence, "attribution": attribution, "features": len(frame),
    }

    def work(conn, out):
        _load(conn, out, src, records, level, problems, progress)
        out["rows"] = len(frame)
        out["malformed"] = problems.count
        out["problems"] = tuple(problems.shown)

    return run_add(target, src, info, work)


def _assign_countries(conn, records, problems):
    missing = [r for r in records if not r.cc]
    if missing:
        countries = Layer(load_units(conn, "country"))
        reps = [r.geom.representative_point() for r in missing]
        found = countries.locate([p.x for p in reps], [p.y for p in reps], snap=0.5)
        for r, gi in zip(missing, found):
            if gi >= 0:
                r.cc = countries.units[gi].country_code
    known = {r[0] for r in conn.execute("SELECT country_code FROM places WHERE kind = 'country'")}
    keep = []
    for r in records:
        if not r.cc:
            problems.add(r.line, "country", f"{r.name!r} lies in no known country; pass --country CC")
        elif r.cc not in known:
            problems.add(r.line, "country", f"{r.cc!r} is not a country in the index")
        else:
            keep.append(r)
    return keep


def _load(conn, out, src, records, level, problems, progress):
    import shapely

    from gazetteer.importance import boundary_importance
    from gazetteer.names import rows_for_names

    records = _assign_countries(conn, records, problems)
    kind = f"admin{level}"
    by_cc: dict = {}
    for r in records:
        by_cc.setdefault(r.cc, []).append(r)
    pid = store.next_pid(conn)
    used_ids = set()
    place_rows: list = []
    name_rows: list = []
    geom_rows: list = []
    code_pairs: list = []
    for cc, recs in sorted(by_cc.items()):
        country_name = (conn.execute("SELECT name FROM places WHERE id = ?", (f"country:{cc}",)).fetchone()
                        or (None,))[0]
        merged = _merge_existing(conn, src, recs, kind, cc)
        out["merged"] += len(merged)
        got_polygon = []  # merged units that had only a point (embedded admin-2 units)
        for r, unit in merged.items():
            existing_keys = {k for (k,) in conn.execute("SELECT key FROM names WHERE pid = ?", (unit.pid,))}
            rows = [nr for nr in rows_for_names(unit.pid, r.alternates, r.name) if nr[0] not in existing_keys]
            store.insert_rows(conn, name_rows=rows, name_source=src)
            out["names"] += len(rows)
            store.add_codes(conn, src, [(c, unit.pid) for c in _codes(r, cc)])
            if store.attach_geometry(conn, src, unit.pid, shapely.to_wkb(r.geom), r.geom.bounds) == "primary":
                got_polygon.append((r, unit))
        new = [r for r in recs if r not in merged]
        if not new:
            out["linked"] += _link_merged(conn, src, level, cc, got_polygon)
            continue
        codes = [strip_cc_prefix(r.code, cc) if r.code else None for r in new]
        unique_codes = all(codes) and len(set(codes)) == len(codes)
        parents = Layer(load_units(conn, f"admin{level - 1}", [cc])) if level >= 2 else None
        new_layer = Layer([_unit_stub(r) for r in new])
        points = _points(conn, cc)
        located = new_layer.locate([p[2] for p in points], [p[3] for p in points]) if points else []
        pop_in = [0] * len(new)
        seat: list = [None] * len(new)
        for p, gi in zip(points, located):
            if gi < 0 or p[6] != "populated_place":
                continue
            pop_in[gi] += p[5] or 0
            better = seat[gi] is None or (p[5] or 0) > (seat[gi][5] or 0)
            if better and name_similarity([new[gi].name], [p[1]]) >= SEAT_NAME_SIMILARITY:
                seat[gi] = p
        new_ids = []
        for i, r in enumerate(new):
            code = codes[i] if unique_codes else (r.id_code or codes[i] or str(r.line))
            uid = f"{kind}:{cc}-{code}"
            n = 2
            while uid in used_ids or conn.execute("SELECT 1 FROM places WHERE id = ?", (uid,)).fetchone():
                uid = f"{kind}:{cc}-{code}-{n}"
                n += 1
            used_ids.add(uid)
            new_ids.append(uid)
            parent = _parent(conn, parents, r) if parents is not None else None
            a1: str | None
            a1id: str | None
            a2: str | None
            a2id: str | None
            if level == 1:
                a1, a1id, a2, a2id = r.name, uid, None, None
            elif level == 2:
                a1, a1id = (parent.name, parent.id) if parent else (None, None)
                a2, a2id = r.name, uid
            else:
                a1, a1id = (parent.admin1, parent.admin1_id) if parent else (None, None)
                a2, a2id = (parent.name, parent.id) if parent else (None, None)
            if seat[i] is not None:
                lon, lat = seat[i][2], seat[i][3]
            else:
                rp = r.geom.representative_point()
                lon, lat = rp.x, rp.y
            place_rows.append(store.place_row(
                pid, uid, r.name, kind, lat, lon, cc, country_name, a1, a2, a1id, a2id, pop_in[i],
                f"ADM{level}", r.geom.bounds, True, src, boundary_importance(kind),
            ))
            rows = list(rows_for_names(pid, r.alternates, r.name))
            name_rows.extend(rows)
            out["names"] += len(rows)
            geom_rows.append((pid, shapely.to_wkb(r.geom)))
            code_pairs.extend((c, pid) for c in _codes(r, cc))
            pid += 1
        out["added"] += len(new)
        store.insert_rows(conn, place_rows, name_rows, geom_rows)
        store.add_codes(conn, src, code_pairs)
        place_rows, name_rows, geom_rows, code_pairs = [], [], [], []
        out["linked"] += _link_points(conn, src, level, points, located, new, new_ids)
        out["linked"] += _link_merged(conn, src, level, cc, got_polygon)


def _codes(r: Record, cc: str) -> list:
    out = list(r.codes)
    if r.code and not r.code.isdigit():
        code = strip_cc_prefix(r.code, cc)
        out.append(f"iso:{cc}-{code}")
    return out


def _unit_stub(r: Record):
    from gazetteer.sources._spatial import Unit

    return Unit(-1, "", r.name, r.cc, None, None, r.geom)


def _points(conn, cc) -> list:
    """(pid, name, lon, lat, admin2_id, population, kind, admin1_id) of the country's point places."""
    return conn.execute(
        "SELECT pid, name, lon, lat, admin2_id, population, kind, admin1_id FROM places "
        f"WHERE country_code = ? AND kind IN ({','.join('?' * len(POINT_KINDS))}) AND lat IS NOT NULL",
        (cc, *POINT_KINDS),
    ).fetchall()


def _link_merged(conn, src, level, cc, got_polygon) -> int:
    """Link the points inside merged units that gained their first polygon, as for a new unit.

    Run after the new units' links: a point inside such a unit is outside every new polygon
    and may have been snapped to a neighbouring new unit.
    """
    if level != 2 or not got_polygon:
        return 0
    points = _points(conn, cc)
    layer = Layer([_unit_stub(r) for r, _u in got_polygon])
    located = layer.locate([p[2] for p in points], [p[3] for p in points], snap=0) if points else []
    units = [u for _r, u in got_polygon]
    return _link_points(conn, src, level, points, located, units, [u.id for u in units])


def _link_points(conn, src, level, points, located, new, new_ids) -> int:
    linked = 0
    for p, gi in zip(points, located):
        if gi < 0:
            continue
        if level == 2:
            changed = store.set_fields(conn, src, p[0], {"admin2": new[gi].name, "admin2_id": new_ids[gi]})
        elif level == 1 and not p[7]:
            changed = store.set_fields(conn, src, p[0], {"admin1": new[gi].name, "admin1_id": new_ids[gi]})
        else:
            changed = False
        linked += bool(changed)
    return linked


def _parent(conn, parents: Layer, r: Record):
    """The parent unit: named in the file and unique in the country, else largest area share."""
    if not len(parents):
        return None
    if r.parent_name:
        named = [u for u in parents.units if name_similarity([r.parent_name], names_of(conn, u.pid) + [u.name]) >= 0.95]
        if len(named) == 1:
            return named[0]
    ov = parents.overlaps(r.geom)
    if ov:
        return parents.units[ov[0][0]]
    rp = r.geom.representative_point()
    gi = parents.locate([rp.x], [rp.y], snap=0.5)[0]
    return parents.units[gi] if gi >= 0 else None


def _merge_existing(conn, src, recs, kind, cc) -> dict:
    """Record -> existing Unit for incoming units that are already in the index (one-to-one)."""
    existing = load_units(conn, kind, [cc], point_only=True)
    if not existing:
        return {}
    layer = Layer(existing)
    pairs = []
    for r in recs:
        for gi, _share, iou in layer.overlaps(r.geom):
            u = existing[gi]
            if u.geom.geom_type == "Point":
                if not r.geom.covers(u.geom):
                    continue
                sim = name_similarity([r.name, *r.alternates], names_of(conn, u.pid) + [u.name])
                if sim >= SAME_NAME_SIMILARITY:
                    pairs.append((sim, id(r), r, u))
                continue
            if iou >= SAME_UNIT_IOU:
                pairs.append((iou + 1.0, id(r), r, u))
            elif iou >= NAMED_UNIT_IOU:
                sim = name_similarity([r.name, *r.alternates], names_of(conn, u.pid) + [u.name])
                if sim >= SAME_NAME_SIMILARITY:
                    pairs.append((iou + sim, id(r), r, u))
    pairs.sort(key=lambda t: -t[0])
    out, taken = {}, set()
    for _score, _rid, r, u in pairs:
        if r in out or u.pid in taken:
            continue
        out[r] = u
        taken.add(u.pid)
    return out
