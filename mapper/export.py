"""Export claims and the assessment over time to GIS formats (GeoJSON, GeoPackage, GeoParquet, KML, CSV).

Two tables come out of a :class:`~mapper.state.MapState`:

* **claims** (:func:`claim_records`): one feature per placed claim with the geometry its place is
  drawn with (a town's point, a unit's polygon) and the claim's columns (id, claimant, source, quote,
  file and row...);
* **assessment** (:func:`assessment_records`): per place, the time intervals over which the
  assessment stays the same (status, actor, disputed flag, the claim ids and claimants behind it),
  from the timeline's steps (:meth:`~mapper.timeline.Timeline.steps`, ``state_at``); ``at`` gives the
  interval holding one instant, ``every`` snapshots at a regular period.

Geometries are shapely objects in (lon, lat) order; GeoJSON coordinates are ``[lon, lat]``. Times
are UTC ISO 8601 strings; an interval still open has an empty ``end``. KML is written with
:mod:`xml.etree.ElementTree` (text escaped) with one ``<TimeSpan>`` per feature, so Google Earth's
time slider plays the assessment. Files are written atomically (:func:`mapper.atomic.write_atomic`)
and never replace an existing file unless ``overwrite``.

Examples
--------
>>> fmt_for("out/assessment.gpkg"), fmt_for("x.GeoJSON")
('gpkg', 'geojson')
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.etree import ElementTree as ET

from mapper._optional import require
from mapper.atomic import write_atomic
from mapper.errors import MapperError, OutputExists

#: File suffix -> format name.
FORMATS = {".geojson": "geojson", ".gpkg": "gpkg", ".parquet": "parquet", ".kml": "kml", ".csv": "csv"}
WHAT = ("claims", "assessment")

CLAIM_COLUMNS = ("id", "place", "place_key", "place_name", "kind", "drawn_as", "gazetteer_id", "time",
                 "time_earliest", "time_latest", "precision", "start", "end", "status", "status_raw", "actor",
                 "claimant", "source", "url", "archive_url", "quote", "scope", "confidence", "file", "row",
                 "lon", "lat")
ASSESSMENT_COLUMNS = ("place_key", "place_name", "kind", "drawn_as", "start", "end", "status", "label", "actor",
                      "actors", "disputed", "claim_ids", "claimants", "sources", "last_reported", "lon", "lat")


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export` wrote: ``features`` rows/features, ``places`` distinct places."""

    path: Path
    format: str
    what: str
    features: int
    places: int


def fmt_for(path) -> str:
    """The export format named by ``path``'s suffix; MapperError for an unknown suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise MapperError(
            f"{path}: unknown export format {suffix or '(no suffix)'!r}; name the file "
            + ", ".join(f"*{s}" for s in FORMATS)
        )
    return FORMATS[suffix]


def _iso(t: datetime | None) -> str:
    if t is None:
        return ""
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _geometry(place):
    from shapely.geometry import Point

    if place.geometry is not None:
        return place.geometry
    if place.lon is not None and place.lat is not None:
        return Point(place.lon, place.lat)
    return None


def _point(place):
    """(lon, lat) of the place's marker or representative point, or (None, None)."""
    if place.lon is not None and place.lat is not None:
        return place.lon, place.lat
    g = _geometry(place)
    if g is None or g.is_empty:
        return None, None
    p = g.representative_point()
    return p.x, p.y


def _place_columns(place) -> dict:
    lon, lat = _point(place)
    return {"place_key": place.key, "place_name": place.name, "kind": place.kind, "drawn_as": place.drawn_as,
            "lon": lon, "lat": lat}


def claim_records(state, *, at: datetime | None = None) -> list:
    """One dict per timeline entry of a placed claim (only those current at ``at`` when given).

    Each has the :data:`CLAIM_COLUMNS` plus ``geometry`` (shapely, lon/lat). District copies of
    province claims (timeline rule 6) are left out: each claim appears once, at its own place.
    """
    tl = state.timeline
    out = []
    for e in tl.entries:
        if e.derived_from is not None:
            continue
        if at is not None and not e.current_at(at):
            continue
        place = tl.places[e.place_key]
        c = e.claim
        rec = {
            "id": c.id, "place": c.place, **_place_columns(place), "gazetteer_id": place.gazetteer_id,
            "time": c.time.text or "", "time_earliest": _iso(c.time.earliest), "time_latest": _iso(c.time.latest),
            "precision": c.time.precision, "start": _iso(e.start), "end": _iso(e.end), "status": c.status,
            "status_raw": c.status_raw, "actor": e.actor, "claimant": c.claimant, "source": c.source, "url": c.url,
            "archive_url": c.archive_url, "quote": c.quote, "scope": c.scope, "confidence": c.confidence,
            "file": c.origin.path, "row": c.origin.row, "geometry": _geometry(place),
        }
        out.append(rec)
    return out


def _state_key(st) -> tuple:
    return (st.status, st.actor, tuple(st.actors), tuple(st.entries), st.scope)


def _assessment_rec(tl, place, st, start, end) -> dict:
    entries = [tl.entries[i] for i in st.entries]
    uniq = lambda xs: ";".join(dict.fromkeys(x for x in xs if x))  # noqa: E731 - order-keeping join
    return {
        **_place_columns(place), "start": _iso(start), "end": _iso(end), "status": st.status, "label": st.label,
        "actor": st.actor, "actors": ";".join(st.actors), "disputed": st.status == "disputed",
        "claim_ids": uniq(e.claim.id for e in entries), "claimants": uniq(e.claimant for e in entries),
        "sources": uniq(e.claim.source for e in entries), "last_reported": _iso(st.last_reported),
        "geometry": _geometry(place),
    }


def assessment_records(state, *, at: datetime | None = None, every: timedelta | None = None) -> list:
    """The assessment per place as intervals over which it stays the same.

    Default: every interval between the timeline's steps where a place has a current claim
    (consecutive equal states merged; the last interval has an empty ``end`` while it stands).
    ``at``: only the interval holding that instant, per place. ``every``: snapshots at
    first step, first step + every, ... up to the last step, each an interval of length ``every``.
    Places without a current claim give no row for that time.
    """
    tl = state.timeline
    if every is not None and every <= timedelta(0):
        raise MapperError(f"every must be a positive duration, got {every}")
    steps = tl.steps()
    if not steps:
        return []
    out = []
    if every is not None:
        times, t = [], steps[0]
        while t <= steps[-1]:
            times.append(t)
            t += every
        for key, place in tl.places.items():
            for t in times:
                st = tl.state_at(key, t)
                if st.entries:
                    out.append(_assessment_rec(tl, place, st, t, t + every))
        return out
    for key, place in tl.places.items():
        # A place's state changes only at its own claims' starts and ends (rule 7, per place).
        own = set()
        for e in tl.claims_for(key):
            own.update(x for x in (e.start, e.end, e.natural_end) if x is not None)
        steps = sorted(own)
        intervals = []  # [state, start, end]
        for i, t in enumerate(steps):
            st = tl.state_at(key, t)
            nxt = steps[i + 1] if i + 1 < len(steps) else None
            if intervals and intervals[-1][2] == t and _state_key(intervals[-1][0]) == _state_key(st):
                intervals[-1][2] = nxt
            elif st.entries:
                intervals.append([st, t, nxt])
        for st, start, end in intervals:
            if at is not None and not (start <= at and (end is None or at < end)):
                continue
            out.append(_assessment_rec(tl, place, st, start, end))
    return out


def _columns(what: str) -> tuple:
    return CLAIM_COLUMNS if what == "claims" else ASSESSMENT_COLUMNS


def to_frame(records: list, what: str):
    """The records as a geopandas GeoDataFrame (EPSG:4326, lon/lat)."""
    import geopandas as gpd

    cols = list(_columns(what))
    data = {c: [r.get(c) for r in records] for c in cols}
    return gpd.GeoDataFrame(data, geometry=[r.get("geometry") for r in records], crs="EPSG:4326")


def _geojson(records: list, what: str) -> str:
    from shapely.geometry import mapping

    feats = []
    for r in records:
        g = r.get("geometry")
        feats.append({"type": "Feature", "geometry": mapping(g) if g is not None else None,
                      "properties": {c: r.get(c) for c in _columns(what)}})
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False, default=str)


def _csv(records: list, what: str) -> str:
    buf = io.StringIO()
    cols = _columns(what)
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols + ("wkt",))
    for r in records:
        g = r.get("geometry")
        w.writerow([("" if r.get(c) is None else r.get(c)) for c in cols] + [g.wkt if g is not None else ""])
    return buf.getvalue()


def _kml_coords(coords) -> str:
    return " ".join(f"{x:.6f},{y:.6f}" for x, y, *_ in coords)


def _kml_geometry(parent, g) -> None:
    kind = g.geom_type
    if kind == "Point":
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = _kml_coords(g.coords)
    elif kind == "Polygon":
        poly = ET.SubElement(parent, "Polygon")
        ET.SubElement(ET.SubElement(ET.SubElement(poly, "outerBoundaryIs"), "LinearRing"), "coordinates").text = (
            _kml_coords(g.exterior.coords))
        for ring in g.interiors:
            ET.SubElement(ET.SubElement(ET.SubElement(poly, "innerBoundaryIs"), "LinearRing"), "coordinates").text = (
                _kml_coords(ring.coords))
    elif kind == "LineString":
        ET.SubElement(ET.SubElement(parent, "LineString"), "coordinates").text = _kml_coords(g.coords)
    else:  # Multi* and collections
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in g.geoms:
            _kml_geometry(multi, part)


def _kml(records: list, what: str, title: str) -> bytes:
    ns = "http://www.opengis.net/kml/2.2"
    root = ET.Element("kml", xmlns=ns)
    doc = ET.SubElement(root, "Document")
    ET.SubElement(doc, "name").text = title
    for r in records:
        pm = ET.SubElement(doc, "Placemark")
        if what == "claims":
            name = f"{r['place_name']}: {r['status']}" + (f" ({r['actor']})" if r["actor"] else "")
            desc = f"{r['claimant']}: {r['quote']}" if r["quote"] else r["claimant"]
        else:
            name = f"{r['place_name']}: {r['label']}"
            desc = f"claims {r['claim_ids']}; claimants {r['claimants']}"
        ET.SubElement(pm, "name").text = name
        ET.SubElement(pm, "description").text = desc
        span = ET.SubElement(pm, "TimeSpan")
        ET.SubElement(span, "begin").text = r["start"]
        if r["end"]:
            ET.SubElement(span, "end").text = r["end"]
        ext = ET.SubElement(pm, "ExtendedData")
        for c in _columns(what):
            v = r.get(c)
            d = ET.SubElement(ext, "Data", name=c)
            ET.SubElement(d, "value").text = "" if v is None else str(v)
        if r.get("geometry") is not None:
            _kml_geometry(pm, r["geometry"])
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _via_pyogrio(records: list, what: str, fmt: str) -> bytes:
    frame = to_frame(records, what)
    if fmt == "parquet":
        # geopandas imports pyarrow inside to_parquet; without it, say which extra installs it.
        require("pyarrow", "parquet", purpose="GeoParquet export (.parquet)")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "out." + fmt)
        if fmt == "parquet":
            frame.to_parquet(path)
        else:
            frame.to_file(path, driver="GPKG", layer=what, engine="pyogrio")
        return Path(path).read_bytes()


def export(state, path, *, what: str = "claims", at=None, every: timedelta | None = None,
           overwrite: bool = False, title: str = "conflictmap") -> ExportResult:
    """Write ``what`` (claims or assessment) of a map state to ``path`` (format from the suffix)."""
    if what not in WHAT:
        raise MapperError(f"what must be one of {', '.join(WHAT)}, got {what!r}")
    if at is not None and every is not None:
        raise MapperError("give either at or every, not both")
    path = Path(path)
    fmt = fmt_for(path)
    if path.exists() and not overwrite:
        raise OutputExists(f"{path} exists; pass --overwrite to replace it")
    if not state.placed:
        load = state.load
        read = f" ({load.read} row(s) read, {load.rejected_rows} rejected)" if load is not None else ""
        raise MapperError(f"no claim could be placed{read}: {path} not written; see the report above for why")
    if what == "claims":
        if every is not None:
            raise MapperError("every applies to the assessment; for claims use at (the claims current then)")
        records = claim_records(state, at=at)
    else:
        records = assessment_records(state, at=at, every=every)
    if fmt == "geojson":
        data = _geojson(records, what)
    elif fmt == "csv":
        data = _csv(records, what)
    elif fmt == "kml":
        data = _kml(records, what, title)
    else:
        data = _via_pyogrio(records, what, fmt)
    write_atomic(path, data)
    return ExportResult(path=path, format=fmt, what=what, features=len(records),
                        places=len({r["place_key"] for r in records}))


__all__ = ["ExportResult", "FORMATS", "assessment_records", "claim_records", "export", "fmt_for", "to_frame"]
