"""Default map titles derived from the claims: the places most claimed and the dates covered.

One function for every map (the HTML page, the static image, the
description), so the same claims get the same title everywhere when the
user gives none: ``"Qala-e-Naw and Badghis: reported control, 6–10 July 2021"``.

Examples
--------
>>> from mapper.timeline import Timeline
>>> default_title(Timeline([], {}))
'Reported control'
>>> date_range(date(2021, 7, 6), date(2021, 7, 10))
'6–10 July 2021'
>>> date_range(date(2022, 10, 28), date(2022, 11, 11))
'28 October – 11 November 2022'
>>> date_range(date(2022, 12, 30), date(2023, 1, 2))
'30 December 2022 – 2 January 2023'
>>> place_list(["Kherson", "Mykolaiv", "Snihurivka", "Beryslav"])
'Kherson, Mykolaiv and 2 other places'
"""

from __future__ import annotations

from collections import Counter
from datetime import date

#: Used when there is nothing to name (no claims).
FALLBACK_TITLE = "Reported control"
#: Places named in a title; more are counted ("and 3 other places").
MAX_NAMED = 3
#: A longer place name is cut (with an ellipsis) so the title stays one or two lines.
MAX_NAME_CHARS = 40
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _day(d: date, *, month: bool = True, year: bool = True) -> str:
    out = str(d.day)
    if month:
        out += " " + MONTH_NAMES[d.month - 1]
    if year:
        out += f" {d.year}"
    return out


def date_range(first: date, last: date) -> str:
    """``6–10 July 2021``; the month and year are written once when shared (en dash between)."""
    if last < first:
        first, last = last, first
    if first == last:
        return _day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{_day(last)}"
    if first.year == last.year:
        return f"{_day(first, year=False)} – {_day(last)}"
    return f"{_day(first)} – {_day(last)}"


def place_list(names) -> str:
    """Up to :data:`MAX_NAMED` names joined with "and"; more are counted."""
    names = [n if len(n) <= MAX_NAME_CHARS else n[: MAX_NAME_CHARS - 1].rstrip() + "…" for n in names]
    if not names:
        return ""
    if len(names) <= MAX_NAMED:
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    shown = names[: MAX_NAMED - 1]
    rest = len(names) - len(shown)
    return ", ".join(shown) + f" and {rest} other places"


def default_title(timeline) -> str:
    """Title naming the places claimed most and the dates of the claims (local dates of the claims).

    Places are ordered by how many claims name them directly (ties: first
    claimed first); the same name twice (a city and its same-named province)
    is written once. Dates run from the first to the last claim's start, in
    the time zone each claim was written in. Without claims:
    :data:`FALLBACK_TITLE`.
    """
    direct = [e for e in timeline.entries if e.derived_from is None]
    if not direct:
        return FALLBACK_TITLE
    counts: Counter = Counter()
    first_seen: dict = {}
    for i, e in enumerate(direct):
        p = timeline.places.get(e.place_key)
        name = " ".join(str(p.name if p is not None else e.claim.place or "").split())
        if not name:
            continue
        key = name.casefold()
        counts[key] += 1
        first_seen.setdefault(key, (i, name))
    ordered = sorted(counts, key=lambda k: (-counts[k], first_seen[k][0]))
    names = place_list([first_seen[k][1] for k in ordered])
    days = [e.claim.time.earliest.date() for e in direct]
    when = date_range(min(days), max(days))
    return f"{names}: reported control, {when}" if names else f"Reported control, {when}"


__all__ = ["FALLBACK_TITLE", "date_range", "default_title", "place_list"]
