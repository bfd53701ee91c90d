"""The prepared map: claims read, placed and turned into a timeline, with everything renderers need.

:func:`prepare_state` is the one preparation path behind ``conflictmap map``, ``static``,
``describe``, ``export`` and the notebook :class:`~mapper.notebook.Map`, so all of them show the
same places, states and credits for the same claims and options. Steps:

1. :func:`mapper.claims.read_claims` reads every file (bad rows are rejected with reasons and
   row numbers, never dropped silently); rows whose coordinates look swapped are rejected too.
2. :class:`mapper.placing.ClaimPlacer` links each claim to a place (the row policy it shares with
   ``conflictmap geocode``); claims it cannot place are listed in :attr:`MapState.unresolved`.
3. Provinces with claims get their districts, so "all districts" claims spread and district
   shares roll up; doubtful places get their warnings (:mod:`mapper.trust`).
4. :class:`mapper.timeline.Timeline` applies the rules; basemap outlines and credits come from the
   gazetteer.

The options travel as one :class:`MapOptions` value.

Examples
--------
>>> state = prepare_state(["claims.csv"], gazetteer=gz, options=MapOptions(tz="Asia/Kabul"))  # doctest: +SKIP
>>> print(state.describe().text)                                                              # doctest: +SKIP
As of 7 Jul 2021, 07:30 UTC (12:00 at UTC+04:30): Qala-e-Naw (town or city, Badghis): disputed ...
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta

from mapper.actors import Actors
from mapper.claims import RowIssue, read_claims
from mapper.describe import Description, describe
from mapper.errors import ClaimsFileError, MapperError, UnresolvedPlaces
from mapper.placing import GAZETTEER_READ_ERRORS, ClaimPlacer
from mapper.render.titles import default_title
from mapper.timelabels import local_offset_minutes, parse_when, parse_window
from mapper.timeline import DEFAULT_DISPUTE_WINDOW, Timeline, _aware, bounds_of
from mapper.trust import draft_warnings, find_outliers, flagged_drafts, unknown_actors

log = logging.getLogger(__name__)

#: Default title, when none is given and the claims give none either.
DEFAULT_TITLE = "Reported control"
#: Above this extent (degrees) the basemap keeps country outlines only, no province lines.
REGIONAL_SPAN_DEG = 40.0
#: Sources listed by name in the credits; the rest are counted (each claim's popup names its source).
MAX_LISTED_SOURCES = 100


@dataclass(frozen=True)
class MapOptions:
    """How claims become a map state: the options every map command shares.

    ``at``, ``t_from``, ``t_to``: datetimes or time strings (``2021-07-07T18:00``), the instant maps
    open at and the slider range; ``window``/``dispute_window``: hours or timedeltas (default 72);
    ``stale_after``: a timedelta or None; ``actors``: :class:`~mapper.actors.Actors`, a path to an
    actors file, or None for the registry; ``strict``: raise on the first bad row or unresolved
    place; ``tz``: zone of times without one; ``title``: the map's title (default from the claims).

    Examples
    --------
    >>> MapOptions(at="2021-07-07T18:00", tz="Asia/Kabul").with_(window=24).window
    24
    """

    at: object = None
    t_from: object = None
    t_to: object = None
    window: object = None
    dispute_window: object = None
    stale_after: timedelta | None = None
    actors: Actors | str | os.PathLike | None = None
    strict: bool = False
    tz: object = None
    title: str | None = None

    def with_(self, **changes) -> MapOptions:
        """A copy with some options changed (unknown names are a TypeError)."""
        return replace(self, **changes)

    @classmethod
    def of(cls, options: MapOptions | None = None, **changes) -> MapOptions:
        """``options`` (or the defaults) with ``changes``: what functions taking both accept."""
        return replace(options or cls(), **changes) if changes else (options or cls())


#: Names of the :class:`MapOptions` fields (keyword arguments accepted beside ``options``).
OPTION_NAMES = tuple(f.name for f in fields(MapOptions))


@dataclass(frozen=True)
class MapState:
    """Everything a renderer needs to draw the claims: the timeline and its context.

    ``at`` is the instant maps open at (``at`` or the latest claim start, clamped to
    ``t_from``/``t_to``); ``keys`` the places drawn (places with claims and the districts of
    rolled-up provinces); ``basemap`` ``(name, kind, geometry)`` outlines; ``attribution`` the
    gazetteer's credit lines; ``sources`` the claim sources with counts.

    What the run found, for reports: ``claims`` read, ``placed`` ``(Claim, place key)`` pairs,
    ``unresolved`` (:class:`mapper.placing.UnresolvedClaim`), ``outliers`` and ``flagged``
    (:mod:`mapper.trust`; the places concerned carry them in their warnings), ``unknown_actors``,
    ``from_row`` (claims drawn at their row's own coordinates). ``gazetteer`` (optional) gives
    country outlines for the static map's locator inset.
    """

    timeline: Timeline
    at: datetime | None
    title: str = DEFAULT_TITLE
    keys: tuple = ()
    basemap: tuple = ()
    attribution: tuple = ()
    sources: tuple = ()
    t_from: datetime | None = None
    t_to: datetime | None = None
    load: object = field(default=None, compare=False, repr=False)  # mapper.claims.LoadReport
    unresolved: tuple = field(default=(), compare=False, repr=False)
    gazetteer: object = field(default=None, compare=False, repr=False)
    claims: tuple = field(default=(), compare=False, repr=False)
    placed: tuple = field(default=(), compare=False, repr=False)
    gazetteer_sources: tuple = field(default=(), compare=False, repr=False)
    actors: Actors | None = field(default=None, compare=False, repr=False)
    outliers: tuple = field(default=(), compare=False, repr=False)
    flagged: tuple = field(default=(), compare=False, repr=False)
    unknown_actors: tuple = field(default=(), compare=False, repr=False)
    from_row: int = 0
    options: MapOptions = field(default_factory=MapOptions, compare=False, repr=False)
    #: :class:`mapper.context.MapContext`: land, water and context labels around the claims (or None).
    context: object = field(default=None, compare=False, repr=False)

    @property
    def window(self) -> timedelta | None:
        """How long an incident stays current (the timeline's)."""
        return self.timeline.window

    @property
    def offset_minutes(self) -> int:
        """UTC offset (minutes) of most claims' times: the zone the maps show local time in."""
        return local_offset_minutes(self.timeline)

    def describe(self, at=None, **kwargs) -> Description:
        """:func:`mapper.describe.describe` of this state (at ``at``, default where maps open)."""
        return describe(self.timeline, at if at is not None else self.at, offset_minutes=self.offset_minutes, **kwargs)

    @classmethod
    def from_timeline(cls, timeline: Timeline, *, at=None, title=None, t_from=None, t_to=None, basemap=(),
                      attribution=(), sources=(), gazetteer=None) -> MapState:
        """A state for a timeline built by hand (tests, notebooks)."""
        return cls(
            timeline,
            _aware(at) if at else timeline.default_time(),
            map_title(title, timeline),
            drawn_keys(timeline),
            tuple(basemap),
            tuple(attribution),
            tuple(sources) or tuple(source_lines(e.claim.source for e in timeline.entries if e.derived_from is None)),
            _aware(t_from) if t_from else None,
            _aware(t_to) if t_to else None,
            gazetteer=gazetteer,
        )


def map_title(title, timeline: Timeline | None = None) -> str:
    """The title given, else one from the claims' places and dates (every renderer's default)."""
    title = (title or "").strip()
    if title or timeline is None:
        return title or DEFAULT_TITLE
    return default_title(timeline)


def drawn_keys(timeline: Timeline) -> tuple:
    """Places the maps draw: every place with a claim, then the districts of rolled-up provinces."""
    keys = [k for k in timeline.places if timeline.claims_for(k)]
    extra = [c for kids in timeline.children.values() for c in kids]
    seen: set = set()
    return tuple(k for k in keys + extra if not (k in seen or seen.add(k)))


def source_lines(sources) -> list:
    """``"Name (n claims)"`` per claim source, most claims first; beyond :data:`MAX_LISTED_SOURCES` counted."""
    c = Counter(s for s in sources if s)
    ranked = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))
    lines = [f"{name} ({n} claim{'s' if n != 1 else ''})" for name, n in ranked[:MAX_LISTED_SOURCES]]
    if len(ranked) > MAX_LISTED_SOURCES:
        rest = sum(n for _, n in ranked[MAX_LISTED_SOURCES:])
        lines.append(f"... and {len(ranked) - MAX_LISTED_SOURCES:,} more sources ({rest:,} claims); "
                     "each claim's popup names its source")
    return lines


def prepare_state(claim_paths, *, gazetteer, options: MapOptions | None = None, **option_fields) -> MapState:
    """Read claims, place them and build the timeline (no output written).

    Parameters
    ----------
    claim_paths
        One path (``-`` for stdin) or file object, or a list (CSV, JSON, JSON Lines, GeoJSON, ACLED, UCDP GED).
    gazetteer
        An opened :class:`gazetteer.Gazetteer`.
    options
        A :class:`MapOptions`; keyword arguments named like its fields change single options.

    Raises
    ------
    ClaimsFileError, UnresolvedPlaces, MapperError
        Bad files (``strict``: the first bad row), unresolved places in ``strict`` mode,
        bad times or a ``t_from`` after ``t_to``.
    """
    opts = MapOptions.of(options, **option_fields)
    if isinstance(claim_paths, (str, os.PathLike)) or hasattr(claim_paths, "read"):
        claim_paths = [claim_paths]
    claim_paths = list(claim_paths)
    actors = opts.actors
    if actors is None:
        actors = Actors.default()
    elif not isinstance(actors, Actors):
        actors = Actors.load(actors)
    win = parse_window(opts.window)
    tz = opts.tz
    at_t, from_t, to_t = parse_when(opts.at, tz=tz), parse_when(opts.t_from, tz=tz), parse_when(opts.t_to, end=True, tz=tz)
    if from_t and to_t and from_t > to_t:
        raise MapperError(f"--from {opts.t_from} is after --to {opts.t_to}; give the earlier time first")

    claims, load = read_claims(claim_paths, tz=tz, strict=opts.strict)
    placer = ClaimPlacer(gazetteer)
    placed, unresolved, swapped = [], [], []
    for claim in claims:
        why = placer.swapped(claim)
        if why is not None:
            column = "geometry" if claim.geometry else "lat"
            if opts.strict:
                raise ClaimsFileError(f"{os.path.basename(claim.origin.path) or claim.origin.path} row "
                                      f"{claim.origin.row}, column `{column}`: {why}",
                                      path=claim.origin.path, row=claim.origin.row, column=column)
            swapped.append(_Swapped(claim, column, why))
            continue
        key, problem = placer.resolve(claim)
        if problem is not None:
            unresolved.append(problem)
        if key is not None:
            placed.append((claim, key))
    if swapped:
        claims, load = _reject_swapped(claims, load, swapped)
    if opts.strict and unresolved:
        raise UnresolvedPlaces(
            f"{len(unresolved)} claim(s) with places not linked to the gazetteer (strict mode); first: {unresolved[0]}. "
            "Add country/admin1 columns or a place_id, or drop --strict to map the rest",
            unresolved=unresolved,
        )
    # Labels of towns follow the spelling of the claims; admin units keep the gazetteer name.
    for key, names in placer.names.items():
        p = placer.places[key]
        if p.kind not in ("admin1", "admin2", "admin3", "country") and names:
            written = names.most_common(1)[0][0]
            if written and written != p.name:
                note = (p.note + " " if p.note else "") + (f"Gazetteer name: {p.name}." if p.gazetteer_id else "")
                placer.places[key] = replace(p, name=written, note=note.strip())
    flagged = flagged_drafts(claims)
    for key, texts in draft_warnings(flagged, {id(c): k for c, k in placed}).items():
        for text in texts:
            placer.warn(key, text)
    outliers = find_outliers(placed, placer.places, placer.codes, country_code=placer.country)
    for o in outliers:
        placer.warn(o.place_key, o.warning)
    for key, texts in placer.warnings.items():
        if texts and key in placer.places:
            placer.places[key] = replace(placer.places[key], warnings=tuple(texts))
    children = placer.load_districts({k for _, k in placed})
    timeline = Timeline(placed, placer.places, window=win, actors=actors, children=children,
                        dispute_window=parse_window(opts.dispute_window, DEFAULT_DISPUTE_WINDOW),
                        stale_after=opts.stale_after)
    unknown = unknown_actors(timeline.entries, actors)

    bbox = _bbox(placer.places[k] for k in {k for _, k in placed} | {c for v in children.values() for c in v})
    basemap = _basemap(gazetteer, bbox, {placer.places[k].country for _, k in placed}) if bbox else []
    context = _context(gazetteer, bbox, basemap, [placer.places[k] for k in drawn_keys(timeline)]) if bbox else None
    try:
        attribution = tuple(gazetteer.attribution())
        gz_sources = tuple(gazetteer.sources())
    except (*GAZETTEER_READ_ERRORS, json.JSONDecodeError) as err:  # credits missing, the map still drawn
        log.warning("gazetteer attribution unavailable: %s", err)
        attribution, gz_sources = (), ()
    opens = at_t or timeline.default_time()
    if opens is not None and from_t and opens < from_t:
        opens = from_t
    if opens is not None and to_t and opens > to_t:
        opens = to_t
    return MapState(
        timeline=timeline, at=opens, title=map_title(opts.title, timeline), keys=drawn_keys(timeline),
        basemap=tuple(basemap), attribution=attribution, sources=tuple(source_lines(c.source for c, _ in placed)),
        t_from=from_t, t_to=to_t, load=load, unresolved=tuple(unresolved), gazetteer=gazetteer,
        claims=tuple(claims), placed=tuple(placed), gazetteer_sources=gz_sources, actors=actors,
        outliers=tuple(outliers), flagged=tuple(flagged), unknown_actors=tuple(unknown), from_row=placer.from_row,
        options=opts, context=context,
    )


@dataclass(frozen=True)
class _Swapped:
    """A row rejected because its coordinates look swapped: the claim, the column, why."""

    claim: object
    column: str
    why: str


def _reject_swapped(claims, load, swapped):
    """Claims and LoadReport with the swapped-coordinate rows moved from accepted to rejected."""
    gone = {id(s.claim) for s in swapped}
    per_file = Counter(s.claim.origin.path for s in swapped)
    files = tuple(replace(f, accepted=f.accepted - per_file[f.path], rejected=f.rejected + per_file[f.path])
                  if per_file.get(f.path) else f for f in load.files)
    issues = [RowIssue(s.claim.origin.path, s.claim.origin.row, s.column, s.why) for s in swapped]
    rejected = tuple(sorted((*load.rejected, *issues),
                            key=lambda i: (i.path, i.row if i.row is not None else -1)))
    return [c for c in claims if id(c) not in gone], replace(load, files=files, rejected=rejected)


def _basemap(gazetteer, bbox, claimed_countries) -> list:
    """(name, kind, geometry) outlines around ``bbox``: countries, and provinces of the claimed countries.

    Clipped to a frame around the data (a neighbour's far side, China or Russia, would only add
    bytes); on continental or world maps only country outlines are kept.
    """
    from shapely.errors import ShapelyError
    from shapely.geometry import box

    w, h = bbox[2] - bbox[0], bbox[3] - bbox[1]
    claimed = set() if max(w, h) > REGIONAL_SPAN_DEG else set(claimed_countries)
    frame_bbox = _frame(bbox)
    frame = box(*frame_bbox)
    try:
        # Every country of the frame (neighbours are named and filled as land); provinces near the claims.
        outlines = gazetteer.outlines(frame_bbox, kinds=("country",)) + gazetteer.outlines(bbox, kinds=("admin1",))
    except (*GAZETTEER_READ_ERRORS, ShapelyError) as err:  # the map is still useful on a blank background
        log.warning("no basemap outlines from the gazetteer: %s", err)
        return []
    out = []
    for gp, geom in outlines:
        if geom is None or geom.is_empty or not (gp.kind == "country" or gp.country in claimed):
            continue
        if not frame.contains(geom):
            try:
                geom = geom.intersection(frame)
            except ShapelyError as err:  # GEOSException on an invalid outline: keep it whole
                log.debug("outline of %s not clipped: %s", gp.name, err)
        if not geom.is_empty:
            out.append((gp.name, gp.kind, geom))
    return out


def _frame(bbox) -> tuple:
    """The basemap's frame around the claims' ``bbox``: room to pan before the outlines end."""
    w, h = bbox[2] - bbox[0], bbox[3] - bbox[1]
    pad = max(6.0, 0.6 * max(w, h))
    return (max(-180.0, bbox[0] - pad), max(-85.0, bbox[1] - pad), min(180.0, bbox[2] + pad), min(85.0, bbox[3] + pad))


def _context(gazetteer, bbox, basemap, places):
    """The locator context (:func:`mapper.context.build_context`) for the frame around ``bbox``, or None."""
    from shapely.errors import ShapelyError

    from mapper.context import build_context

    try:
        return build_context(gazetteer, _frame(bbox), basemap, places, near=bbox)
    except (OSError, ValueError, ShapelyError) as err:  # the map is still drawn, without context
        log.warning("no basemap context: %s", err)
        return None


def _bbox(places) -> tuple | None:
    """Bounds of the places (lon/lat), padded by 15% or at least 1.5 degrees."""
    b = bounds_of(places)
    if b is None:
        return None
    pad = max(1.5, 0.15 * max(b[2] - b[0], b[3] - b[1]))
    return (b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad)


__all__ = ["DEFAULT_TITLE", "MAX_LISTED_SOURCES", "OPTION_NAMES", "MapOptions", "MapState", "drawn_keys",
           "map_title", "prepare_state", "source_lines"]
