"""Row -> place: the one policy for a table row's place name and its admin hints.

``conflictmap geocode`` (:mod:`gazetteer.table`) and ``conflictmap map`` (:mod:`mapper.placing`)
both place a row through :class:`RowPlacer`, so the same row lands in the same place:

1. The row's ``admin1`` (and ``admin2``, looked up inside that admin1) are *constraints*: a hint is
   used when it resolves (status ``resolved``) to an admin unit; a hint that does not is recorded
   as an :class:`IgnoredHint`, never dropped silently.
2. A claim about an admin unit (``unit_scope``: "all districts", "entire province") means the unit,
   not a town of the same name, when the unit agrees with the hints.
3. A name that contains its hint unit's name and resolves to that unit ("Kunduz province" with
   admin1 Kunduz) is the unit itself.
4. Otherwise the name is resolved inside the finest hint unit. Only a ``resolved`` match that
   agrees with the unit (:meth:`gazetteer.Gazetteer.within_hint`) places the row; an ambiguous
   name is not placed on a guess.
5. A name that matches only outside the unit is a namesake (``outside_hint``). Every row not placed
   by name falls back to the finest hint unit, when there is one: :attr:`RowPlacement.fallback`.

Examples
--------
>>> placer = RowPlacer(gz)                                                      # doctest: +SKIP
>>> p = placer.place("Muqur", country="AF", admin1="Badghis")                   # doctest: +SKIP
>>> p.place, p.unresolved.status, p.fallback.name                              # doctest: +SKIP
(None, 'outside_hint', 'Badghis')
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from gazetteer.errors import GazetteerError
from gazetteer.model import Place, Resolution

log = logging.getLogger(__name__)

#: :attr:`Unresolved.status` of a name that matches a place only outside the row's admin unit.
OUTSIDE_HINT = "outside_hint"
#: Kinds a unit-scoped claim may name (rule 2).
_UNIT_KINDS = ("admin1", "admin2", "country")
#: A scope that says the claim is about an admin unit ("6 of 7 districts", "entire province").
SCOPE_UNIT_RE = re.compile(r"\b(districts?|provinces?|province-wide|region)\b", re.I)


@dataclass(frozen=True)
class Unresolved:
    """Why a row's name is not linked to one gazetteer entry.

    ``status``: ``not_found``, ``ambiguous``, ``outside_hint`` (see :data:`OUTSIDE_HINT`), or a
    caller's own (``bad_place_id``, ``not_linked`` in :mod:`mapper.placing`); ``suggestions``
    close names; ``candidates`` the matches in words; ``message`` the reason in a sentence.
    """

    status: str
    suggestions: tuple = ()
    candidates: tuple = ()
    message: str = ""


#: A name with no match and nothing more to say.
NOT_FOUND_PROBLEM = Unresolved("not_found")


@dataclass(frozen=True)
class IgnoredHint:
    """An admin hint of the row that is not a unit the gazetteer knows (so it constrains nothing).

    ``kind`` is ``admin1`` or ``admin2``; ``within`` the unit it was looked up in ("" for none).
    """

    kind: str
    name: str
    within: str = ""


@dataclass(frozen=True)
class RowPlacement:
    """Where one row's place is.

    ``place`` is the linked gazetteer entry (None when the name is not placed); ``resolution`` the
    lookup that decided it; ``unresolved`` why the name is not placed; ``fallback`` the row's
    finest hint unit (the row's place lies in it: where an unplaced row goes), ``fallback_kind``
    the hint it came from (``admin2`` or ``admin1``) and ``fallback_score`` its lookup score;
    ``ignored`` the hints that are not known units.
    """

    place: Place | None
    resolution: Resolution | None = None
    unresolved: Unresolved | None = None
    fallback: Place | None = None
    fallback_kind: str = ""
    fallback_score: float | None = None
    ignored: tuple = ()


def _candidates(res: Resolution) -> tuple:
    return tuple(
        f"{c.place.name} ({c.place.id}, {c.place.kind}{', ' + c.place.admin1 if c.place.admin1 else ''})"
        for c in res.candidates[:5]
    )


class RowPlacer:
    """Places rows with :func:`place`'s policy; remembers hint units and placements per process."""

    def __init__(self, gz):
        self.gz = gz
        self._units: dict = {}
        self._memo: dict = {}

    def country(self, value) -> str | None:
        """The ISO code of a country column's value, else the value as written (None for "")."""
        if not value:
            return None
        try:
            return self.gz.country_code(value) or value
        except GazetteerError as err:  # an unreadable country is only a missing hint
            log.debug("country %r not usable: %s", value, err)
            return value

    def unit(self, name: str, cc, kind: str, within: Place | None = None):
        """The :class:`~gazetteer.model.Candidate` of the admin unit a hint names, or None (rule 1)."""
        key = (name, cc, kind, within.id if within is not None else None)
        if key not in self._units:
            found = None
            try:
                res = self.gz.resolve(name, country=cc, kind=kind, within=within)
                if res.best is not None and res.status == "resolved" and res.best.place.is_admin_unit:
                    found = res.best
            except GazetteerError as err:  # a hint that cannot be used is only a missing hint
                log.debug("admin hint %r not usable: %s", name, err)
            self._units[key] = found
        return self._units[key]

    def agrees(self, place: Place, unit: Place | None) -> bool:
        """Whether a resolved place agrees with the row's admin unit (no unit: always)."""
        return True if unit is None else bool(self.gz.within_hint(place, unit))

    def place(self, name: str, *, country=None, admin1=None, admin2=None, unit_scope: bool = False) -> RowPlacement:
        """Place one row (memoised per name, country and hints); see the module docstring."""
        name = name or ""
        admin1 = (admin1 or "").strip()
        admin2 = (admin2 or "").strip()
        cc = self.country((country or "").strip())
        key = (name, cc, admin1, admin2, bool(unit_scope))
        if key not in self._memo:
            self._memo[key] = self._place(name, cc, admin1, admin2, bool(unit_scope))
        return self._memo[key]

    def _place(self, name: str, cc, admin1: str, admin2: str, unit_scope: bool) -> RowPlacement:
        within, fallback_kind, score, ignored = None, "", None, []
        if admin1:
            c1 = self.unit(admin1, cc, "admin1")
            if c1 is None:
                ignored.append(IgnoredHint("admin1", admin1))
            else:
                within, fallback_kind, score = c1.place, "admin1", c1.score
        if admin2:
            c2 = self.unit(admin2, cc, "admin2", within)
            if c2 is None:
                ignored.append(IgnoredHint("admin2", admin2, within.name if within is not None else ""))
            else:
                within, fallback_kind, score = c2.place, "admin2", c2.score
        ignored_hints = tuple(ignored)

        def done(place=None, res=None, problem=None) -> RowPlacement:
            return RowPlacement(place, res, problem, within, fallback_kind if within is not None else "",
                                score if within is not None else None, ignored_hints)

        if unit_scope:
            try:
                unit = self.gz.resolve(name, country=cc, kind="admin1")
            except GazetteerError:
                unit = None
            if (unit is not None and unit.status == "resolved" and unit.best.place.kind in _UNIT_KINDS
                    and self.agrees(unit.best.place, within)):
                return done(unit.best.place, unit)
        if within is not None and within.name.casefold() in name.casefold():
            own = self.gz.resolve(name, country=cc)
            if own.status == "resolved" and own.best is not None and own.best.place.id == within.id:
                return done(within, own)
        try:
            res = self.gz.resolve(name, country=cc, within=within)
        except GazetteerError as err:
            return done(problem=Unresolved("not_found", message=str(err)))
        cands = _candidates(res)
        if res.status == "resolved" and res.best is not None:
            if within is None or self.agrees(res.best.place, within):
                return done(res.best.place, res)
            # A gazetteer that resolved outside the hint anyway: still a namesake, not the place.
            p = res.best.place
            msg = (f"{name!r} is not within {within.name}: the match, {p.name} "
                   f"({', '.join(x for x in (p.admin1, p.country_code) if x)}), lies outside it")
            return done(res=res, problem=Unresolved(OUTSIDE_HINT, tuple(res.suggestions), cands, msg))
        if within is not None and self.gz.outside_hint(res, within) is not None:
            return done(res=res, problem=Unresolved(OUTSIDE_HINT, tuple(res.suggestions), cands, res.message))
        return done(res=res, problem=Unresolved(res.status, tuple(res.suggestions), cands, res.message))


def place_row(gz, name: str, *, country=None, admin1=None, admin2=None, unit_scope: bool = False) -> RowPlacement:
    """Place one row with a fresh :class:`RowPlacer` (use one placer for a whole table)."""
    return RowPlacer(gz).place(name, country=country, admin1=admin1, admin2=admin2, unit_scope=unit_scope)


__all__ = ["OUTSIDE_HINT", "SCOPE_UNIT_RE", "IgnoredHint", "NOT_FOUND_PROBLEM", "RowPlacement", "RowPlacer",
           "Unresolved", "place_row"]
