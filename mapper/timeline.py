"""From claims to the state of each place over time, by explicit rules.

A claim is what one claimant said about one place at one time. The timeline
keeps every claim and derives, for any instant ``t``, what each claimant
says about each place and an overall *assessed* status. The rules below are
the whole logic; the HTML map applies the same rules in JavaScript
(``mapper/render/assets/conflictmap.js``, function ``assess``) so that the
claimant filter can recombine claims in the browser.

Rules
-----
1. **Tracks.** ``controlled``, ``contested`` and ``not_controlled`` (a
   denial) are statements about *control*; ``attacked`` reports an
   *incident* and says nothing about who holds the place. Each claimant has
   one control track and one incident track per place, so an attack report
   never replaces a claimant's control claim.
2. **Claimant.** Claims are grouped by claimant (case and spacing ignored).
   A claim without a claimant counts as a claim by its source (e.g.
   "ACLED"), else by "unattributed".
3. **Order.** Claims are ordered by their parsed time span (earliest, then
   latest instant), never by the text; ties keep input order.
4. **Current.** A claim is current from the *earliest* instant of its time
   span until the first of: (a) the next claim of the *same claimant* about
   the *same place* on the same track (supersession), (b) the end of its
   ``time_end`` span when the row gives one, otherwise the *latest* instant
   of its time span plus the window (default 72 hours, ``--window``). A
   month-precision claim ("2021-07") is therefore current from 1 July, and
   the map labels it with its precision so the reader sees it is coarse.
5. **Assessment at t**, from the current control claims of all (selected)
   claimants:

   * none: ``attacked`` if an incident is current, else ``unknown``;
   * two or more claimants say the place is controlled by *different*
     actors: ``disputed``;
   * someone says actor X controls it and another claimant denies that X
     controls it (``not_controlled`` naming X, or naming no actor):
     ``disputed``;
   * someone says it is controlled and another says it is contested:
     ``disputed`` (they disagree about whether control changed);
   * only ``contested`` claims: ``contested``;
   * only ``controlled`` claims naming the same actor X (claims that name no
     actor are compatible with any): ``controlled`` by X;
   * only denials: ``unknown`` (a denial says who does *not* hold a place,
     not who does).

   Disagreement is shown, never resolved by "latest claim wins": a claim by
   one side does not cancel the other side's claim; only the claimant's
   own later claim, or the window, does.
   **Partial control.** A ``controlled`` claim whose ``scope`` names only
   part of the place ("city centre", "provincial prison", "majority of
   districts", "6 of 7 districts") does not say the whole place is held: it
   counts as ``contested`` in the assessment (the claim keeps its own
   wording in popups and exports). Scopes that cover the whole place ("all
   districts", "entire province", "entire city", "7 of 7") do not.
6. **Admin hierarchy.** A claim about a province whose ``scope`` says "all
   districts" (also "every district", "entire/whole province") also applies
   to each of the province's districts when their polygons are loaded; the
   copies are marked as derived from the province claim and cite its row.
   A scope with counts ("6 of 7 districts", "six out of seven") is not
   spread to districts (we do not know which six) but is reported as that
   count. District states roll up into their province as shares ("Badghis:
   6 of 7 districts controlled by Taliban (per claims); 1 contested"). Towns
   and cities never recolour the unit they lie in.
7. **Time steps.** The slider steps through every instant at which some
   place's state can change: claim starts, supersessions and window
   expiries, between ``--from`` and ``--to``.
"""

from __future__ import annotations

import bisect
import csv
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

from mapper import countries
from mapper.actors import Actors, normalise
from mapper.model import ATTACKED, CONTESTED, CONTROLLED, NOT_CONTROLLED, Claim

log = logging.getLogger(__name__)

#: Default time a claim stays current after its latest instant (rule 4).
DEFAULT_WINDOW = timedelta(hours=72)

#: Assessed statuses (rule 5). ``attacked`` = only incidents current, control unknown.
DISPUTED = "disputed"
UNKNOWN = "unknown"
ASSESSED_STATUSES = (CONTROLLED, CONTESTED, DISPUTED, ATTACKED, UNKNOWN)

CONTROL_TRACK = "control"
INCIDENT_TRACK = "incident"

#: Place kinds that are admin units (drawn as polygons, roll up).
PROVINCE_KINDS = ("admin1",)
DISTRICT_KINDS = ("admin2",)

_WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUM = r"(\d+|" + "|".join(_WORD_NUMBERS) + r")"
_COUNT_RE = re.compile(_NUM + r"\s*(?:out\s+of|of|/)\s*" + _NUM + r"\b")
_ALL_RE = re.compile(r"\b(all|every|each)\b.*\bdistricts?\b|\b(entire|whole)\s+(province|region)\b|^all$")


@dataclass(frozen=True)
class Scope:
    """A parsed ``scope`` value: ``all`` districts, a ``count`` (n of total), or free ``text``."""

    kind: str  # "all" | "count" | "text" | "" (no scope)
    n: Optional[int] = None
    total: Optional[int] = None
    text: str = ""


_WHOLE_RE = re.compile(r"\b(all|entire|entirely|whole|every|each|complete|completely|full|fully)\b")


@lru_cache(maxsize=4096)
def scope_is_partial(text: str) -> bool:
    """True when a scope names only part of a place (rule 5, partial control).

    Examples
    --------
    >>> scope_is_partial("city centre"), scope_is_partial("6 of 7 districts"), scope_is_partial("")
    (True, True, False)
    >>> scope_is_partial("entire province and its capital"), scope_is_partial("7 of 7")
    (False, False)
    """
    sc = parse_scope(text)
    if sc.kind == "":
        return False
    if sc.kind == "count":
        return sc.n < sc.total
    if sc.kind == "all":
        return False
    return not _WHOLE_RE.search(normalise(sc.text))


@lru_cache(maxsize=4096)
def parse_scope(text: str) -> Scope:
    """Read a claim's scope.

    Examples
    --------
    >>> parse_scope("all districts").kind
    'all'
    >>> s = parse_scope("six out of seven districts"); (s.kind, s.n, s.total)
    ('count', 6, 7)
    >>> parse_scope("6/7").n
    6
    >>> parse_scope("a majority of districts").kind
    'text'
    >>> parse_scope("").kind
    ''
    """
    raw = " ".join((text or "").split())
    key = normalise(raw.replace("/", " of "))
    if not key:
        return Scope("")
    m = _COUNT_RE.search(key)
    if m:
        n, total = (int(g) if g.isdigit() else _WORD_NUMBERS[g] for g in m.groups())
        if 0 <= n <= total:
            return Scope("count", n, total, raw)
    if _ALL_RE.search(key):
        return Scope("all", text=raw)
    return Scope("text", text=raw)


@dataclass(frozen=True)
class MapPlace:
    """A place as the map knows it: identity, kind, how it is drawn, parent unit.

    ``key`` is the gazetteer id when resolved (``geonames:1131316``,
    ``admin1:AF-02``) or a synthetic key for coordinate-only places.
    ``drawn_as``: ``unit`` (its polygon), ``point`` (a marker at a known
    location), or ``approximate`` (an admin unit without a loaded polygon,
    or coordinates that are only a unit centroid: drawn as a dashed area,
    never as a crisp pin). ``geometry`` is a shapely geometry (lon, lat).
    ``warnings`` are doubts a reader must see in the popup (an outlier, a place outside
    its row's admin unit, a draft claim the extractor flagged), one sentence each.
    """

    key: str
    name: str
    kind: str
    drawn_as: str = "point"
    lat: Optional[float] = None
    lon: Optional[float] = None
    parent_key: str = ""
    admin1: str = ""
    country: str = ""
    gazetteer_id: str = ""
    radius_m: Optional[float] = None
    note: str = ""
    geometry: object = field(default=None, compare=False, repr=False)
    warnings: tuple = ()


@dataclass(frozen=True)
class Entry:
    """A claim placed on the timeline (rule 4 gives ``start``/``end``).

    ``index`` is the entry's position in :attr:`Timeline.entries`;
    ``derived_from`` is the index of the province entry a district copy
    was made from (rule 6). ``end`` is None when claims never expire.
    """

    index: int
    claim: Claim
    place_key: str
    claimant: str
    claimant_key: str
    side: str
    actor: str
    track: str
    start: datetime
    end: Optional[datetime]
    superseded_by: Optional[int] = None
    derived_from: Optional[int] = None
    partial: bool = False

    @property
    def status(self) -> str:
        """The claim's status as written (after synonym mapping)."""
        return self.claim.status

    @property
    def effective_status(self) -> str:
        """The status the assessment uses: partial control counts as contested (rule 5)."""
        return CONTESTED if self.partial else self.claim.status

    def current_at(self, t: datetime) -> bool:
        return self.start <= t and (self.end is None or t < self.end)


@dataclass(frozen=True)
class Assessment:
    """The assessed status of a place at an instant (rule 5).

    ``actor`` is set for ``controlled`` (empty when no claim names one);
    ``actors`` lists every actor involved (contest sides, disputed
    claims). ``entries`` are the indices of the current claims behind it.
    """

    status: str
    actor: str = ""
    actors: tuple = ()
    entries: tuple = ()
    reason: str = ""

    @property
    def label(self) -> str:
        return status_label(self.status, self.actor)


def status_label(status: str, actor: str = "") -> str:
    """Human wording of an assessed status, used in counts and exports.

    Examples
    --------
    >>> status_label("controlled", "Taliban")
    'controlled by Taliban'
    >>> status_label("attacked")
    'attacked (incident, control not claimed)'
    """
    if status == CONTROLLED:
        return f"controlled by {actor}" if actor else "controlled (actor not stated)"
    return {
        CONTESTED: "contested",
        DISPUTED: "disputed (claims disagree)",
        ATTACKED: "attacked (incident, control not claimed)",
        UNKNOWN: "no current claim",
    }.get(status, status)


@dataclass(frozen=True)
class _Say:
    """What one claimant currently says (input to :func:`assess`)."""

    claimant: str
    track: str
    status: str
    actor: str
    index: int


def assess(current: Iterable) -> Assessment:
    """Combine the current claims of one place into an assessment (rule 5).

    ``current`` holds :class:`Entry` objects (at most one per claimant and
    track, as :meth:`Timeline.current` returns them).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from mapper.model import Claim, TimeSpan
    >>> t = datetime(2021, 7, 6, tzinfo=timezone.utc)
    >>> def e(i, who, status, actor):
    ...     c = Claim("Qala-e-Naw", TimeSpan(t, t, "day"), status, actor=actor, claimant=who)
    ...     track = "incident" if status == "attacked" else "control"
    ...     return Entry(i, c, "q", who, who.lower(), "", actor, track, t, None)
    >>> assess([e(0, "Taliban", "controlled", "Taliban")]).label
    'controlled by Taliban'
    >>> assess([e(0, "Taliban", "controlled", "Taliban"),
    ...         e(1, "MoD", "controlled", "Government")]).status
    'disputed'
    >>> assess([e(0, "Taliban", "controlled", "Taliban"),
    ...         e(1, "MoD", "not_controlled", "Taliban")]).status
    'disputed'
    >>> assess([e(0, "MoD", "not_controlled", "Taliban")]).status
    'unknown'
    >>> assess([e(0, "ACLED", "attacked", "Taliban")]).status
    'attacked'
    >>> assess([]).status
    'unknown'
    """
    current = list(current)
    control = [e for e in current if e.track == CONTROL_TRACK]
    incidents = [e for e in current if e.track == INCIDENT_TRACK]
    if not control:
        if incidents:
            return Assessment(ATTACKED, "", _actors_of(incidents), _ids(incidents), _reason(incidents))
        return Assessment(UNKNOWN, reason="no current claim")
    positives = [e for e in control if e.effective_status == CONTROLLED]
    contested = [e for e in control if e.effective_status == CONTESTED]
    denials = [e for e in control if e.effective_status == NOT_CONTROLLED]
    held_by = sorted({e.actor for e in positives if e.actor})
    denied = {e.actor for e in denials}
    ids, reason = _ids(control), _reason(control)
    everyone = _actors_of(control)
    if len(held_by) >= 2:
        return Assessment(DISPUTED, "", everyone, ids, reason)
    if positives and denials and ("" in denied or set(held_by) & denied):
        return Assessment(DISPUTED, "", everyone, ids, reason)
    if positives and contested:
        return Assessment(DISPUTED, "", everyone, ids, reason)
    if contested:
        return Assessment(CONTESTED, "", _actors_of(contested), _ids(contested), reason)
    if positives:
        actor = held_by[0] if held_by else ""
        return Assessment(CONTROLLED, actor, (actor,) if actor else (), _ids(positives), reason)
    return Assessment(UNKNOWN, "", everyone, ids, reason)


def _ids(entries) -> tuple:
    return tuple(sorted(e.index for e in entries))


def _actors_of(entries) -> tuple:
    seen = []
    for e in sorted(entries, key=lambda e: e.index):
        if e.actor and e.actor not in seen:
            seen.append(e.actor)
    return tuple(seen)


def _reason(entries) -> str:
    parts = []
    for e in sorted(entries, key=lambda e: e.index):
        what = e.status.replace("_", " ")
        if e.partial:
            what += f" [part: {e.claim.scope}]"
        if e.actor:
            what += f" ({e.actor})"
        parts.append(f"{e.claimant}: {what}")
    return "; ".join(parts)


@dataclass(frozen=True)
class Count:
    """A citable number: ``n`` of ``total`` places of ``unit`` in ``category`` at a time.

    ``level`` is "districts" (roll-up of a province's districts), "scope
    claim" (a count stated in a claim's scope, e.g. "6 of 7 districts") or
    "all mapped places" / "mapped districts" etc. (totals). ``entries``
    are the claims behind the number, ``places`` the place keys counted.
    """

    unit: str
    unit_key: str
    level: str
    category: str
    n: int
    total: int
    places: tuple = ()
    entries: tuple = ()
    text: str = ""


class Timeline:
    """Every claim of every place, ordered, with the rules above applied.

    Parameters
    ----------
    claims
        ``(Claim, place_key)`` pairs; ``place_key`` must be a key of ``places``.
    places
        :class:`MapPlace` by key.
    window
        How long a claim stays current after its latest instant (rule 4).
        ``None`` means claims never expire (only supersession ends them).
    actors
        :class:`~mapper.actors.Actors` used to name actors and the sides
        claimants speak for; unknown actors are added to it.
    children
        Province key -> district keys loaded for it (rules 6 and roll-ups).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from mapper.model import Claim, TimeSpan
    >>> t = datetime(2021, 7, 6, 12, tzinfo=timezone.utc)
    >>> q = MapPlace("q", "Qala-e-Naw", "populated_place")
    >>> tl = Timeline([(Claim("Qala-e-Naw", TimeSpan(t, t, "hour"), "controlled",
    ...                       actor="insurgents", claimant="Taliban spokesman"), "q")], {"q": q})
    >>> tl.state_at("q", t).label
    'controlled by Taliban'
    >>> tl.state_at("q", t + timedelta(hours=73)).status   # window expired
    'unknown'
    """

    def __init__(
        self,
        claims: Sequence,
        places: Mapping[str, MapPlace],
        *,
        window: Optional[timedelta] = DEFAULT_WINDOW,
        actors: Optional[Actors] = None,
        children: Optional[Mapping[str, Sequence[str]]] = None,
    ):
        if window is not None and window <= timedelta(0):
            raise ValueError(f"window must be positive, got {window}; e.g. timedelta(hours=72)")
        self.window = window
        self.actors = actors if actors is not None else Actors.default()
        self.places = dict(places)
        self.children = {k: [c for c in v if c in self.places] for k, v in (children or {}).items()}
        for claim, key in claims:
            if key not in self.places:
                raise KeyError(f"claim about {claim.place!r} refers to place key {key!r}, which is not in places")
        self.entries = self._build(list(claims))
        self._by_place = defaultdict(list)
        for e in self.entries:
            self._by_place[e.place_key].append(e)
        for lst in self._by_place.values():
            lst.sort(key=lambda e: (e.start, e.claim.time.latest, e.index))

    # -- construction -------------------------------------------------
    def _build(self, claims: list) -> list:
        raw = []  # dicts, made frozen once supersession is known
        for claim, key in claims:
            raw.append(self._raw(claim, key, derived_from=None))
        # Rule 6: spread "all districts" province claims to loaded districts.
        for i in range(len(raw)):
            r = raw[i]
            place = self.places[r["place_key"]]
            if place.kind in PROVINCE_KINDS and parse_scope(r["claim"].scope).kind == "all":
                for child in self.children.get(place.key, ()):
                    raw.append(self._raw(r["claim"], child, derived_from=i))
        for i, r in enumerate(raw):
            r["index"] = i
        groups = defaultdict(list)
        for r in raw:
            groups[(r["place_key"], r["claimant_key"], r["track"])].append(r)
        for group in groups.values():
            group.sort(key=lambda r: (r["start"], r["claim"].time.latest, r["index"]))
            for cur, nxt in zip(group, group[1:] + [None]):
                natural = cur["natural_end"]
                if nxt is not None and (natural is None or nxt["start"] < natural):
                    cur["end"], cur["superseded_by"] = nxt["start"], nxt["index"]
                else:
                    cur["end"], cur["superseded_by"] = natural, None
        return [
            Entry(
                index=r["index"], claim=r["claim"], place_key=r["place_key"], claimant=r["claimant"],
                claimant_key=r["claimant_key"], side=r["side"], actor=r["actor"], track=r["track"],
                start=r["start"], end=r["end"], superseded_by=r["superseded_by"], derived_from=r["derived_from"],
                partial=r["claim"].status == CONTROLLED and scope_is_partial(r["claim"].scope),
            )
            for r in raw
        ]

    def _raw(self, claim: Claim, key: str, derived_from) -> dict:
        claimant = " ".join((claim.claimant or claim.source or "unattributed").split())
        place = self.places.get(key)
        cc = place.country if place is not None else ""
        cc = cc.upper() if len(cc) == 2 else countries.country_for_name(cc)  # MapPlace.country is a name
        side = self.actors.match(claimant, country=cc)
        actor = self.actors.resolve(claim.actor, country=cc) if claim.actor else None
        start = _aware(claim.time.earliest)
        if claim.time_end is not None:
            natural = _aware(claim.time_end.latest)
        elif self.window is None:
            natural = None
        else:
            natural = _aware(claim.time.latest) + self.window
        if natural is not None and natural <= start:
            natural = start + (self.window or timedelta(hours=1))
        return {
            "claim": claim, "place_key": key, "claimant": claimant, "claimant_key": normalise(claimant) or claimant,
            "side": side.name if side else "", "actor": actor.name if actor else "",
            "track": INCIDENT_TRACK if claim.status == ATTACKED else CONTROL_TRACK,
            "start": start, "natural_end": natural, "derived_from": derived_from,
        }

    # -- queries ----------------------------------------------------------
    def claims_for(self, place_key: str) -> list:
        """Every entry about a place (own and derived), in time order."""
        return list(self._by_place.get(place_key, ()))

    def place_keys(self) -> list:
        return list(self.places)

    def claimants(self) -> list:
        """(claimant, side) pairs in order of first appearance."""
        seen = {}
        for e in self.entries:
            seen.setdefault(e.claimant_key, (e.claimant, e.side))
        return list(seen.values())

    def current(self, place_key: str, t: datetime, claimants: Optional[Iterable[str]] = None) -> list:
        """Entries current at ``t`` (rule 4), optionally only those of some claimants (names or keys)."""
        t = _aware(t)
        keep = None if claimants is None else {normalise(c) or c for c in claimants}
        return [
            e
            for e in self._by_place.get(place_key, ())
            if e.current_at(t) and (keep is None or e.claimant_key in keep)
        ]

    def claimant_status(self, place_key: str, t: datetime) -> dict:
        """Claimant -> {track: Entry} of what each claimant says at ``t``."""
        out = defaultdict(dict)
        for e in self.current(place_key, t):
            out[e.claimant][e.track] = e
        return dict(out)

    def state_at(self, place_key: str, t: datetime, claimants: Optional[Iterable[str]] = None) -> Assessment:
        return assess(self.current(place_key, t, claimants))

    def states_at(self, t: datetime, claimants: Optional[Iterable[str]] = None) -> dict:
        return {k: self.state_at(k, t, claimants) for k in self.places}

    def steps(self, t_from: Optional[datetime] = None, t_to: Optional[datetime] = None) -> list:
        """Instants where some state can change (rule 7), sorted, within [t_from, t_to]."""
        t_from = _aware(t_from) if t_from else None
        t_to = _aware(t_to) if t_to else None
        instants = set()
        for e in self.entries:
            instants.add(e.start)
            if e.end is not None:
                instants.add(e.end)
        out = sorted(t for t in instants if (t_from is None or t >= t_from) and (t_to is None or t <= t_to))
        if t_from is not None and (not out or out[0] != t_from):
            out.insert(0, t_from)
        return out

    def default_time(self) -> Optional[datetime]:
        """The latest claim start: the most recent moment at which every claim has been made."""
        return max((e.start for e in self.entries), default=None)

    # -- counts -------------------------------------------------------------
    def rollups_at(self, t: datetime, claimants=None) -> list:
        """District shares of each province with loaded districts (rule 6)."""
        out = []
        for unit_key, kids in self.children.items():
            if not kids:
                continue
            unit = self.places.get(unit_key)
            name = unit.name if unit else unit_key
            states = {k: self.state_at(k, t, claimants) for k in kids}
            out.extend(_category_counts(name, unit_key, "districts", states, self))
        return out

    def counts_at(self, t: datetime, claimants=None) -> list:
        """Citable counts at ``t``: province roll-ups, scope claims, totals by kind.

        Every :class:`Count` carries the place keys and the entries behind it.
        """
        t = _aware(t)
        counts = self.rollups_at(t, claimants)
        # Scope claims with numbers, current at t ("6 of 7 districts").
        for key, place in self.places.items():
            for e in self.current(key, t, claimants):
                if e.derived_from is not None:
                    continue
                scope = parse_scope(e.claim.scope)
                if scope.kind == "count":
                    what = status_label(e.status, e.actor) if e.status == CONTROLLED else e.status.replace("_", " ")
                    text = f"{place.name}: {e.claimant} claims {scope.n} of {scope.total} districts {what}"
                    counts.append(Count(place.name, key, "scope claim", what, scope.n, scope.total,
                                        (key,), (e.index,), text))
        states = self.states_at(t, claimants)
        by_kind = defaultdict(dict)
        for key, st in states.items():
            if self._by_place.get(key):
                by_kind[_kind_group(self.places[key].kind)][key] = st
        for group in ("countries", "provinces", "districts", "towns and villages", "other places"):
            if by_kind.get(group):
                counts.extend(_category_counts(f"All mapped {group}", "", f"mapped {group}", by_kind[group], self))
        return counts

    def export_counts(self, t: datetime, path, claimants=None) -> int:
        """Write :meth:`counts_at` to CSV, one row per (count, place, claim). Returns rows written."""
        t = _aware(t)
        rows = 0
        path = Path(path)
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(COUNT_COLUMNS)
            for c in self.counts_at(t, claimants):
                for key in c.places or ("",):
                    entries = [self.entries[i] for i in c.entries if self.entries[i].place_key == key] or [None]
                    for e in entries:
                        w.writerow(self._count_row(t, c, key, e))
                        rows += 1
        return rows

    def _count_row(self, t, c: Count, key: str, e: Optional[Entry]) -> list:
        place = self.places.get(key)
        base = [_iso(t), c.unit, c.level, c.category, c.n, c.total, c.text,
                place.name if place else "", key]
        if e is None:
            return base + [""] * (len(COUNT_COLUMNS) - len(base))
        src = self.entries[e.derived_from] if e.derived_from is not None else e
        cl = e.claim
        return base + [
            cl.id, e.claimant, cl.status, cl.status_raw, e.actor, cl.time.text or _iso(cl.time.earliest),
            cl.place, cl.scope, cl.quote, cl.source, cl.url, cl.archive_url, cl.origin.path, cl.origin.row or "",
            ("yes: from the claim about " + self.places[src.place_key].name) if e.derived_from is not None else "",
        ]


COUNT_COLUMNS = [
    "as_of_utc", "unit", "level", "category", "count", "of", "count_text", "place", "place_key",
    "claim_id", "claimant", "status", "status_raw", "actor", "claim_time", "claim_place", "scope", "quote",
    "source", "url", "archive_url", "file", "row", "derived",
]


def _category_counts(unit: str, unit_key: str, level: str, states: Mapping, tl: Timeline) -> list:
    groups = defaultdict(list)
    for key, st in states.items():
        groups[st.label].append((key, st))
    total = len(states)
    noun = "districts" if level == "districts" else level.replace("mapped ", "")
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    summary = "; ".join(f"{len(v)} {label}" for label, v in ordered)
    out = []
    for label, members in ordered:
        keys = tuple(k for k, _ in sorted(members, key=lambda m: tl.places[m[0]].name))
        entries = tuple(sorted(i for _, st in members for i in st.entries))
        text = f"{unit}: {len(members)} of {total} {noun} {label}" + (" (per claims)" if "controlled" in label else "")
        out.append(Count(unit, unit_key, level, label, len(members), total, keys, entries,
                         text + (f" [{summary}]" if len(ordered) > 1 else "")))
    return out


def _kind_group(kind: str) -> str:
    if kind == "country":
        return "countries"
    if kind in PROVINCE_KINDS:
        return "provinces"
    if kind in DISTRICT_KINDS or kind == "admin3":
        return "districts"
    if kind == "populated_place":
        return "towns and villages"
    return "other places"


def _aware(t: datetime) -> datetime:
    """Datetimes without a zone are taken as UTC (TimeSpan promises aware datetimes)."""
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)


def _iso(t: datetime) -> str:
    return _aware(t).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def step_index(steps: Sequence[datetime], t: datetime) -> int:
    """Index of the last step at or before ``t`` (0 when ``t`` is before all steps)."""
    return max(0, bisect.bisect_right(list(steps), _aware(t)) - 1)


def summarize_statuses(states: Mapping[str, Assessment]) -> Counter:
    """Counter of assessment labels, e.g. for logs."""
    return Counter(st.label for st in states.values())


def bounds_of(places) -> Optional[tuple]:
    """(min_lon, min_lat, max_lon, max_lat) of places' geometries or points; None when none has either."""
    xs, ys = [], []
    for p in places:
        if p.geometry is not None and not p.geometry.is_empty:
            x0, y0, x1, y1 = p.geometry.bounds
            xs += [x0, x1]
            ys += [y0, y1]
        elif p.lat is not None and p.lon is not None:
            xs.append(p.lon)
            ys.append(p.lat)
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


__all__ = [
    "DEFAULT_WINDOW", "ASSESSED_STATUSES", "DISPUTED", "UNKNOWN", "MapPlace", "bounds_of", "Entry", "Assessment",
    "Count", "Scope", "Timeline", "assess", "parse_scope", "scope_is_partial", "status_label", "step_index", "COUNT_COLUMNS",
]
