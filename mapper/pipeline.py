"""Claims files in, one HTML map out: read, resolve, build the timeline, render.

:func:`build_map` is what ``conflictmap map`` calls. Steps:

1. :func:`mapper.claims_io.read_claims` reads every file (bad rows are
   rejected with reasons and row numbers, never dropped silently).
2. Each claim's place goes through the gazetteer with the row's hints: a
   ``place_id`` is used as given; otherwise the name is resolved with the
   row's ``country`` and ``admin1``/``admin2`` (the unit narrows the
   search). Row coordinates (``lat``/``lon``, a GeoJSON geometry, ACLED/UCDP
   coordinates) override where the place is drawn, but the name is still
   linked to the gazetteer entry when it resolves.
3. Geometry honesty: a place resolved to an admin unit is drawn as that
   unit's polygon (or, with no polygon loaded, as a dashed approximate
   area); dataset coordinates that are only a unit centroid (UCDP
   ``where_prec`` 4-6, ACLED ``geo_precision`` 3) are drawn as an
   approximate area, never as a crisp pin. A name that does not resolve but
   whose admin unit does is drawn as an approximate area inside that unit
   and reported. Nothing is ever placed at 0,0: a claim with neither a
   resolved name nor coordinates is *unresolved*, listed with suggestions
   in :attr:`MapResult.unresolved` and in ``<output>.unresolved.csv``.
4. Provinces with claims (or with districts that have claims) get their
   districts from ``gz.children`` when district polygons are loaded, so
   "all districts" claims spread and district shares roll up.
5. :class:`mapper.timeline.Timeline` applies the rules;
   :func:`mapper.render.html.render_html` writes the page.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import math
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional, Sequence, Union

from gazetteer import haversine_km
from mapper.actors import Actors
from mapper.errors import ClaimsFileError, MapperError, OutputExists, UnresolvedPlaces
from mapper.model import Claim
from mapper.timeline import DEFAULT_DISPUTE_WINDOW, DEFAULT_WINDOW, MapPlace, Timeline, _aware, bounds_of
from mapper.trust import draft_warnings, find_outliers, flagged_drafts, unknown_actors

log = logging.getLogger(__name__)

#: Radius (metres) of the approximate area drawn for dataset coordinates that are only a centroid.
UCDP_PRECISION_RADIUS = {4: 15_000, 5: 60_000, 6: 250_000, 7: 100_000}
ACLED_PRECISION_RADIUS = {2: 10_000, 3: 25_000}
#: A scope that says the claim is about an admin unit ("6 of 7 districts", "entire province").
_SCOPE_UNIT_RE = re.compile(r"\b(districts?|provinces?|province-wide|region)\b", re.I)
#: Above this extent (degrees) the basemap keeps country outlines only, no province lines.
REGIONAL_SPAN_DEG = 40.0
#: Smallest approximate-area radius, so the area never looks like a pin.
MIN_APPROX_RADIUS = 3_000
#: A town linked by name lies at most this far (km) from the row's own coordinates.
LINK_MAX_KM = 50.0
#: Row coordinates look swapped when the row's own place name resolves this close (km) to the
#: swapped point (lat and lon exchanged) while nothing of that name lies near the given point.
SWAP_MAX_KM = 15.0
#: UnresolvedClaim status of a place that matches only outside its row's admin unit.
OUTSIDE_HINT = "outside_hint"
#: UnresolvedClaim status of a name whose only match lies far from the row's coordinates.
NOT_LINKED = "not_linked"
UNRESOLVED_COLUMNS = (
    "file", "row", "claim_id", "place", "country", "admin1", "admin2", "place_id", "status", "mapped_as",
    "suggestions", "candidates", "message",
)


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
        if self.status in (OUTSIDE_HINT, NOT_LINKED, "bad_place_id") and self.message:
            text = f"{where}: {self.message}"
        else:
            text = f"{where}: {c.place!r} {self.status.replace('_', ' ')}"
        if self.candidates and self.status != OUTSIDE_HINT:
            text += f" (candidates: {', '.join(self.candidates[:4])})"
        if self.suggestions:
            text += f"; did you mean: {', '.join(self.suggestions[:5])}"
        text += f"; {'drawn as ' + self.mapped_as if self.mapped_as else 'not on the map'}"
        return text


@dataclass(frozen=True)
class MapResult:
    """What :func:`build_map` did. ``summary()`` is what the CLI prints to stderr."""

    output: Optional[Path]
    load: object  # mapper.claims_io.LoadReport
    claims: int
    mapped: int
    places: int
    unresolved: tuple
    unresolved_path: Optional[Path]
    counts_path: Optional[Path]
    counts_rows: int
    render: object  # mapper.render.html.RenderReport
    timeline: Timeline = field(repr=False, compare=False, default=None)
    opens_at: Optional[datetime] = None
    seconds: float = 0.0
    outliers: tuple = ()
    flagged: tuple = ()
    unknown_actors: tuple = ()
    #: Claims drawn at their row's own coordinates or geometry (linked to the gazetteer or not).
    from_row: int = 0

    @property
    def rejected(self) -> tuple:
        return tuple(self.load.rejected) if self.load is not None else ()

    def summary(self, limit: int = 20) -> str:
        """The run report, most urgent first.

        Draft claims the extractor flagged; claims not on the map (in full, never cut);
        places outside their row's admin unit and outliers (in full); then the approximate
        placements (the first ``limit``, all of them in the side CSV); one line per actor not
        in the registry; then what was read and rejected (every rejected row) and how status
        words were mapped; then the map written.
        """
        lines = []
        if self.flagged:
            lines.append(f"Draft claims flagged by the extractor ({len(self.flagged)}): review them before publishing")
            lines.extend(f"  {d}" for d in self.flagged)
        not_mapped = [u for u in self.unresolved if not u.mapped_as]
        outside = [u for u in self.unresolved if u.status == OUTSIDE_HINT and u.mapped_as.startswith("approximate")]
        outside_ids = {id(u) for u in outside}
        approx = [u for u in self.unresolved if u.mapped_as and id(u) not in outside_ids]
        approx_only = [u for u in approx if u.mapped_as.startswith("approximate")]
        rejected = self.load.rejected_rows if self.load is not None else 0
        lines.append(
            f"Mapped {self.mapped:,} of {self.claims:,} claims to {self.places:,} places; "
            f"{len(not_mapped):,} not mapped (unresolved), "
            f"{len(outside) + len(approx_only):,} drawn approximately"
            + (f", {self.from_row:,} drawn at their row's coordinates" if self.from_row else "")
            + (f", {len(self.outliers):,} outlier{'s' if len(self.outliers) != 1 else ''}" if self.outliers else "")
            + (f"; {rejected:,} row{'s' if rejected != 1 else ''} rejected (listed below)" if rejected else "") + "."
        )
        if not_mapped:
            lines.append(f"Claims not on the map ({len(not_mapped)}):")
            lines.extend(f"  {u}" for u in not_mapped)
        if outside:
            lines.append(f"Places outside their row's admin unit ({len(outside)}), drawn as approximate areas in it:")
            lines.extend(f"  {u}" for u in outside)
        if self.outliers:
            lines.append(f"Outliers ({len(self.outliers)}): far from the file's other places or alone in their "
                         "country; check them")
            lines.extend(f"  {o}" for o in self.outliers)
        if approx:
            lines.append(f"Drawn approximately or from row coordinates ({len(approx)}):")
            lines.extend(f"  {u}" for u in approx[:limit])
            if len(approx) > limit:
                lines.append(f"  ... and {len(approx) - limit} more")
        if self.unresolved_path:
            lines.append(f"  full list: {self.unresolved_path}")
        if self.unknown_actors:
            lines.append(f"Actors not in the registry ({len(self.unknown_actors)}), each in a colour of its own:")
            lines.extend(f"  {a}" for a in self.unknown_actors)
        if self.load is not None:
            lines.append(self.load.summary(max(limit, rejected)))
        if self.render is not None:
            r = self.render
            opens = (self.opens_at.astimezone(timezone.utc).strftime("%d %b %Y %H:%M UTC").lstrip("0")
                     if self.opens_at else "no claims")
            lines.append(
                f"Map: {self.output} ({r.bytes / 1e6:.2f} MB, {r.places:,} places, {r.steps:,} time steps, "
                f"opens at {opens}) in {self.seconds:.2f} s"
            )
            lines.extend(f"  {a}" for a in r.actions)
        if self.counts_path:
            lines.append(f"Counts: {self.counts_path} ({self.counts_rows:,} rows)")
        return "\n".join(x for x in lines if x)


class _Resolver:
    """Resolves claims to MapPlaces, with a cache per (name, hints) and per place id."""

    def __init__(self, gz):
        self.gz = gz
        self.places: dict = {}
        self.names: dict = defaultdict(Counter)  # key -> written names
        self._memo: dict = {}
        self._units: dict = {}
        self.codes: dict = {}  # place key -> ISO country code ("" unknown)
        self.warnings: dict = defaultdict(list)  # place key -> popup warnings
        self.from_row = 0  # claims drawn at their row's own coordinates or geometry

    # -- gazetteer helpers ------------------------------------------------
    def _unit(self, name: str, cc, kind: str, within=None):
        key = (name, cc, kind, within.id if within is not None else None)
        if key not in self._units:
            place = None
            try:
                res = self.gz.resolve(name, country=cc, kind=kind, within=within)
                if res.best is not None and res.status == "resolved" and res.best.place.is_admin_unit:
                    place = res.best.place
            except Exception as err:  # a hint that cannot be used is only a missing hint
                log.debug("admin hint %r not usable: %s", name, err)
            self._units[key] = place
        return self._units[key]

    def _country(self, value: str):
        if not value:
            return None
        try:
            return self.gz.country_code(value) or value
        except Exception:
            return value

    def _agrees(self, gp, unit) -> bool:
        """Whether a resolved place agrees with the row's admin unit (gazetteers without the
        check agree with everything)."""
        check = getattr(self.gz, "within_hint", None)
        return True if check is None or unit is None else bool(check(gp, unit))

    def place_for(self, gp) -> str:
        """MapPlace key for a gazetteer Place (drawn as unit, approximate area or point)."""
        if gp.id in self.places:
            return gp.id
        geom = None
        drawn = "point"
        radius = None
        note = ""
        if gp.is_admin_unit or gp.has_geometry:  # units, and regions drawn as the union of units
            try:
                geom = self.gz.geometry(gp) if gp.has_geometry else None
            except Exception as err:
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
        cc = self._country(claim.country)
        gp, problem = None, None
        if claim.place_id:
            try:
                gp = self.gz.get(claim.place_id)
            except Exception as err:
                problem = ("bad_place_id", (), (), f"place_id {claim.place_id!r} is not in the gazetteer ({err})")
        if gp is None:
            gp, name_problem, fallback, hint_notes = self._named(claim, cc)
            if problem is not None and gp is not None:
                how = ("drawn at the row's coordinates instead" if _row_geometry(claim) is not None else
                       f"placed by name instead ({', '.join(x for x in (gp.name, gp.admin1, gp.country_code) if x)})")
                problem = ("bad_place_id", (), (), f"place_id {claim.place_id!r} not in the gazetteer; {how}")
            elif problem is not None and name_problem is not None:
                problem = ("bad_place_id", name_problem[1], name_problem[2],
                           f"place_id {claim.place_id!r} not in the gazetteer, and the name {claim.place!r} is "
                           f"{name_problem[0].replace('_', ' ')}" + (f": {name_problem[3]}" if name_problem[3] else ""))
            problem = problem or name_problem
        else:
            fallback, hint_notes = None, ()
        key, unresolved = self._place_claim(claim, gp, problem, fallback)
        if key is not None and hint_notes and _row_geometry(claim) is None:  # row coordinates place it anyway
            for note in hint_notes:
                self.warn(key, note)
        return key, unresolved

    def _named(self, claim: Claim, cc):
        """The row's name resolved with its hints (memoised): (place, problem, fallback unit, notes)."""
        memo_key = (claim.place, cc, claim.admin1, claim.admin2, bool(_SCOPE_UNIT_RE.search(claim.scope or "")))
        if memo_key not in self._memo:
            self._memo[memo_key] = self._resolve_name(claim, cc)
        return self._memo[memo_key]

    def swapped(self, claim: Claim) -> Optional[str]:
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
        cc = self._country(claim.country)
        gp = None
        if not claim.place_id:
            gp = self._named(claim, cc)[0]
            if gp is not None and gp.lat is not None and haversine_km(lat, lon, gp.lat, gp.lon) <= LINK_MAX_KM:
                return None
        key = ("swap", claim.place, cc)
        if key not in self._memo:
            try:
                res = self.gz.resolve(claim.place, country=cc)
                found = [c.place for c in res.candidates if c.place.lat is not None and c.quality >= 0.75]
            except Exception as err:  # a name the gazetteer cannot take is no evidence either way
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
                         if problem and problem[0] == "bad_place_id" else None)
        if fallback is not None:
            key = self._fallback_place(claim, fallback, problem)
            return key, _unresolved(claim, problem, f"approximate area in {fallback.name}")
        return None, _unresolved(claim, problem or ("not_found", (), (), ""), "")

    def _resolve_name(self, claim: Claim, cc):
        """(place or None, problem or None, fallback unit or None, hint notes).

        The row's admin1/admin2 is a constraint, not only a preference: a place that matches
        only outside it is a namesake (``outside_hint``), drawn as an approximate area in the
        unit, never resolved silently.
        """
        within, notes = None, []
        if claim.admin1:
            within = self._unit(claim.admin1, cc, "admin1")
            if within is None:
                notes.append(f"The row's admin1 {claim.admin1!r} is not a unit the gazetteer knows, so the place "
                             "could not be checked against it.")
        if claim.admin2:
            unit2 = self._unit(claim.admin2, cc, "admin2", within)
            if unit2 is None and within is None and not claim.admin1:
                # (Second-level units are known only in part; with a usable admin1 the place is checked anyway.)
                notes.append(f"The row's admin2 {claim.admin2!r} is not a unit the gazetteer knows"
                             + (f" in {within.name}" if within is not None else "")
                             + ", so the place could not be checked against it.")
            within = unit2 or within
        if _SCOPE_UNIT_RE.search(claim.scope or ""):
            # "majority of districts", "entire province": the claim is about an admin unit, so
            # "Kunduz" means the province, not the city of the same name.
            try:
                unit = self.gz.resolve(claim.place, country=cc, kind="admin1")
            except Exception:
                unit = None
            if (unit is not None and unit.status == "resolved"
                    and unit.best.place.kind in ("admin1", "admin2", "country")
                    and self._agrees(unit.best.place, within)):
                return unit.best.place, None, None, tuple(notes)
        if within is not None and within.name.casefold() in claim.place.casefold():
            # "Kunduz province" with admin1 Kunduz is the hint unit itself, not a place inside it.
            own = self.gz.resolve(claim.place, country=cc)
            if own.status == "resolved" and own.best is not None and own.best.place.id == within.id:
                return within, None, None, tuple(notes)
        try:
            res = self.gz.resolve(claim.place, country=cc, within=within)
        except Exception as err:
            return None, ("not_found", (), (), str(err)), within, tuple(notes)
        cands = tuple(
            f"{c.place.name} ({c.place.id}, {c.place.kind}{', ' + c.place.admin1 if c.place.admin1 else ''})"
            for c in res.candidates[:5]
        )
        if res.status == "resolved" and res.best is not None:
            if self._agrees(res.best.place, within):
                return res.best.place, None, None, tuple(notes)
            # A gazetteer that resolved outside the hint anyway: still a namesake, not the place.
            p = res.best.place
            msg = (f"{claim.place!r} is not within {within.name}: the match, {p.name} "
                   f"({', '.join(x for x in (p.admin1, p.country_code) if x)}), lies outside it")
            return None, (OUTSIDE_HINT, tuple(res.suggestions), cands, msg), within, tuple(notes)
        ruled_out = getattr(self.gz, "outside_hint", None)
        if within is not None and ruled_out is not None and ruled_out(res, within) is not None:
            return None, (OUTSIDE_HINT, tuple(res.suggestions), cands, res.message), within, tuple(notes)
        return None, (res.status, tuple(res.suggestions), cands, res.message), within, tuple(notes)

    def _with_coordinates(self, claim, gp, override, problem):
        kind, payload = override
        if kind == "point" and gp is not None and not gp.is_admin_unit and gp.lat is not None:
            # The name is linked only to an entry near the row's coordinates: a namesake far away
            # (the row's province unknown, no country column) would lend the place its country.
            km = haversine_km(payload[0], payload[1], gp.lat, gp.lon)
            if km > LINK_MAX_KM:
                where = ", ".join(x for x in (gp.admin1, gp.country_code) if x)
                problem = problem or (NOT_LINKED, (gp.name,), (), f"{claim.place!r} is not linked to the gazetteer's "
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
                    country_code=(gp.country_code or "") if gp else (self._country(claim.country) or ""),
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
                             if problem and problem[0] == "bad_place_id" else None)
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
                    country_code=(gp.country_code or "") if gp else (self._country(claim.country) or ""),
                    gazetteer_id=linked, radius_m=radius, note=note,
                )
        self.names[key][claim.place] += 1
        if key not in self.codes:
            cc = (gp.country_code or "") if gp is not None else (self._country(claim.country) or "")
            self.codes[key] = cc if len(cc) == 2 else ""
        self.from_row += 1
        if gp is None or (problem and problem[0] == "bad_place_id"):
            return key, _unresolved(claim, problem or ("not_found", (), (), ""), "coordinates from the row")
        return key, None

    def _fallback_place(self, claim: Claim, unit, problem=None) -> str:
        key = f"in:{unit.id}:{claim.place.casefold()}"
        outside = problem is not None and problem[0] == OUTSIDE_HINT
        if key not in self.places:
            if outside:
                why = f"{problem[3]}. The row places it in {unit.name}"
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
            self.warn(key, f"Placed only approximately: {problem[3]}; drawn as an area in {unit.name}, "
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
            except Exception as err:
                log.debug("no districts for %s: %s", pk, err)
                kids = []
            if not kids:
                continue
            if pk not in self.places:
                try:
                    self.place_for(self.gz.get(pk))
                except Exception:
                    continue
            children[pk] = [self.place_for(c) for c in kids]
        return children


def _unresolved(claim, problem, mapped_as) -> UnresolvedClaim:
    status, suggestions, cands, message = problem
    return UnresolvedClaim(claim, status, tuple(suggestions), tuple(cands), mapped_as, message or "")


def _bbox_radius(bbox) -> float:
    """Half the larger side of a (lon, lat) bbox, in metres; a floor keeps it an area."""
    if not bbox:
        return 20_000.0
    min_lon, min_lat, max_lon, max_lat = bbox
    lat = math.radians((min_lat + max_lat) / 2)
    w = abs(max_lon - min_lon) * 111_320 * math.cos(lat)
    h = abs(max_lat - min_lat) * 110_540
    return max(MIN_APPROX_RADIUS, max(w, h) / 2)


def _precision_radius(claim: Claim) -> Optional[float]:
    fmt = (claim.origin.format or "").lower()
    p = claim.location_precision
    if p is None:
        return None
    if fmt.startswith("ucdp"):
        return UCDP_PRECISION_RADIUS.get(p)
    if fmt.startswith("acled"):
        return ACLED_PRECISION_RADIUS.get(p)
    return None


def _row_geometry(claim: Claim):
    """("point", (lat, lon)) or ("polygon", shapely geometry) from the row, else None."""
    if claim.geometry:
        try:
            from shapely.geometry import shape

            g = shape(claim.geometry)
        except Exception as err:
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


def _parse_when(value, *, end: bool = False, tz=None) -> Optional[datetime]:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _aware(value)
    from mapper.timespan import parse_time

    try:
        span = parse_time(str(value), tz=tz)
    except MapperError as err:
        raise MapperError(f"time {value!r} not understood: {err}") from err
    return _aware(span.latest if end else span.earliest)


def _window(value, default=DEFAULT_WINDOW) -> Optional[timedelta]:
    if value is None:
        return default
    if isinstance(value, timedelta):
        return value
    hours = float(value)
    if not hours > 0:
        raise MapperError(f"window must be a positive number of hours, got {value!r} (e.g. 72)")
    return timedelta(hours=hours)


def _hash_inputs(paths) -> tuple:
    files, digest = [], hashlib.sha256()
    for p in paths:
        name = str(p)
        if name == "-" or hasattr(p, "read"):
            files.append({"path": "<stdin>" if name == "-" else getattr(p, "name", "<stream>"), "sha256": None,
                          "note": "stream input, not hashed"})
            continue
        h = hashlib.sha256()
        size = 0
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
                size += len(chunk)
        files.append({"path": os.path.basename(name), "sha256": h.hexdigest(), "bytes": size})
        digest.update(h.digest())
    return files, digest.hexdigest()


#: Sources listed by name in the panel; the rest are counted (each claim's popup names its source).
MAX_LISTED_SOURCES = 100


def _sources(claims) -> list:
    c = Counter()
    for cl in claims:
        if cl.source:
            c[cl.source] += 1
    ranked = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))
    lines = [f"{name} ({n} claim{'s' if n != 1 else ''})" for name, n in ranked[:MAX_LISTED_SOURCES]]
    if len(ranked) > MAX_LISTED_SOURCES:
        rest = sum(n for _, n in ranked[MAX_LISTED_SOURCES:])
        lines.append(f"... and {len(ranked) - MAX_LISTED_SOURCES:,} more sources ({rest:,} claims); "
                     "each claim's popup names its source")
    return lines


def write_unresolved(unresolved: Sequence[UnresolvedClaim], path) -> int:
    """Write the unresolved-places report (one row per claim). Returns the number of rows."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(UNRESOLVED_COLUMNS)
        for u in unresolved:
            c = u.claim
            w.writerow([c.origin.path, c.origin.row if c.origin.row is not None else "", c.id, c.place, c.country,
                        c.admin1, c.admin2, c.place_id, u.status, u.mapped_as, "; ".join(u.suggestions),
                        "; ".join(u.candidates), u.message])
    return len(unresolved)


@dataclass(frozen=True)
class PreparedMap:
    """Claims read, resolved and turned into a timeline: what every renderer starts from.

    ``opens`` is the instant maps open at (``at`` or the latest claim start, clamped to
    ``t_from``/``t_to``); ``basemap`` holds ``(name, kind, geometry)`` outlines around the data.
    ``outliers`` and ``flagged`` are the doubts the report lists first (:mod:`mapper.trust`);
    the places concerned carry them in :attr:`MapPlace.warnings`.
    """

    claims: tuple
    load: object
    placed: tuple  # (Claim, place key)
    unresolved: tuple
    timeline: Timeline
    basemap: tuple
    attribution: tuple
    gazetteer_sources: tuple
    opens: Optional[datetime]
    t_from: Optional[datetime]
    t_to: Optional[datetime]
    window: Optional[timedelta]
    actors: Actors
    outliers: tuple = ()  # mapper.trust.Outlier: places that do not fit the rest of their file
    flagged: tuple = ()  # mapper.trust.FlaggedDraft: drafts the extractor flagged for review
    unknown_actors: tuple = ()  # mapper.trust.UnknownActor: actors not in the registry, with their colours
    from_row: int = 0  # claims drawn at their row's own coordinates or geometry


def prepare_map(
    claim_paths,
    *,
    gazetteer,
    at=None,
    t_from=None,
    t_to=None,
    window=None,
    actors: Union[Actors, str, os.PathLike, None] = None,
    strict: bool = False,
    tz=None,
    dispute_window=None,
    stale_after=None,
) -> PreparedMap:
    """Read claims, resolve their places and build the timeline (no output written).

    The one code path behind :func:`build_map`, the static map and the plain-language
    description, so all of them show the same places, states and credits.

    Raises
    ------
    ClaimsFileError, UnresolvedPlaces, MapperError
        Bad files (``strict``: the first bad row), unresolved places in ``strict`` mode,
        bad times or a ``t_from`` after ``t_to``.
    """
    from mapper.claims_io import read_claims

    if isinstance(claim_paths, (str, os.PathLike)) or hasattr(claim_paths, "read"):
        claim_paths = [claim_paths]
    claim_paths = list(claim_paths)
    if actors is None:
        actors = Actors.default()
    elif not isinstance(actors, Actors):
        actors = Actors.load(actors)
    win = _window(window)
    at_t, from_t, to_t = _parse_when(at, tz=tz), _parse_when(t_from, tz=tz), _parse_when(t_to, end=True, tz=tz)
    if from_t and to_t and from_t > to_t:
        raise MapperError(f"--from {t_from} is after --to {t_to}; give the earlier time first")

    claims, load = read_claims(claim_paths, tz=tz, strict=strict)
    resolver = _Resolver(gazetteer)
    placed, unresolved, swapped = [], [], []
    for claim in claims:
        why = resolver.swapped(claim)
        if why is not None:
            column = "geometry" if claim.geometry else "lat"
            if strict:
                raise ClaimsFileError(f"{os.path.basename(claim.origin.path) or claim.origin.path} row "
                                      f"{claim.origin.row}, column `{column}`: {why}",
                                      path=claim.origin.path, row=claim.origin.row, column=column)
            swapped.append((claim, column, why))
            continue
        key, problem = resolver.resolve(claim)
        if problem is not None:
            unresolved.append(problem)
        if key is not None:
            placed.append((claim, key))
    if swapped:
        claims, load = _reject_swapped(claims, load, swapped)
    if strict and unresolved:
        raise UnresolvedPlaces(
            f"{len(unresolved)} claim(s) with places not linked to the gazetteer (strict mode); first: {unresolved[0]}. "
            "Add country/admin1 columns or a place_id, or drop --strict to map the rest",
            unresolved=unresolved,
        )
    # Labels of towns follow the spelling of the claims; admin units keep the gazetteer name.
    for key, names in resolver.names.items():
        p = resolver.places[key]
        if p.kind not in ("admin1", "admin2", "admin3", "country") and names:
            written = names.most_common(1)[0][0]
            if written and written != p.name:
                from dataclasses import replace

                note = (p.note + " " if p.note else "") + (f"Gazetteer name: {p.name}." if p.gazetteer_id else "")
                resolver.places[key] = replace(p, name=written, note=note.strip())
    flagged = flagged_drafts(claims)
    for key, texts in draft_warnings(flagged, {id(c): k for c, k in placed}).items():
        for text in texts:
            resolver.warn(key, text)
    outliers = find_outliers(placed, resolver.places, resolver.codes, country_code=resolver._country)
    for o in outliers:
        resolver.warn(o.place_key, o.warning)
    if resolver.warnings:
        from dataclasses import replace

        for key, texts in resolver.warnings.items():
            if texts and key in resolver.places:
                resolver.places[key] = replace(resolver.places[key], warnings=tuple(texts))
    children = resolver.load_districts({k for _, k in placed})
    timeline = Timeline(placed, resolver.places, window=win, actors=actors, children=children,
                        dispute_window=_window(dispute_window, DEFAULT_DISPUTE_WINDOW), stale_after=stale_after)

    unknown = unknown_actors(timeline.entries, actors)

    bbox = _bbox(resolver.places[k] for k in {k for _, k in placed} | {c for v in children.values() for c in v})
    basemap = _basemap(gazetteer, bbox, {resolver.places[k].country for _, k in placed}) if bbox else []
    try:
        attribution = list(gazetteer.attribution())
        gz_sources = list(gazetteer.sources())
    except Exception as err:
        log.warning("gazetteer attribution unavailable: %s", err)
        attribution, gz_sources = [], []
    opens = at_t or timeline.default_time()
    if opens is not None and from_t and opens < from_t:
        opens = from_t
    if opens is not None and to_t and opens > to_t:
        opens = to_t
    return PreparedMap(
        claims=tuple(claims), load=load, placed=tuple(placed), unresolved=tuple(unresolved),
        timeline=timeline, basemap=tuple(basemap), attribution=tuple(attribution),
        gazetteer_sources=tuple(gz_sources), opens=opens, t_from=from_t, t_to=to_t, window=win, actors=actors,
        outliers=tuple(outliers), flagged=tuple(flagged), unknown_actors=tuple(unknown), from_row=resolver.from_row,
    )


def _reject_swapped(claims, load, swapped):
    """Claims and LoadReport with the swapped-coordinate rows moved from accepted to rejected."""
    from dataclasses import replace

    from mapper.claims_io import RowIssue

    gone = {id(c) for c, _, _ in swapped}
    per_file = Counter(c.origin.path for c, _, _ in swapped)
    files = tuple(replace(f, accepted=f.accepted - per_file[f.path], rejected=f.rejected + per_file[f.path])
                  if per_file.get(f.path) else f for f in load.files)
    issues = [RowIssue(c.origin.path, c.origin.row, column, why) for c, column, why in swapped]
    rejected = tuple(sorted((*load.rejected, *issues),
                            key=lambda i: (i.path, i.row if i.row is not None else -1)))
    return [c for c in claims if id(c) not in gone], replace(load, files=files, rejected=rejected)


def check_inputs_read(load, allow_empty: bool = False) -> None:
    """Raise :class:`ClaimsFileError` when no input file could be read at all (each one missing,
    empty, unreadable or of an unknown layout), unless ``allow_empty``: an empty map is then
    most likely a mistake, not a result."""
    files = tuple(getattr(load, "files", ()) or ())
    if allow_empty or not files or not all(f.error for f in files):
        return
    reasons = "; ".join(f"{f.path}: {f.error}" for f in files[:5]) + (
        f"; and {len(files) - 5} more" if len(files) > 5 else "")
    raise ClaimsFileError(f"no input could be read ({reasons}); nothing written. Pass --allow-empty to write "
                          "an empty map anyway", path=files[0].path)


def build_map(
    claim_paths,
    *,
    gazetteer,
    output,
    title: Optional[str] = None,
    at=None,
    t_from=None,
    t_to=None,
    view: str = "assessed",
    tiles: str = "none",
    window=None,
    actors: Union[Actors, str, os.PathLike, None] = None,
    strict: bool = False,
    overwrite: bool = False,
    export_counts=None,
    tz=None,
    budget: Optional[int] = None,
    embed: bool = False,
    dispute_window=None,
    stale_after=None,
    allow_empty: bool = False,
) -> MapResult:
    """Read claims, resolve their places, build the timeline and write the HTML map.

    Parameters
    ----------
    claim_paths
        One path or a list (CSV, JSON, JSON Lines, GeoJSON, ACLED, UCDP GED).
    gazetteer
        An opened :class:`gazetteer.Gazetteer`.
    output
        HTML file to write; ``<output>.unresolved.csv`` is written next to it
        when some places are not linked to the gazetteer.
    at, t_from, t_to
        Datetimes or time strings (``2021-07-07T18:00``): the instant the map
        opens at and the slider range.
    window
        Hours (or a timedelta) a claim stays current; default 72.
    actors
        :class:`~mapper.actors.Actors` or a path to an actors file.
    strict
        Raise on the first bad row (:class:`~mapper.errors.ClaimsFileError`)
        or when any place is unresolved (:class:`~mapper.errors.UnresolvedPlaces`),
        before anything is written.
    export_counts
        CSV path for :meth:`Timeline.export_counts` at the opening instant.
    allow_empty
        Write a map even when no input file could be read at all (by default that is a
        :class:`~mapper.errors.ClaimsFileError`, and nothing is written).
    embed
        Write the page in embed mode (:func:`mapper.render.embed.make_embeddable`: CSS scoped
        to the map, no full-page assumptions) with a plain-language description of the
        opening state in its metadata, for ``conflictmap embed``.

    Examples
    --------
    >>> result = build_map("claims.csv", gazetteer=gz, output="outputs/map.html")  # doctest: +SKIP
    >>> print(result.summary())                                                     # doctest: +SKIP
    """
    import time

    from mapper import __version__
    from mapper.render.html import DEFAULT_BUDGET, render_html

    t0 = time.perf_counter()
    output = Path(output)
    if output.exists() and not overwrite:
        raise OutputExists(f"{output} exists; pass --overwrite to replace it")
    if export_counts is not None and Path(export_counts).exists() and not overwrite:
        raise OutputExists(f"{export_counts} exists; pass --overwrite to replace it")
    sidecar = output.with_name(output.name + ".unresolved.csv")
    if sidecar.exists() and not overwrite:
        raise OutputExists(f"{sidecar} exists (an unresolved-places list); pass --overwrite to replace it")
    if isinstance(claim_paths, (str, os.PathLike)) or hasattr(claim_paths, "read"):
        claim_paths = [claim_paths]
    claim_paths = list(claim_paths)
    files, inputs_sha = _hash_inputs(claim_paths)
    prep = prepare_map(
        claim_paths, gazetteer=gazetteer, at=at, t_from=t_from, t_to=t_to, window=window, actors=actors,
        strict=strict, tz=tz, dispute_window=dispute_window, stale_after=stale_after,
    )
    check_inputs_read(prep.load, allow_empty)
    claims, load, placed, unresolved = prep.claims, prep.load, prep.placed, prep.unresolved
    timeline, win, actors, opens = prep.timeline, prep.window, prep.actors, prep.opens
    from_t, to_t = prep.t_from, prep.t_to
    basemap, attribution, gz_sources = list(prep.basemap), list(prep.attribution), list(prep.gazetteer_sources)
    metadata = {
        "tool": "conflictmap",
        "version": __version__,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "inputs": files,
        "inputs_sha256": inputs_sha,
        "gazetteer": gz_sources,
        "window_hours": win.total_seconds() / 3600 if win else None,
        "dispute_window_hours": timeline.dispute_window.total_seconds() / 3600 if timeline.dispute_window else None,
        "stale_after_hours": timeline.stale_after.total_seconds() / 3600 if timeline.stale_after else None,
        "rules": "mapper.timeline (see README, 'Timeline rules')",
        "claims": {"read": load.read, "accepted": load.accepted, "rejected": load.rejected_rows,
                   "mapped": len(placed), "unresolved": len(unresolved)},
        "actors": [a.to_dict() for a in actors],
        "view": view,
        "tiles": tiles,
    }
    _html, report = render_html(
        timeline, output, title=title, at=opens, t_from=from_t, t_to=to_t, view=view, tiles=tiles,
        basemap=basemap, attribution=attribution, sources=_sources(c for c, _ in placed), metadata=metadata,
        budget=budget or DEFAULT_BUDGET, overwrite=overwrite,
    )
    if embed:
        from mapper.render.embed import make_embeddable

        description = None
        try:
            from mapper.describe import describe

            description = describe(timeline, opens) if opens is not None else None
        except Exception as err:  # the page is still usable without its description
            log.warning("no description for the embed metadata: %s", err)
        page = make_embeddable(output.read_text(encoding="utf-8"), description=description)
        output.write_text(page, encoding="utf-8")
    unresolved_path = None
    if unresolved:
        write_unresolved(unresolved, sidecar)
        unresolved_path = sidecar
    elif sidecar.exists():
        sidecar.unlink()  # from an earlier run of the same map: it would now be wrong
    counts_path, counts_rows = None, 0
    if export_counts is not None and opens is not None:
        counts_path = Path(export_counts)
        counts_rows = timeline.export_counts(opens, counts_path)
    elif export_counts is not None:
        log.warning("no claims mapped: %s not written", export_counts)
    result = MapResult(
        output=output, load=load, claims=len(claims), mapped=len(placed),
        places=len({k for _, k in placed}), unresolved=tuple(unresolved), unresolved_path=unresolved_path,
        counts_path=counts_path, counts_rows=counts_rows, render=report, timeline=timeline, opens_at=opens,
        seconds=time.perf_counter() - t0, outliers=prep.outliers, flagged=prep.flagged,
        unknown_actors=prep.unknown_actors, from_row=prep.from_row,
    )
    return result


def _basemap(gazetteer, bbox, claimed_countries) -> list:
    """(name, kind, geometry) outlines around ``bbox``: countries, and provinces of the claimed countries.

    Clipped to a frame around the data (a neighbour's far side, China or Russia, would only add
    bytes); on continental or world maps only country outlines are kept.
    """
    from shapely.geometry import box

    w, h = bbox[2] - bbox[0], bbox[3] - bbox[1]
    claimed = set() if max(w, h) > REGIONAL_SPAN_DEG else set(claimed_countries)
    pad = max(6.0, 0.6 * max(w, h))  # room to pan before the outlines end
    frame = box(bbox[0] - pad, bbox[1] - pad, bbox[2] + pad, bbox[3] + pad)
    try:
        outlines = gazetteer.outlines(bbox, kinds=("country", "admin1"))
    except Exception as err:  # the map is still useful on a blank background
        log.warning("no basemap outlines from the gazetteer: %s", err)
        return []
    out = []
    for gp, geom in outlines:
        if geom is None or geom.is_empty or not (gp.kind == "country" or gp.country in claimed):
            continue
        if not frame.contains(geom):
            try:
                geom = geom.intersection(frame)
            except Exception as err:  # shapely GEOSException on an invalid outline: keep it whole
                log.debug("outline of %s not clipped: %s", gp.name, err)
        if not geom.is_empty:
            out.append((gp.name, gp.kind, geom))
    return out


def _bbox(places) -> Optional[tuple]:
    """Bounds of the places (lon/lat), padded by 15% or at least 1.5 degrees."""
    b = bounds_of(places)
    if b is None:
        return None
    pad = max(1.5, 0.15 * max(b[2] - b[0], b[3] - b[1]))
    return (b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad)


__all__ = ["build_map", "prepare_map", "check_inputs_read", "PreparedMap", "MapResult", "UnresolvedClaim", "write_unresolved", "UNRESOLVED_COLUMNS"]
