"""Plain-language description of the map state at an instant.

The description is the text alternative of every map: the caption and
``<noscript>`` content of an embed, the alt text of a static image, and the
output of ``conflictmap describe``. It is built only from the timeline
(:mod:`mapper.timeline`): the same assessment the maps colour places by,
and the current claims behind it, each with its claimant, status, actor,
the word the source used and the claim's own time label. Nothing is
invented or summarised beyond those fields, and the same input always gives
the same text.

The map state itself (claims read, placed, turned into a timeline) is
:class:`mapper.state.MapState`; time labels come from :mod:`mapper.timelabels`.

Examples
--------
>>> from mapper.state import prepare_state                          # doctest: +SKIP
>>> state = prepare_state(["claims.csv"], gazetteer=gz)          # doctest: +SKIP
>>> print(describe(state.timeline, state.at).text)               # doctest: +SKIP
As of 7 Jul 2021, 07:30 UTC (12:00 at UTC+04:30): Qala-e-Naw (town or city, Badghis): disputed ...
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from mapper.model import ATTACKED, CONTESTED, CONTROLLED, NOT_CONTROLLED
from mapper.timelabels import as_of_label, claim_time_label, local_offset_minutes
from mapper.timeline import DENIED, DISPUTED, PARTIAL, UNKNOWN, Timeline, _aware

#: Order in which places are described: disagreement first, places without a current claim last.
STATUS_ORDER = {DISPUTED: 0, CONTESTED: 1, PARTIAL: 2, CONTROLLED: 3, DENIED: 4, ATTACKED: 5, UNKNOWN: 6}
#: Within a status: towns, then districts, provinces, countries (as the maps label them).
KIND_ORDER = {"populated_place": 0, "other": 1, "admin3": 2, "admin2": 3, "admin1": 4, "country": 5}
KIND_WORDS = {
    "country": "country",
    "admin1": "province",
    "admin2": "district",
    "admin3": "sub-district",
    "populated_place": "town or city",
    "other": "place",
}
#: The sentence that keeps readers from taking claims for facts.
CAVEAT = "Statuses summarise what the claimants say; they are not verified."


# ---------------------------------------------------------------------------- description
@dataclass(frozen=True)
class ClaimText:
    """One current claim, in words."""

    claimant: str
    text: str
    entry: int


@dataclass(frozen=True)
class PlaceDescription:
    """The assessed status of one place and the current claims behind it."""

    key: str
    name: str
    kind: str
    status: str
    actor: str
    label: str
    claims: tuple = ()
    omitted: int = 0
    age: str = ""
    stale: bool = False
    shown_name: str = ""

    @property
    def sentence(self) -> str:
        """One sentence: the place's status, the age of its latest report and the current claims."""
        name = self.shown_name or self.name
        head = f"{name}: {self.label}" + (f" ({self.age}{', an old report' if self.stale else ''})" if self.age else "")
        if not self.claims:
            return head + "."
        parts = "; ".join(f"{c.claimant}: {c.text}" for c in self.claims)
        more = (
            f"; and {self.omitted} more current claim{'s' if self.omitted != 1 else ''}"
            if self.omitted
            else ""
        )
        return f"{head} \u2014 {parts}{more}."


@dataclass(frozen=True)
class Description:
    """What the map shows at ``at``.

    ``text`` is the full description (caption, ``noscript``, ``describe``);
    ``short`` one or two sentences for alt text; ``places`` the parts.
    """

    at: datetime | None
    as_of: str
    text: str
    short: str
    places: tuple = ()
    counts: tuple = ()

    def to_dict(self) -> dict:
        """The description as a JSON-ready dict (``at`` as UTC ISO 8601, or None)."""
        return {
            "at": _aware(self.at).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            if self.at
            else None,
            "as_of": self.as_of,
            "text": self.text,
            "short": self.short,
            "places": [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "status": p.status,
                    "actor": p.actor,
                    "label": p.label,
                    "shown_name": p.shown_name or p.name,
                    "age": p.age,
                    "stale": p.stale,
                    "claims": [{"claimant": c.claimant, "text": c.text} for c in p.claims],
                    "omitted": p.omitted,
                }
                for p in self.places
            ],
            "counts": list(self.counts),
        }


def claim_phrase(entry, timeline: Timeline | None = None) -> str:
    """One current claim in words: status (with actor and scope), the source's word, its time.

    Examples
    --------
    >>> from mapper.model import Claim
    >>> from mapper.timeline import Entry
    >>> from mapper.timespan import parse_time
    >>> span = parse_time("2021-07-06 afternoon")
    >>> c = Claim("Qala-e-Naw", span, "controlled", actor="Taliban", claimant="MP", status_raw="captured")
    >>> claim_phrase(Entry(0, c, "q", "MP", "mp", "", "Taliban", "control", span.earliest, None))
    'controlled by Taliban ("captured", 6 Jul 2021, afternoon)'
    """
    c = entry.claim
    actor = entry.actor
    if c.status == CONTROLLED:
        what = f"controlled by {actor}" if actor else "controlled (no actor named)"
        if entry.partial:
            what = f"part controlled by {actor}" if actor else "part controlled"
    elif c.status == CONTESTED:
        what = "contested" + (f", involving {actor}" if actor else "")
    elif c.status == NOT_CONTROLLED:
        what = f"not controlled by {actor}" if actor else "not controlled (denial)"
    elif c.status == ATTACKED:
        what = "attack reported" + (f" ({actor})" if actor else "")
    else:
        what = c.status.replace("_", " ")
    extras = []
    raw = " ".join((c.status_raw or "").split())
    if (
        raw
        and raw.casefold() != c.status.casefold()
        and raw.casefold() != c.status.replace("_", " ").casefold()
    ):
        extras.append(f'"{raw}"')
    if c.scope:
        extras.append(f"scope: {' '.join(c.scope.split())}")
    extras.append(claim_time_label(c.time))
    if entry.derived_from is not None and timeline is not None:
        src = timeline.entries[entry.derived_from]
        extras.append(f"from the claim about {timeline.places[src.place_key].name}")
    return f"{what} ({', '.join(extras)})"


def _who(entry) -> str:
    """The claimant with the channel it spoke through: "Afghan Defense Ministry (Facebook)"."""
    return f"{entry.claimant} ({entry.channel})" if entry.channel else entry.claimant


_UNIT_WORDS = re.compile(
    r"\s+(oblast|province|provincia|region|governorate|wilayah|wilaya|vilayet|state|district|raion|rayon|county|"
    r"prefecture|department|municipality|krai|kray)$", re.I)


def _base_name(name: str) -> str:
    return _UNIT_WORDS.sub("", " ".join(name.split())).casefold()


def shown_names(places) -> dict:
    """Key -> name to show, telling a city and its same-named unit apart.

    "Kherson" (city) and "Kherson Oblast" (province) become "Kherson city" and
    "Kherson Oblast (province)"; names that are not shared stay as they are.

    Examples
    --------
    >>> from mapper.timeline import MapPlace
    >>> shown_names([MapPlace("c", "Kherson", "populated_place"), MapPlace("o", "Kherson Oblast", "admin1"),
    ...              MapPlace("m", "Mykolaiv", "populated_place")])
    {'c': 'Kherson city', 'o': 'Kherson Oblast (province)', 'm': 'Mykolaiv'}
    """
    places = list(places)
    bases = Counter(_base_name(p.name) for p in places)
    out = {}
    for p in places:
        if bases[_base_name(p.name)] < 2:
            out[p.key] = p.name
        elif p.kind == "populated_place":
            out[p.key] = f"{p.name} city"
        else:
            out[p.key] = f"{p.name} ({KIND_WORDS.get(p.kind, 'place')})"
    return out


def describe(
    timeline: Timeline,
    at: datetime | None = None,
    *,
    keys: Sequence[str] | None = None,
    offset_minutes: int | None = None,
    max_claims: int | None = None,
    claimants=None,
) -> Description:
    """Describe the assessed state of every place with claims at ``at`` (default: latest claim start).

    Parameters
    ----------
    timeline
        The :class:`~mapper.timeline.Timeline` the maps are drawn from.
    at
        Instant described; default :meth:`Timeline.default_time`, where the maps open.
    keys
        Places to describe (default: every place with claims).
    offset_minutes
        Local UTC offset shown next to UTC (default: that of most claims).
    max_claims
        Claims listed per place in ``text`` (the rest are counted); None lists all.
    claimants
        Only these claimants' claims (as the map's claimant filter).

    Examples
    --------
    >>> tl = Timeline([], {})
    >>> describe(tl).text
    'No claims are mapped.'
    """
    at = _aware(at) if at is not None else timeline.default_time()
    if at is None:
        return Description(None, "", "No claims are mapped.", "No claims are mapped.")
    offset = local_offset_minutes(timeline) if offset_minutes is None else offset_minutes
    as_of = as_of_label(at, offset)
    if keys is None:
        keys = [
            k
            for k in timeline.places
            if any(e.derived_from is None for e in timeline.claims_for(k))
        ]
    described, silent = [], []
    for key in keys:
        place = timeline.places[key]
        current = sorted(
            timeline.current(key, at, claimants),
            key=lambda e: (e.start, e.claim.time.latest, e.index),
        )
        st = timeline.state_at(key, at, claimants)
        if not current:
            silent.append(place.name)
            continue
        shown = current if max_claims is None else current[:max_claims]
        described.append(
            PlaceDescription(
                key=key,
                name=place.name,
                kind=place.kind,
                status=st.status,
                actor=st.actor,
                label=st.label,
                age=st.age_label,
                stale=st.stale,
                claims=tuple(
                    ClaimText(_who(e), claim_phrase(e, timeline), e.index) for e in shown
                ),
                omitted=len(current) - len(shown),
            )
        )
    names = shown_names(timeline.places[p.key] for p in described)
    described = [replace(p, shown_name=names[p.key]) for p in described]
    described.sort(
        key=lambda p: (
            STATUS_ORDER.get(p.status, 9),
            KIND_ORDER.get(p.kind, 9),
            p.name.casefold(),
            p.key,
        )
    )
    counts = tuple(c.text for c in timeline.rollups_at(at, claimants))

    sentences = [p.sentence for p in described]
    sentences += [c if c.endswith(".") else c + "." for c in counts]
    if silent:
        sentences.append(f"No current claim about {_join(sorted(silent, key=str.casefold))}.")
    if not described:
        body = "no claim is current for any mapped place."
        text = f"As of {as_of}: {body}" + (" " + " ".join(sentences) if sentences else "")
    else:
        text = f"As of {as_of}: " + " ".join(sentences) + " " + CAVEAT
    short = f"As of {as_of}: " + _short(described, silent)
    return Description(at, as_of, text, short, tuple(described), counts)


def _short(described, silent) -> str:
    groups: dict = {}
    for p in described:
        label = {DISPUTED: "disputed", UNKNOWN: ""}.get(p.status, p.label)
        groups.setdefault(label, []).append(p.shown_name or p.name)
    statuses = {p.label if p.status not in (DISPUTED, UNKNOWN) else "": p.status for p in described}
    parts = [
        (f"{_join(names)} \u2014 {label}" if statuses.get(label) in (PARTIAL, DENIED) else f"{_join(names)} {label}")
        if label else f"no current claim of control about {_join(names)}"
        for label, names in groups.items()
    ]
    if not parts:
        return "no claim is current for any mapped place."
    return "; ".join(parts) + " (per the claims mapped)."


def _join(names) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


__all__ = [
    "CAVEAT",
    "ClaimText",
    "Description",
    "PlaceDescription",
    "claim_phrase",
    "describe",
    "shown_names",
]
