"""From claims to the state of each place over time, by explicit rules.

A claim is what one claimant said about one place at one time. The timeline
keeps every claim and derives, for any instant ``t``, what each claimant
says about each place and an overall *assessed* status. The parameters of
the rules (status tracks, change words, how current claims combine, labels,
age wording) are data, ``mapper/render/assets/rules.json``, read here and by
the page's script (``assets/assess.js``), and one table of golden cases
(``tests/data/timeline_golden.json``) is run against both.

Rules
-----
1. **Tracks.** ``controlled``, ``contested`` and ``not_controlled`` (a
   denial) are statements about *control*; ``attacked`` reports an
   *incident* and says nothing about who holds the place. An attack report
   never ends a control claim.
2. **Claimant.** Claims are grouped by claimant organisation: the channel is
   split off ("Defence Ministry on Telegram" and "Defence Ministry (via
   Facebook)" are the Defence Ministry) and case and spacing are ignored. A
   claim without a claimant counts as a claim by its source, else by
   "unattributed".
3. **Order.** Claims are ordered by their parsed time span (earliest, then
   latest instant), never by the text; ties keep input order.
4. **Persistence.** A control claim is current from the *earliest* instant
   of its span until a later claim about the same place *supersedes* it (or
   the end of its ``time_end`` span when the row gives one):

   * the same claimant's next control claim always supersedes it;
   * another claimant's later claim supersedes it when that claim *reports a
     change* (a change word of its status in ``status_raw``: "captured",
     "liberated", "recaptured", "withdrew", ...; every ``contested`` claim
     is news of fighting), says something different (status or actor), and
     does not fall within the *dispute window* (default 72 hours,
     ``--dispute-window``) of the older claim's latest instant; a denial
     ("withdrew") only ends claims about the actor it denies. Claims of
     different claimants that contradict each other within the window stay
     current side by side (disputed);
   * an incident (``attacked``) is current for the *incident window*
     (``--window``, default 72 hours) after its latest instant, or until its
     claimant's next incident report.

   Every entry records why it ended (:attr:`Entry.end_reason`,
   :attr:`Entry.superseded_by`). A month-precision claim ("2021-07") is
   current from 1 July; the map labels it with its precision.
5. **Assessment at t**, from the current control claims of the (selected)
   claimants, by the first matching line of ``rules.json`` ``combine``:

   * none: ``attacked`` if an incident is current, else ``unknown``;
   * two or more actors said to control it, or control by X and a denial of
     X (or a denial naming nobody), or whole control and fighting:
     ``disputed``;
   * a claim that X holds *part* of the place (its ``scope`` names a part:
     "city centre", "a majority of the districts", "6 of 7 districts"):
     ``partial``, labelled with the scope ("Taliban: majority of districts
     (partial control)"), never contested;
   * only fighting: ``contested``; only whole control by one actor (claims
     naming no actor are compatible with any): ``controlled``;
   * only denials: ``denied`` (shown as a denial, not as "no claim").

   Disagreement is shown, never resolved by "latest claim wins".
   **Age.** Each assessment carries ``last_reported``, the start of its most
   recent claim, and its age ("last reported 3 months ago"); with
   ``stale_after`` (``--stale-after``) older states are marked ``stale`` and
   drawn faded.
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
   place's state can change: claim starts, supersessions, ``time_end`` and
   incident-window ends, between ``--from`` and ``--to``.
"""

from __future__ import annotations

import bisect
import csv
import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from mapper import actors as _actors_module
from mapper import countries
from mapper.actors import Actors, normalise
from mapper.model import ATTACKED, CONTESTED, CONTROLLED, NOT_CONTROLLED, Claim

log = logging.getLogger(__name__)

#: The rule table shared with the page (see the module docstring).
RULES_PATH = Path(__file__).resolve().parent / "render" / "assets" / "rules.json"


@lru_cache(maxsize=1)
def _load_rules() -> str:
    return RULES_PATH.read_text(encoding="utf-8")


def load_rules() -> dict:
    """A fresh copy of the rule table (``rules.json``)."""
    return json.loads(_load_rules())


RULES = load_rules()

#: How long an incident (``attacked``) stays current after its latest instant (rule 4, ``--window``).
DEFAULT_WINDOW = timedelta(hours=RULES["incident_window_hours"])
DEFAULT_INCIDENT_WINDOW = DEFAULT_WINDOW
#: Claims of different claimants this close in time that contradict each other stay disputed (rule 4).
DEFAULT_DISPUTE_WINDOW = timedelta(hours=RULES["dispute_window_hours"])

#: Assessed statuses (rule 5). ``attacked`` = only incidents current, control unknown.
PARTIAL = "partial"
DISPUTED = "disputed"
DENIED = "denied"
UNKNOWN = "unknown"
ASSESSED_STATUSES = (CONTROLLED, PARTIAL, CONTESTED, DISPUTED, DENIED, ATTACKED, UNKNOWN)

CONTROL_TRACK = "control"
INCIDENT_TRACK = "incident"

#: Why an entry stopped being current (:attr:`Entry.end_reason`).
STANDING = "standing"
SAME_CLAIMANT = "same_claimant"
CHANGE = "change"
TIME_END = "time_end"
INCIDENT_WINDOW = "incident_window"

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
    n: int | None = None
    total: int | None = None
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
    lat: float | None = None
    lon: float | None = None
    parent_key: str = ""
    admin1: str = ""
    country: str = ""
    gazetteer_id: str = ""
    country_code: str = ""  # ISO alpha-2: the context for matching claimants and actors to sides
    radius_m: float | None = None
    note: str = ""
    geometry: object = field(default=None, compare=False, repr=False)
    warnings: tuple = ()




@dataclass(frozen=True)
class Entry:
    """A claim placed on the timeline (rule 4 gives ``start``/``end``).

    ``index`` is the entry's position in :attr:`Timeline.entries`;
    ``derived_from`` is the index of the province entry a district copy
    was made from (rule 6). ``end`` is None while the claim stands;
    ``end_reason`` says why it ended (``standing``, ``same_claimant``,
    ``change``, ``time_end``, ``incident_window``) and ``superseded_by``
    names the entry that ended it. ``natural_end`` is the end without any
    supersession (``time_end`` or the incident window), ``change`` whether
    the claim reports a change (rule 4), ``channel`` how the claimant
    spoke ("Telegram"), split off the claimant's name.
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
    end: datetime | None
    superseded_by: int | None = None
    derived_from: int | None = None
    partial: bool = False
    end_reason: str = STANDING
    natural_end: datetime | None = None
    change: bool = False
    channel: str = ""

    @property
    def status(self) -> str:
        """The claim's status as written (after synonym mapping)."""
        return self.claim.status

    @property
    def effective_status(self) -> str:
        """The status the assessment uses: ``partial`` for control of part of the place (rule 5)."""
        return PARTIAL if self.partial else self.claim.status

    @property
    def latest(self) -> datetime:
        """The latest instant of the claim's time span, timezone-aware."""
        return _aware(self.claim.time.latest)

    def current_at(self, t: datetime) -> bool:
        """True when the entry is current at ``t``: start <= t < end (no end: open)."""
        return self.start <= t and (self.end is None or t < self.end)


@dataclass(frozen=True)
class Assessment:
    """The assessed status of a place at an instant (rule 5).

    ``actor`` is set for ``controlled`` and ``partial`` (empty when no claim
    names one); ``actors`` lists the actors involved (contest sides,
    disputed claims, denied actors). ``entries`` are the indices of the
    current claims behind it, ``last_reported`` the start of the most recent
    of them, ``scope`` the part held (``partial``), ``stale`` whether it is
    older than the timeline's ``stale_after`` at the time asked.
    """

    status: str
    actor: str = ""
    actors: tuple = ()
    entries: tuple = ()
    reason: str = ""
    scope: str = ""
    last_reported: datetime | None = None
    age: timedelta | None = None
    stale: bool = False
    rules: dict | None = field(default=None, compare=False, repr=False)  # the table it was assessed by

    @property
    def label(self) -> str:
        """The status in words, e.g. "controlled by Taliban" (see :func:`status_label`)."""
        return status_label(self.status, self.actor, actors=self.actors, scope=self.scope, rules=self.rules)

    @property
    def short_label(self) -> str:
        """The short form of :attr:`label`, for legends and tight spaces."""
        return status_label(self.status, self.actor, actors=self.actors, scope=self.scope, short=True,
                            rules=self.rules)

    @property
    def age_label(self) -> str:
        """"last reported 3 months ago" ("" without a current claim)."""
        return age_label(self.age, self.rules) if self.age is not None else ""


def tidy_scope(text: str, rules: dict | None = None) -> str:
    """A scope as labels show it ("a majority of the districts" -> "majority of districts").

    >>> tidy_scope("a majority of the districts")
    'majority of districts'
    """
    out = " ".join((text or "").split())
    for pattern, repl in (rules or RULES)["scope_tidy"]:
        out = re.sub(pattern, repl, out, flags=re.I)
    return out.strip()


def status_label(status: str, actor: str = "", *, actors: Sequence[str] = (), scope: str = "",
                 short: bool = False, rules: dict | None = None) -> str:
    """Human wording of an assessed status (``rules.json`` ``labels``), used in counts, keys and exports.

    Examples
    --------
    >>> status_label("controlled", "Taliban")
    'controlled by Taliban'
    >>> status_label("attacked")
    'attacked (incident, control not claimed)'
    >>> status_label("partial", "Taliban", scope="a majority of the districts")
    'Taliban: majority of districts (partial control)'
    >>> status_label("denied", actors=("Taliban",))
    'denied: not held by Taliban'
    """
    rules = rules or RULES
    spec = rules["labels"].get(status)
    if spec is None:
        return status
    names = [actor] if actor else [a for a in actors if a]
    if status not in (CONTROLLED, PARTIAL, DENIED):
        names = []
    who = rules["actor_joiner"].join(names)
    key = "short" if short else "long"
    template = spec.get(key + "_no_actor", spec[key]) if not who else spec[key]
    return template.replace("{actor}", who).replace("{scope}", tidy_scope(scope, rules))


def age_label(age: timedelta, rules: dict | None = None) -> str:
    """How old the standing claim is, in the largest whole unit that counts at least two.

    Examples
    --------
    >>> age_label(timedelta(days=95))
    'last reported 3 months ago'
    >>> age_label(timedelta(days=10)), age_label(timedelta(hours=1, minutes=5)), age_label(timedelta(0))
    ('last reported 10 days ago', 'last reported 1 hour ago', 'last reported less than an hour ago')
    """
    spec = (rules or RULES)["age"]
    m = int(age.total_seconds() // 60)
    for unit, size in spec["units"]:
        n = m // size
        if n >= spec["min_count"] or (unit == spec["units"][-1][0] and n >= 1):
            return spec["template"].replace("{age}", f"{n} {unit}{'' if n == 1 else 's'}")
    return spec["under_an_hour"]


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[\W_]+", " ", (text or "").casefold()).split()) + " "


def reports_change(status: str, raw: str, rules: dict | None = None) -> bool:
    """Whether a claim reports a change of control (rule 4): a change word of its status in its wording.

    ``status`` is the effective status (``partial`` uses the words of ``controlled``).

    Examples
    --------
    >>> reports_change("controlled", "liberated"), reports_change("controlled", "holds")
    (True, False)
    >>> reports_change("not_controlled", "withdrew from"), reports_change("not_controlled", "denied")
    (True, False)
    >>> reports_change("contested", "")
    True
    """
    words = (rules or RULES)["change_words"].get(CONTROLLED if status == PARTIAL else status, ())
    if "*" in words:
        return True
    text = _words(raw)
    return any(f" {w} " in text for w in words)


def _supersedes(old: _Item, new: _Item, dispute: timedelta | None, rules: dict) -> bool:
    """Whether ``new`` (another claimant's later control claim) ends ``old`` (rule 4)."""
    if not new.change or new.start <= old.start:
        return False
    if dispute is not None and new.start - old.latest < dispute:
        return False
    if (new.status, new.actor) == (old.status, old.actor):
        return False
    if new.status in rules["supersede"]["positive"]:
        return True
    if new.status == NOT_CONTROLLED:
        # A withdrawal ends claims that someone holds or fights for the place: of the actor it names.
        return old.status != NOT_CONTROLLED and (not new.actor or not old.actor or new.actor == old.actor
                                                 or old.status == CONTESTED)
    return False


@dataclass(frozen=True)
class _Item:
    """What supersession needs of an entry."""

    index: int
    who: str
    track: str
    status: str
    actor: str
    start: datetime
    latest: datetime
    natural_end: datetime | None
    natural_reason: str
    change: bool


def supersede(items: Sequence[_Item], dispute: timedelta | None, rules: dict | None = None) -> dict:
    """End of each item of one place (rule 4): index -> (end, superseded_by, reason).

    ``items`` are the entries of one place (of the selected claimants only, when filtering).
    """
    rules = rules or RULES
    order = sorted(items, key=lambda i: (i.start, i.latest, i.index))
    out = {}
    for pos, it in enumerate(order):
        end, by, why = it.natural_end, None, it.natural_reason if it.natural_end is not None else STANDING
        for nxt in order[pos + 1:]:
            if end is not None and nxt.start >= end:
                break
            if nxt.track != it.track:
                continue
            if nxt.who == it.who:
                end, by, why = nxt.start, nxt.index, SAME_CLAIMANT
                break
            if it.track == CONTROL_TRACK and _supersedes(it, nxt, dispute, rules):
                end, by, why = nxt.start, nxt.index, CHANGE
                break
        out[it.index] = (end, by, why)
    return out


_PREDICATES = {
    "no_control": lambda f: not f["control"],
    "incident": lambda f: bool(f["incident"]),
    "two_holders": lambda f: len(f["held"]) >= 2,
    "holder_denied": lambda f: bool(f["positive"]) and bool(f["denied"]) and (
        "" in f["denied_actors"] or bool(set(f["held"]) & f["denied_actors"])),
    "whole": lambda f: bool(f["whole"]),
    "partial": lambda f: bool(f["partial"]),
    "contested": lambda f: bool(f["contested"]),
    "denied": lambda f: bool(f["denied"]),
}


def assess(current: Iterable, *, at: datetime | None = None, stale_after: timedelta | None = None,
           rules: dict | None = None) -> Assessment:
    """Combine the current claims of one place into an assessment (rule 5, ``rules.json`` ``combine``).

    ``current`` holds :class:`Entry` objects (as :meth:`Timeline.current`
    returns them). With ``at``, the assessment carries its age.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from mapper.model import Claim, TimeSpan
    >>> t = datetime(2021, 7, 6, tzinfo=timezone.utc)
    >>> def e(i, who, status, actor, scope=""):
    ...     c = Claim("Qala-e-Naw", TimeSpan(t, t, "day"), status, actor=actor, claimant=who, scope=scope)
    ...     track = "incident" if status == "attacked" else "control"
    ...     return Entry(i, c, "q", who, who.lower(), "", actor, track, t, None, partial=bool(scope))
    >>> assess([e(0, "Taliban", "controlled", "Taliban")]).label
    'controlled by Taliban'
    >>> assess([e(0, "Taliban", "controlled", "Taliban"),
    ...         e(1, "MoD", "controlled", "Government")]).status
    'disputed'
    >>> assess([e(0, "Taliban", "controlled", "Taliban"),
    ...         e(1, "MoD", "not_controlled", "Taliban")]).status
    'disputed'
    >>> assess([e(0, "MoD", "not_controlled", "Taliban")]).label
    'denied: not held by Taliban'
    >>> assess([e(0, "MP", "controlled", "Taliban", scope="a majority of the districts")]).label
    'Taliban: majority of districts (partial control)'
    >>> assess([e(0, "ACLED", "attacked", "Taliban")]).status
    'attacked'
    >>> assess([]).status
    'unknown'
    """
    rules = rules or RULES
    current = sorted(current, key=lambda e: e.index)
    control = [e for e in current if e.track == CONTROL_TRACK]
    by = defaultdict(list)
    for e in control:
        by[e.effective_status].append(e)
    positive = by[CONTROLLED] + by[PARTIAL]
    facts = {
        "control": control, "incident": [e for e in current if e.track == INCIDENT_TRACK],
        "whole": by[CONTROLLED], "partial": by[PARTIAL], "contested": by[CONTESTED], "denied": by[NOT_CONTROLLED],
        "positive": positive, "held": sorted({e.actor for e in positive if e.actor}),
        "denied_actors": {e.actor for e in by[NOT_CONTROLLED]},
    }
    for rule in rules["combine"]:
        if all(_PREDICATES[p](facts) for p in rule["if"]):
            break
    status = rule["then"]
    pick = rule["actors"]
    if pick == "holders":
        actors = tuple(facts["held"][:1])
    elif pick == "none":
        actors = ()
    else:
        actors = _actors_of(facts[pick])
    behind = facts[rule["claims"]] if rule["claims"] != "none" else []
    actor = actors[0] if status in (CONTROLLED, PARTIAL) and actors else ""
    scope = ""
    if status == PARTIAL:
        latest = max(facts["partial"], key=lambda e: (e.start, e.index))
        scope = latest.claim.scope
    last = max((e.start for e in behind), default=None)
    age = (_aware(at) - last) if (at is not None and last is not None) else None
    stale = bool(stale_after is not None and age is not None and age > stale_after)
    reason = _reason(behind) if behind else "no current claim"
    return Assessment(status, actor, actors, _ids(behind), reason, scope, last, age, stale,
                      None if rules is RULES else rules)


def split_claimant(text: str) -> tuple:
    """(organisation, channel) of a claimant, by :func:`mapper.actors.split_claimant` (the one owner).

    >>> split_claimant("Ukrainian Defence Ministry on Telegram"), split_claimant("Afghan Defense Ministry (Facebook)")
    (('Ukrainian Defence Ministry', 'Telegram'), ('Afghan Defense Ministry', 'Facebook'))
    """
    c = _actors_module.split_claimant(text)
    return c.organisation, c.channel


def _country_code(place: MapPlace | None, claim: Claim) -> str:
    """ISO alpha-2 of the place (or of the claim's country column when it is a code), "" if unknown."""
    for value in ((place.country_code, place.country) if place is not None else ()) + (claim.country,):
        if value and re.fullmatch(r"[A-Za-z]{2}", value.strip()):
            return value.strip().upper()
        code = countries.country_for_name(value or "")  # MapPlace.country holds the name
        if code:
            return code
    return ""


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




def _item(r: dict) -> _Item:
    return _Item(r["index"], r["claimant_key"], r["track"], PARTIAL if r["partial"] else r["claim"].status,
                 r["actor"], r["start"], _aware(r["claim"].time.latest), r["natural_end"], r["natural_reason"],
                 r["change"])


def _item_of(e: Entry) -> _Item:
    reason = e.end_reason if e.end_reason in (TIME_END, INCIDENT_WINDOW) else (
        (TIME_END if e.claim.time_end is not None else INCIDENT_WINDOW) if e.natural_end is not None else STANDING)
    return _Item(e.index, e.claimant_key, e.track, e.effective_status, e.actor, e.start, e.latest, e.natural_end,
                 reason, e.change)

class Timeline:
    """Every claim of every place, ordered, with the rules above applied.

    Parameters
    ----------
    claims
        ``(Claim, place_key)`` pairs; ``place_key`` must be a key of ``places``.
    places
        :class:`MapPlace` by key.
    window
        How long an incident (``attacked``) stays current after its latest
        instant (rule 4). ``None``: incidents never expire. Control claims
        do not expire; they stand until superseded.
    dispute_window
        Claims of different claimants closer than this that contradict each
        other stay disputed (rule 4). ``None``: any later change supersedes.
    stale_after
        Assessments whose most recent claim is older than this are ``stale``
        (drawn faded); ``None`` (default) never.
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
    ...                       actor="Taliban", claimant="Taliban spokesman"), "q")], {"q": q})
    >>> tl.state_at("q", t).label
    'controlled by Taliban'
    >>> st = tl.state_at("q", t + timedelta(days=100))   # still standing: nobody reported a change
    >>> st.label, st.age_label
    ('controlled by Taliban', 'last reported 3 months ago')
    """

    def __init__(
        self,
        claims: Sequence,
        places: Mapping[str, MapPlace],
        *,
        window: timedelta | None = DEFAULT_WINDOW,
        dispute_window: timedelta | None = DEFAULT_DISPUTE_WINDOW,
        stale_after: timedelta | None = None,
        actors: Actors | None = None,
        children: Mapping[str, Sequence[str]] | None = None,
        rules: dict | None = None,
    ):
        for name, value in (("window", window), ("dispute_window", dispute_window), ("stale_after", stale_after)):
            if value is not None and value <= timedelta(0):
                raise ValueError(f"{name} must be positive, got {value}; e.g. timedelta(hours=72)")
        self.window = window
        self.dispute_window = dispute_window
        self.stale_after = stale_after
        self.rules = rules or RULES
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
        self._filtered = {}

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
        by_place = defaultdict(list)
        for r in raw:
            by_place[r["place_key"]].append(_item(r))
        ends = {}
        for items in by_place.values():
            ends.update(supersede(items, self.dispute_window, self.rules))
        out = []
        for r in raw:
            end, by, why = ends[r["index"]]
            out.append(Entry(
                index=r["index"], claim=r["claim"], place_key=r["place_key"], claimant=r["claimant"],
                claimant_key=r["claimant_key"], side=r["side"], actor=r["actor"], track=r["track"],
                start=r["start"], end=end, superseded_by=by, derived_from=r["derived_from"], partial=r["partial"],
                end_reason=why, natural_end=r["natural_end"], change=r["change"], channel=r["channel"],
            ))
        return out

    def _raw(self, claim: Claim, key: str, derived_from) -> dict:
        written = " ".join((claim.claimant or claim.source or "unattributed").split())
        claimant, channel = split_claimant(written)
        cc = _country_code(self.places.get(key), claim)
        side = self.actors.match(claimant, country=cc)
        actor = self.actors.resolve(claim.actor, country=cc) if claim.actor else None
        start = _aware(claim.time.earliest)
        track = INCIDENT_TRACK if self.rules["tracks"].get(claim.status) == INCIDENT_TRACK else CONTROL_TRACK
        natural, reason = None, STANDING
        if claim.time_end is not None:
            natural, reason = _aware(claim.time_end.latest), TIME_END
        elif track == INCIDENT_TRACK and self.window is not None:
            natural, reason = _aware(claim.time.latest) + self.window, INCIDENT_WINDOW
        if natural is not None and natural <= start:
            natural = start + (self.window or timedelta(hours=1))
        partial = claim.status == CONTROLLED and scope_is_partial(claim.scope)
        status = PARTIAL if partial else claim.status
        return {
            "claim": claim, "place_key": key, "claimant": claimant, "channel": channel,
            "claimant_key": normalise(claimant) or claimant,
            "side": side.name if side else "", "actor": actor.name if actor else "", "track": track,
            "start": start, "natural_end": natural, "natural_reason": reason, "derived_from": derived_from,
            "partial": partial, "change": reports_change(status, claim.status_raw or claim.status, self.rules),
        }

    # -- queries ----------------------------------------------------------
    def claims_for(self, place_key: str) -> list:
        """Every entry about a place (own and derived), in time order."""
        return list(self._by_place.get(place_key, ()))

    def place_keys(self) -> list:
        """The keys of every place of the timeline, in the order they were given."""
        return list(self.places)

    def claimants(self) -> list:
        """(claimant, side) pairs in order of first appearance (organisations: channels split off)."""
        seen = {}
        for e in self.entries:
            seen.setdefault(e.claimant_key, (e.claimant, e.side))
        return list(seen.values())

    def _ends_for(self, place_key: str, keep: frozenset) -> dict:
        """Rule 4 again for one place with only some claimants' claims (the claimant filter)."""
        cache_key = (place_key, keep)
        ends = self._filtered.get(cache_key)
        if ends is None:
            items = [_item_of(e) for e in self._by_place.get(place_key, ()) if e.claimant_key in keep]
            ends = self._filtered[cache_key] = supersede(items, self.dispute_window, self.rules)
        return ends

    def current(self, place_key: str, t: datetime, claimants: Iterable[str] | None = None) -> list:
        """Entries current at ``t`` (rule 4), optionally only those of some claimants (names or keys).

        With a claimant filter, supersession is worked out among the kept claimants' claims only:
        a claim ended by a hidden claimant's report stands in a view without that claimant.
        """
        t = _aware(t)
        if claimants is None:
            return [e for e in self._by_place.get(place_key, ()) if e.current_at(t)]
        keep = frozenset(normalise(split_claimant(c)[0]) or c for c in claimants) | frozenset(
            normalise(c) or c for c in claimants)
        ends = self._ends_for(place_key, keep)
        out = []
        for e in self._by_place.get(place_key, ()):
            if e.claimant_key in keep and e.start <= t:
                end = ends[e.index][0]
                if end is None or t < end:
                    out.append(e)
        return out

    def claimant_status(self, place_key: str, t: datetime) -> dict:
        """Claimant -> {track: Entry} of what each claimant says at ``t``."""
        out = defaultdict(dict)
        for e in self.current(place_key, t):
            out[e.claimant][e.track] = e
        return dict(out)

    def state_at(self, place_key: str, t: datetime, claimants: Iterable[str] | None = None) -> Assessment:
        """The assessment of one place at ``t``, from the claims of ``claimants`` (all when None)."""
        return assess(self.current(place_key, t, claimants), at=t, stale_after=self.stale_after, rules=self.rules)

    def states_at(self, t: datetime, claimants: Iterable[str] | None = None) -> dict:
        """The assessment of every place at ``t`` (place key -> :class:`Assessment`)."""
        return {k: self.state_at(k, t, claimants) for k in self.places}

    def steps(self, t_from: datetime | None = None, t_to: datetime | None = None) -> list:
        """Instants where some state can change (rule 7), sorted, within [t_from, t_to]."""
        t_from = _aware(t_from) if t_from else None
        t_to = _aware(t_to) if t_to else None
        instants = set()
        for e in self.entries:
            instants.add(e.start)
            if e.end is not None:
                instants.add(e.end)
            if e.natural_end is not None:
                instants.add(e.natural_end)
        out = sorted(t for t in instants if (t_from is None or t >= t_from) and (t_to is None or t <= t_to))
        if t_from is not None and (not out or out[0] != t_from):
            out.insert(0, t_from)
        return out

    def default_time(self) -> datetime | None:
        """The latest claim start: the most recent moment at which every claim has been made."""
        return max((e.start for e in self.entries), default=None)

    def ended_because(self, entry: Entry) -> str:
        """Why an entry stopped being current, in words (rule 4)."""
        if entry.end_reason == STANDING:
            return "still standing (no later claim supersedes it)"
        if entry.end_reason == TIME_END:
            return "its stated end (time_end)"
        if entry.end_reason == INCIDENT_WINDOW:
            return "the incident window passed"
        by = self.entries[entry.superseded_by]
        if entry.end_reason == SAME_CLAIMANT:
            return f"superseded by the same claimant's later claim (entry {by.index})"
        return f"superseded by {by.claimant}'s later claim reporting a change (entry {by.index})"

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

    def _count_row(self, t, c: Count, key: str, e: Entry | None) -> list:
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


def bounds_of(places) -> tuple | None:
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
    "DEFAULT_WINDOW", "DEFAULT_INCIDENT_WINDOW", "DEFAULT_DISPUTE_WINDOW", "RULES", "load_rules", "ASSESSED_STATUSES",
    "PARTIAL", "DISPUTED", "DENIED", "UNKNOWN", "age_label", "reports_change", "split_claimant", "supersede", "tidy_scope", "MapPlace", "bounds_of", "Entry", "Assessment",
    "Count", "Scope", "Timeline", "assess", "parse_scope", "scope_is_partial", "status_label", "step_index", "COUNT_COLUMNS",
]
