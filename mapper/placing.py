"""Claim -> place: each claim's row linked to the gazetteer, or an honest approximation, or unresolved.

:class:`ClaimPlacer` is the one place where a claim's row becomes a :class:`~mapper.timeline.MapPlace`
for ``conflictmap map``, ``static``, ``describe`` and ``export`` (through :func:`mapper.state.prepare_state`):

* a ``place_id`` is used as given;
* otherwise the name goes through the row policy shared with ``conflictmap geocode``
  (:func:`gazetteer.placing.place_row`: the row's ``country`` and ``admin1``/``admin2`` are
  constraints, a namesake outside them is ``outside_hint``, an unresolved name falls back to the
  row's finest known unit), so both commands put the same row in the same place;
* row coordinates (``lat``/``lon``, a GeoJSON geometry, ACLED/UCDP coordinates) override where the
  place is drawn, and the name is still linked when its match lies near them;
* geometry honesty: an admin unit is drawn as its polygon (or, with none loaded, a dashed
  approximate area); dataset coordinates that are only a unit centroid are an approximate area;
  a name placed only through its unit is an approximate area inside that unit. Nothing is ever
  placed at 0,0.

Every claim not linked to one gazetteer entry becomes an :class:`UnresolvedClaim`.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass

from gazetteer import GazetteerError, haversine_km
from gazetteer.placing import (
    NOT_FOUND_PROBLEM,
    OUTSIDE_HINT,
    SCOPE_UNIT_RE,
    RowPlacement,
    RowPlacer,
    Unresolved,
)
from mapper.claims.formats import get_format
from mapper.errors import UnknownFormat
from mapper.model import Claim
from mapper.timeline import MapPlace

log = logging.getLogger(__name__)

#: Smallest approximate-area radius, so the area never looks like a pin.
MIN_APPROX_RADIUS = 3_000
#: A town linked by name lies at most this far (km) from the row's own coordinates.
LINK_MAX_KM = 50.0
#: Row coordinates look swapped when the row's own place name resolves this close (km) to the
#: swapped point (lat and lon exchanged) while nothing of that name lies near the given point.
SWAP_MAX_KM = 15.0
#: UnresolvedClaim status of a ``place_id`` that is not in the gazetteer.
BAD_PLACE_ID = "bad_place_id"
#: UnresolvedClaim status of a name whose only match lies far from the row's coordinates.
NOT_LINKED = "not_linked"


@dataclass(frozen=True)
class UnresolvedClaim:
    """A claim whose place name could not be linked to one gazetteer entry.

    ``status``: ``not_found``, ``ambiguous``, ``bad_place_id``, or ``outside_hint`` (the name
    matches a place, but only outside the row's ``admin1``/``admin2``: a namesake, so the
    claim is drawn as an approximate area in the row's unit, ``message`` says where the
    namesake is), or ``not_linked`` (the name's match lies more than :data:`LINK_MAX_KM` from the
    row's coordinates, so the place is drawn there without a gazetteer link);
    ``mapped_as`` says how it was still drawn ("" when it is not on the map):
    "coordinates from the row" or "approximate area in <unit>".
    """

    claim: Claim
    status: str
    suggestions: tuple = ()
    candidates: tuple = ()
    mapped_as: str = ""
    message: str = ""

    def __str__(self) -> str:
        c = self.claim
        where = f"{os.path.basename(c.origin.path) or c.origin.path or 'input'}"
        if c.origin.row is not None:
            where += f" row {c.origin.row}"
        if self.status in (OUTSIDE_HINT, NOT_LINKED, BAD_PLACE_ID) and self.message:
            text = f"{where}: {self.message}"
        else:
            text = f"{where}: {c.place!r} {self.status.replace('_', ' ')}"
        if self.candidates and self.status != OUTSIDE_HINT:
            text += f" (candidates: {', '.join(self.candidates[:4])})"
        if self.suggestions:
            text += f"; did you mean: {', '.join(self.suggestions[:5])}"
        text += f"; {'drawn as ' + self.mapped_as if self.mapped_as else 'not on the map'}"
        return text



#: Errors a gazetteer read can raise: its own, and the index file's (a damaged or locked SQLite file).
GAZETTEER_READ_ERRORS = (GazetteerError, sqlite3.Error)


class ClaimPlacer:
    """Places claims as MapPlaces, with a cache per (name, hints) and per place id.

    The name with its hints goes through :class:`gazetteer.placing.RowPlacer`, the policy
    ``conflictmap geocode`` uses; this class adds what only a map has: a ``place_id``, row
    coordinates and geometries, and how each place is drawn.
    """

    def __init__(self, gz):
        self.gz = gz
        self.rows = RowPlacer(gz)
        self.places: dict = {}
        self.names: dict = defaultdict(Counter)  # key -> written names
        self._memo: dict = {}
        self.codes: dict = {}  # place key -> ISO country code ("" unknown)
        self.warnings: dict = defaultdict(list)  # place key -> popup warnings
        self.from_row = 0  # claims drawn at their row's own coordinates or geometry

    def country(self, value: str):
        """The ISO code of a claim's country column, else the value as written."""
        return self.rows.country(value)

    def place_for(self, gp) -> str:
        """MapPlace key for a gazetteer Place (drawn as unit, approximate area or point)."""
        if gp.id in self.places:
            return gp.id
        geom = None
        drawn = "point"
        radius = None
        note = ""
        if gp.is_admin_unit or gp.has_geometry:  # units, and regions drawn as the union of units
            from shapely.errors import ShapelyError

            try:
                geom = self.gz.geometry(gp) if gp.has_geometry else None
            except (*GAZETTEER_READ_ERRORS, ShapelyError) as err:  # a stored polygon shapely cannot decode
                log.debug("no geometry for %s: %s", gp.id, err)
            if geom is not None and geom.geom_type in ("Polygon", "MultiPolygon"):
                drawn = "unit"
            else:
                geom, drawn = None, "approximate"
                radius = _bbox_radius(gp.bbox)
                note = f"{gp.name} is an admin unit whose boundary is not loaded; drawn as an approximate area"
        parent = gp.admin1_id if gp.kind in ("admin2", "admin3") else (gp.admin2_id or gp.admin1_id or "")
        self.places[gp.id] = MapPlace(
            key=gp.id, name=gp.name, kind=gp.kind, drawn_as=drawn, lat=gp.lat, lon=gp.lon, parent_key=parent or "",
            admin1=gp.admin1 or "", country=gp.country or "", country_code=gp.country_code or "", gazetteer_id=gp.id,
            radius_m=radius, note=note,
            geometry=geom,
        )
        self.codes[gp.id] = gp.country_code or ""
        return gp.id

    # -- one claim -----------------------------------------------------------
    def resolve(self, claim: Claim):
        """(place key or None, UnresolvedClaim or None)."""
        gp, problem = None, None
        if claim.place_id:
            try:
                gp = self.gz.get(claim.place_id)
            except GAZETTEER_READ_ERRORS as err:
                problem = Unresolved(BAD_PLACE_ID, message=f"place_id {claim.place_id!r} is not in the gazetteer ({err})")
        if gp is None:
            row = self.named(claim)
            gp, name_problem, fallback = row.place, row.unresolved, row.fallback
            hint_notes = _hint_notes(row.ignored, bool(claim.admin1))
            if problem is not None and gp is not None:
                how = ("drawn at the row's coordinates instead" if _row_geometry(claim) is not None else
                       f"placed by name instead ({', '.join(x for x in (gp.name, gp.admin1, gp.country_code) if x)})")
                problem = Unresolved(BAD_PLACE_ID, message=f"place_id {claim.place_id!r} not in the gazetteer; {how}")
            elif problem is not None and name_problem is not None:
                problem = Unresolved(
                    BAD_PLACE_ID, name_problem.suggestions, name_problem.candidates,
                    f"place_id {claim.place_id!r} not in the gazetteer, and the name {claim.place!r} is "
                    f"{name_problem.status.replace('_', ' ')}" + (f": {name_problem.message}" if name_problem.message else ""))
            problem = problem or name_problem
        else:
            fallback, hint_notes = None, ()
        key, unresolved = self._place_claim(claim, gp, problem, fallback)
        if key is not None and hint_notes and _row_geometry(claim) is None:  # row coordinates place it anyway
            for note in hint_notes:
                self.warn(key, note)
        return key, unresolved

    def named(self, claim: Claim) -> RowPlacement:
        """The row's name placed with its hints by the shared row policy (memoised there)."""
        return self.rows.place(claim.place, country=claim.country, admin1=claim.admin1, admin2=claim.admin2,
                               unit_scope=bool(SCOPE_UNIT_RE.search(claim.scope or "")))

    def swapped(self, claim: Claim) -> str | None:
        """Why the row's coordinates look swapped (lat and lon exchanged), or None.

        Only within the valid ranges (the reader rejects a latitude beyond 90 already) and only
        when the row's own place name says so: it resolves (with the row's country hint, if any)
        within :data:`SWAP_MAX_KM` of the swapped point while no place of that name lies within
        :data:`LINK_MAX_KM` of the given one. Cheap for good rows: the name is resolved once for
        placing anyway, and a match near the given point settles it.
        """
        override = _row_geometry(claim)
        if override is None or override[0] != "point" or not (claim.place or "").strip():
            return None
        lat, lon = override[1]
        if abs(lon) > 90 or haversine_km(lat, lon, lon, lat) <= LINK_MAX_KM:
            return None  # cannot be a latitude, or the two readings are the same place
        cc = self.country(claim.country)
        gp = None
        if not claim.place_id:
            gp = self.named(claim).place
            if gp is not None and gp.lat is not None and haversine_km(lat, lon, gp.lat, gp.lon) <= LINK_MAX_KM:
                return None
        key = ("swap", claim.place, cc)
        if key not in self._memo:
            try:
                res = self.gz.resolve(claim.place, country=cc)
                found = [c.place for c in res.candidates if c.place.lat is not None and c.quality >= 0.75]
            except GazetteerError as err:  # a name the gazetteer cannot take is no evidence either way
                log.debug("swap check for %r skipped: %s", claim.place, err)
                found = []
            if gp is not None and gp.lat is not None:
                found.append(gp)
            self._memo[key] = found
        found = self._memo[key]
        if any(haversine_km(lat, lon, p.lat, p.lon) <= LINK_MAX_KM for p in found):
            return None  # a place of that name lies at the given point: a namesake, not a swap
        near = [(haversine_km(lon, lat, p.lat, p.lon), p) for p in found]
        near = [(km, p) for km, p in near if km <= SWAP_MAX_KM]
        if not near:
            return None
        km, p = min(near, key=lambda kp: kp[0])
        where = ", ".join(x for x in (p.admin1, p.country_code) if x)
        return (f"coordinates look swapped (lat={lat:g}, lon={lon:g}); the place name resolves to {p.name}"
                f"{' (' + where + ')' if where else ''} at lat={p.lat:.4f}, lon={p.lon:.4f}, {km:.0f} km from "
                f"lat={lon:g}, lon={lat:g} and {haversine_km(lat, lon, p.lat, p.lon):,.0f} km from the given point; "
                "the row is rejected: exchange the two values")

    def warn(self, key: str, text: str) -> None:
        """Add a popup warning for the place ``key`` (once per text)."""
        if text not in self.warnings[key]:
            self.warnings[key].append(text)

    def _place_claim(self, claim, gp, problem, fallback):
        override = _row_geometry(claim)
        if override is not None:
            return self._with_coordinates(claim, gp, override, problem)
        if gp is not None:
            key = self.place_for(gp)
            self.names[key][claim.place] += 1
            return key, (_unresolved(claim, problem, f"{gp.name}, found by name")
                         if problem and problem.status == BAD_PLACE_ID else None)
        if fallback is not None:
            key = self._fallback_place(claim, fallback, problem)
            return key, _unresolved(claim, problem, f"approximate area in {fallback.name}")
        return None, _unresolved(claim, problem or NOT_FOUND_PROBLEM, "")

    def _with_coordinates(self, claim, gp, override, problem):
        kind, payload = override
        if kind == "point" and gp is not None and not gp.is_admin_unit and gp.lat is not None:
            # The name is linked only to an entry near the row's coordinates: a namesake far away
            # (the row's province unknown, no country column) would lend the place its country.
            km = haversine_km(payload[0], payload[1], gp.lat, gp.lon)
            if km > LINK_MAX_KM:
                where = ", ".join(x for x in (gp.admin1, gp.country_code) if x)
                problem = problem or Unresolved(NOT_LINKED, (gp.name,), (), f"{claim.place!r} is not linked to the gazetteer's "
                                      f"{gp.name} ({where}): it lies {km:,.0f} km from the row's coordinates")
                gp = None
        linked = gp.id if gp is not None else ""
        if kind == "polygon":
            geom = payload
            c = geom.representative_point()
            key = f"geom:{hashlib.sha1(geom.wkb).hexdigest()[:12]}"
            if key not in self.places:
                self.places[key] = MapPlace(
                    key, gp.name if gp and gp.is_admin_unit else claim.place, gp.kind if gp else "other", "unit",
                    c.y, c.x, admin1=(gp.admin1 or "") if gp else claim.admin1, country=(gp.country or "") if gp else claim.country,
                    country_code=(gp.country_code or "") if gp else (self.country(claim.country) or ""),
                    gazetteer_id=linked, note="Drawn with the geometry given in the claims file.", geometry=geom,
                )
        else:
            lat, lon = payload
            radius = _precision_radius(claim)
            if radius and gp is not None and gp.is_admin_unit and gp.has_geometry:
                # The coordinates are only the centroid of the unit the claim names: draw the unit.
                key = self.place_for(gp)
                self.names[key][claim.place] += 1
                return key, (_unresolved(claim, problem, f"{gp.name}, found by name")
                             if problem and problem.status == BAD_PLACE_ID else None)
            key = f"xy:{lat:.4f},{lon:.4f}:{linked or claim.place.casefold()}"
            if key not in self.places:
                note = "Drawn at the coordinates given in the claims file."
                if radius:
                    note = (f"The dataset gives only an approximate location (precision code "
                            f"{claim.location_precision}); drawn as an area of about {radius / 1000:.0f} km radius.")
                self.places[key] = MapPlace(
                    key, claim.place if not gp or not gp.is_admin_unit else gp.name, gp.kind if gp else "populated_place",
                    "approximate" if radius else "point", lat, lon,
                    parent_key=(gp.admin2_id or gp.admin1_id or "") if gp else "",
                    admin1=(gp.admin1 or "") if gp else claim.admin1, country=(gp.country or "") if gp else claim.country,
                    country_code=(gp.country_code or "") if gp else (self.country(claim.country) or ""),
                    gazetteer_id=linked, radius_m=radius, note=note,
                )
        self.names[key][claim.place] += 1
        if key not in self.codes:
            cc = (gp.country_code or "") if gp is not None else (self.country(claim.country) or "")
            self.codes[key] = cc if len(cc) == 2 else ""
        self.from_row += 1
        if gp is None or (problem and problem.status == BAD_PLACE_ID):
            return key, _unresolved(claim, problem or NOT_FOUND_PROBLEM, "coordinates from the row")
        return key, None

    def _fallback_place(self, claim: Claim, unit, problem=None) -> str:
        key = f"in:{unit.id}:{claim.place.casefold()}"
        outside = problem is not None and problem.status == OUTSIDE_HINT
        if key not in self.places:
            if outside:
                why = f"{problem.message}. The row places it in {unit.name}"
            else:
                why = f"'{claim.place}' is not in the gazetteer; the row places it in {unit.name}"
            self.places[key] = MapPlace(
                key, claim.place, "other", "approximate", unit.lat, unit.lon, parent_key=unit.id,
                admin1=unit.admin1 or unit.name, country=unit.country or "", country_code=unit.country_code or "",
                gazetteer_id="",
                radius_m=_bbox_radius(unit.bbox) * 0.6,
                note=f"{why}, so it is drawn as an approximate area there (not the whole {unit.kind})",
            )
            self.codes[key] = unit.country_code or ""
        if outside:
            self.warn(key, f"Placed only approximately: {problem.message}; drawn as an area in {unit.name}, "
                           "where the row places it.")
        self.names[key][claim.place] += 1
        return key

    def load_districts(self, used_keys) -> dict:
        """Province key -> district keys, for provinces with claims or with claimed districts."""
        provinces = set()
        for k in used_keys:
            p = self.places[k]
            if p.kind == "admin1" and p.gazetteer_id == k:
                provinces.add(k)
            elif p.kind == "admin2" and p.parent_key:
                provinces.add(p.parent_key)
        children = {}
        for pk in sorted(provinces):
            try:
                kids = [c for c in self.gz.children(pk, kind="admin2") if c.has_geometry]
            except GAZETTEER_READ_ERRORS as err:
                log.debug("no districts for %s: %s", pk, err)
                kids = []
            if not kids:
                continue
            if pk not in self.places:
                try:
                    self.place_for(self.gz.get(pk))
                except GAZETTEER_READ_ERRORS as err:
                    log.debug("province %s not readable: %s", pk, err)
                    continue
            children[pk] = [self.place_for(c) for c in kids]
        return children


def _unresolved(claim, problem: Unresolved, mapped_as) -> UnresolvedClaim:
    return UnresolvedClaim(claim, problem.status, tuple(problem.suggestions), tuple(problem.candidates), mapped_as,
                           problem.message or "")


def _hint_notes(ignored, has_admin1: bool) -> tuple:
    """Popup warnings for the row's hints that are not known units.

    An unknown admin2 is only worth a warning when the row gives no admin1 at all: second-level
    units are known only in part, and with an admin1 the place is checked anyway.
    """
    return tuple(
        f"The row's {h.kind} {h.name!r} is not a unit the gazetteer knows, so the place could not be checked "
        "against it."
        for h in ignored if h.kind == "admin1" or not has_admin1
    )


def _bbox_radius(bbox) -> float:
    """Half the larger side of a (lon, lat) bbox, in metres; a floor keeps it an area."""
    if not bbox:
        return 20_000.0
    min_lon, min_lat, max_lon, max_lat = bbox
    lat = math.radians((min_lat + max_lat) / 2)
    w = abs(max_lon - min_lon) * 111_320 * math.cos(lat)
    h = abs(max_lat - min_lat) * 110_540
    return max(MIN_APPROX_RADIUS, max(w, h) / 2)


def _precision_radius(claim: Claim) -> float | None:
    """Radius (m) of the area the row's coordinates stand for, when its format says they are only a
    unit's centroid (:attr:`mapper.claims.ClaimsFormat.precision_radius`), else None."""
    if claim.location_precision is None:
        return None
    try:
        fmt = get_format(claim.origin.format)
    except UnknownFormat:  # claims built in code (tests, extract) name no registered format
        return None
    return fmt.radius_m(claim.location_precision)


def _row_geometry(claim: Claim):
    """("point", (lat, lon)) or ("polygon", shapely geometry) from the row, else None."""
    if claim.geometry:
        try:
            from shapely.errors import ShapelyError
            from shapely.geometry import shape

            g = shape(claim.geometry)
        except (ShapelyError, KeyError, IndexError, TypeError, ValueError, AttributeError) as err:  # row input
            log.warning("row %s: geometry not usable (%s); resolving the name instead", claim.origin.row, err)
            g = None
        if g is not None and not g.is_empty:
            if g.geom_type in ("Polygon", "MultiPolygon"):
                return "polygon", g
            c = g.centroid if g.geom_type != "Point" else g
            return "point", (c.y, c.x)
    if claim.lat is not None and claim.lon is not None:
        if claim.lat == 0 and claim.lon == 0:
            return None  # 0,0 is a missing value in practice, never a place in these datasets
        return "point", (claim.lat, claim.lon)
    return None

