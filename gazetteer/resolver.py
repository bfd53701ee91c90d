"""The :class:`Gazetteer`: open the index and resolve names to places.

Ranking
-------
Every candidate gets ``score = W_MATCH*match + W_IMPORTANCE*importance + W_CONTEXT*context``
(clipped to [0, 1]) where

* ``match`` is how well the name matched: exact primary name 1.0, exact
  alternate 0.96, with type words removed 0.94, same romanisation skeleton
  0.81-0.90 (0.45 + 0.45 x :func:`~gazetteer.normalize.similarity`, 0.06 less on
  alternate names), fuzzy up to 0.90 (0.9 x optimal-string-alignment similarity);
* ``importance`` grows with kind (country, admin1) and log population;
* ``context`` rewards a hinted country, containment in a hinted admin unit,
  a type word that agrees with the kind ("Badghis *province*") and closeness
  to other places of the same document or row, and penalises the opposite.

Analyst aliases (``gazetteer add aliases``, names stored with flag
:data:`gazetteer.store.NAME_FLAG_ALIAS`) match like primary names and an exact
match on one adds :data:`ALIAS_BONUS`, so they win over other sources; a
hinted country still applies.

Cost
----
A query never loads a country's names: each stage reads one index range of
``names`` in importance order with a LIMIT (:data:`gazetteer.store.NAME_INDEXES`):
exact namesakes (:data:`EXACT_MAX_ROWS`), the query's skeleton
(:data:`VARIANT_MAX_ROWS`), then for the fuzzy stage every skeleton one edit away
from the query's (a consonant deleted, inserted, replaced, or two swapped: what a
typo does to a skeleton), :data:`FUZZY_ROWS_PER_KEY` names each and
:data:`FUZZY_MAX_ROWS` in all. Names without a skeleton (non-Latin scripts) probe
the keys one edit away instead, with the query's own letters (and the Arabic
alphabet for Arabic-script names) as replacements. So the rows a query reads are
bounded whatever the index holds; when a skeleton is shared by more names than the
cap, the least important are the ones not considered.

Importance counts half for non-exact matches. A best candidate with match
quality below :data:`MIN_MATCH_TO_RESOLVE`, outside a hinted country, or outside
a hinted unit (:meth:`Gazetteer.within_hint`; even an exact namesake: the row meant
another place) makes the status ``not_found``, with the reason in ``message``.
When the two best candidates are within :data:`AMBIGUITY_MARGIN` of each other,
are far apart and neither contains the other, the status is ``ambiguous`` and
both are returned.
"""

from __future__ import annotations

import importlib
import logging
import math
import re
import threading
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from gazetteer import store
from gazetteer._country_aliases import alias_code
from gazetteer._geo import haversine_km
from gazetteer.errors import IndexNotBuilt, InvalidQuery, PlaceNotFound
from gazetteer.model import AMBIGUOUS, NOT_FOUND, RESOLVED, Candidate, Place, Resolution
from gazetteer.names import ALIAS, ALTERNATE, PRIMARY, STRIPPED
from gazetteer.normalize import (
    MAX_NAME_LENGTH,
    clean_text,
    normalize,
    skeleton,
    soft_form,
    split_alternates,
    strip_type_words,
)

log = logging.getLogger(__name__)

INDEX_FILENAME = "gazetteer.sqlite"
EMBEDDED_SOURCES = ("geonames-cities500", "natural-earth-admin", "conflictmap-regions", "conflictmap-physical")

# Scoring weights and thresholds (see module docstring).
W_MATCH, W_IMPORTANCE, W_CONTEXT = 0.60, 0.20, 0.20
#: Importance counts half when the name matched only as a variant: big cities carry
#: hundreds of exotic alternates that would otherwise out-rank the real variant.
INEXACT_IMPORTANCE_FACTOR = 0.25
#: A variant or fuzzy best match farther than this from every context place is only a suggestion.
FAR_LOOKALIKE_KM = 1500.0
MATCH_PRIMARY, MATCH_ALTERNATE, MATCH_STRIPPED = 1.0, 0.96, 0.94
VARIANT_BASE, VARIANT_SPAN = 0.45, 0.45  # variant match = base + span * similarity
VARIANT_ALTERNATE_PENALTY = 0.06
VARIANT_MIN_SIMILARITY = 0.80
SHORT_SKELETON_MIN_SIMILARITY = 0.90  # skeletons of <= 2 letters are too common otherwise
FUZZY_MIN_SIMILARITY = 0.80
FUZZY_SPAN = 0.90  # fuzzy match = span * similarity
#: Below this match quality the best candidate is only a suggestion: status not_found.
MIN_MATCH_TO_RESOLVE = 0.75
SUGGEST_CUTOFF = 60
AMBIGUITY_MARGIN = 0.015  # ~ a threefold population gap between exact namesakes
AMBIGUITY_MIN_KM = 25.0
CONTEXT_DECAY_KM = 300.0
MAX_HYDRATE = 60  # candidates turned into Place objects and scored
# Bounded reads (see "Cost" in the module docstring). Every read is one index range in importance
# order with a LIMIT, so a query costs the same on the embedded index and after allCountries.
#: Exact namesakes read per key (in the hinted country; plus MAX_HYDRATE from anywhere).
EXACT_MAX_ROWS = 200
#: Names read for the query's own skeleton (variant stage), most important first.
VARIANT_MAX_ROWS = 500
#: Names read per neighbouring skeleton (fuzzy stage), and in all, most important first.
FUZZY_ROWS_PER_KEY = 50
FUZZY_MAX_ROWS = 2500
#: Neighbouring skeletons (or keys, for non-Latin names) probed at most.
FUZZY_MAX_PROBES = 800
MEMO_SIZE = 100_000
ALTERNATE_PART_PENALTY = 0.03
#: Score bonus for an exact match on an analyst alias: more than any importance gap (W_IMPORTANCE).
ALIAS_BONUS = 0.2
#: A place this close (km) outside a hinted unit's drawn boundary still agrees with the hint:
#: simplified 1:10m boundaries and GeoNames town points disagree by a few km along borders.
WITHIN_TOLERANCE_KM = 10.0


def default_data_dir() -> Path:
    """Per-user data folder (platformdirs), used when neither --data-dir nor the env var is set."""
    import os

    env = os.environ.get("CONFLICTMAP_DATA_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("conflictmap", appauthor=False))


class Gazetteer:
    """A place index with a resolver.

    Examples
    --------
    >>> gz = Gazetteer.open()                       # doctest: +SKIP
    >>> gz.resolve("Qal-e-Naw").place.name          # doctest: +SKIP
    'Qala i Naw'
    >>> gz.resolve("Xyzzyville").status             # doctest: +SKIP
    'not_found'
    """

    def __init__(self, path: Path, *, upgrade: bool = True):
        self.path = Path(path)
        if not self.path.exists():
            raise IndexNotBuilt(
                f"no gazetteer index at {self.path}; run `conflictmap gazetteer build` to create it"
            )
        if upgrade:
            self._upgrade_schema()
        self._conn = store.connect(self.path)
        # rapidfuzz (~15 ms to import) is loaded with the index, not by the first query that needs it.
        for module in ("rapidfuzz.process", "rapidfuzz.fuzz", "rapidfuzz.distance.OSA"):
            importlib.import_module(module)
        self._lock = threading.Lock()
        self._last_prefilter = None
        self._geom_cache = {}
        self._memo = {}
        self._demonyms = None

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, data_dir=None, *, build: bool = True, progress: bool = False, countries=None):
        """Open the index in ``data_dir`` (default: :func:`default_data_dir`), building it if missing."""
        data_dir = Path(data_dir) if data_dir else default_data_dir()
        path = data_dir / INDEX_FILENAME
        if not path.exists():
            if not build:
                raise IndexNotBuilt(
                    f"no gazetteer index in {data_dir}; run `conflictmap gazetteer build --data-dir {data_dir}`"
                )
            from gazetteer.build import build_index

            log.warning("building the offline gazetteer index in %s (first use, about a minute)", data_dir)
            build_index(path, progress=progress, countries=countries)
        gz = cls(path, upgrade=False)  # an index about to be rebuilt is not upgraded first
        if not gz.is_current():
            embedded_only = all(s["name"] in EMBEDDED_SOURCES for s in gz.sources())
            if build and embedded_only:
                from gazetteer.build import build_index

                log.warning("the index in %s was built by an older conflictmap; rebuilding it", data_dir)
                gz.close()
                with store.connect(path) as conn:
                    row = conn.execute("SELECT v FROM meta WHERE k = 'countries_filter'").fetchone()
                    gz_filter = row[0].split(",") if row and row[0] else None
                build_index(path, progress=progress, countries=countries or gz_filter)
                return cls(path)
            log.warning(
                "the index in %s was built by an older conflictmap (name keys or embedded data); run "
                "`conflictmap gazetteer build --force` and re-add your sources for best results", data_dir,
            )
        gz._upgrade_schema(reconnect=True)
        return gz

    def _upgrade_schema(self, reconnect: bool = False) -> None:
        """Migrate an index written by an older version to the current tables
        (:func:`gazetteer.store.upgrade_file`, one transaction)."""
        if store.upgrade_file(self.path):
            log.warning("upgraded the gazetteer index %s to schema version %d", self.path, store.SCHEMA_VERSION)
            if reconnect:
                self._conn.close()
                self._conn = store.connect(self.path)

    def is_current(self) -> bool:
        """True when the index was built with this version's name-key functions and embedded data
        (:data:`gazetteer.normalize.NORMALIZE_VERSION`, :data:`gazetteer.build.DATA_VERSION`)."""
        from gazetteer.build import DATA_VERSION
        from gazetteer.normalize import NORMALIZE_VERSION

        meta = self.meta()
        return meta.get("normalize_version") == NORMALIZE_VERSION and meta.get("data_version") == DATA_VERSION

    def close(self) -> None:
        self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ lookups
    def get(self, place_id: str) -> Place:
        """The place with this id; raises :class:`PlaceNotFound`."""
        rows = store.select_places(self._conn, "p.id = ?", (place_id,))
        if not rows:
            raise PlaceNotFound(f"no place with id {place_id!r} in the gazetteer", query=place_id)
        return store.row_to_place(rows[0])

    def geometry(self, place):
        """Shapely geometry of a place: its polygon for admin units, else its point (lon, lat)."""
        from shapely import from_wkb
        from shapely.geometry import Point

        if isinstance(place, str):
            place = self.get(place)
        if place.id in self._geom_cache:
            return self._geom_cache[place.id]
        geom = None
        if place.has_geometry:
            row = self._conn.execute(
                "SELECT g.wkb FROM geoms g JOIN places p ON p.pid = g.pid WHERE p.id = ?", (place.id,)
            ).fetchone()
            if row:
                geom = from_wkb(row[0])
        if geom is None and place.lat is not None:
            geom = Point(place.lon, place.lat)
        if len(self._geom_cache) < 2000:
            self._geom_cache[place.id] = geom
        return geom

    def children(self, place_id: str, kind: str | None = None) -> list:
        """Places whose parent is ``place_id`` (admin2 of an admin1, admin1 of a country...)."""
        parent = self.get(place_id)
        if parent.kind == "country":
            where, params = "p.country_code = ? AND p.kind != 'country'", [parent.country_code]
            if kind is None:
                where += " AND p.kind = 'admin1'"
        elif parent.kind == "admin1":
            where, params = "p.admin1_id = ? AND p.id != ?", [parent.id, parent.id]
            if kind is None:
                where += " AND p.kind = 'admin2'"
        elif parent.kind == "admin2":
            where, params = "p.admin2_id = ? AND p.id != ?", [parent.id, parent.id]
        else:
            return []
        if kind:
            where += " AND p.kind = ?"
            params.append(kind)
        return [store.row_to_place(r) for r in store.select_places(self._conn, where + " ORDER BY p.name", params)]

    def outlines(self, bbox=None, kinds=("country", "admin1")) -> list:
        """(Place, geometry) for admin units intersecting ``bbox`` (min_lon, min_lat, max_lon, max_lat)."""
        where = f"p.has_geometry = 1 AND p.kind IN ({','.join('?' * len(kinds))})"
        params = list(kinds)
        if bbox:
            where += " AND p.max_lon >= ? AND p.min_lon <= ? AND p.max_lat >= ? AND p.min_lat <= ?"
            params += [bbox[0], bbox[2], bbox[1], bbox[3]]
        places = [store.row_to_place(r) for r in store.select_places(self._conn, where, params)]
        return [(p, self.geometry(p)) for p in places]

    def sources(self) -> list:
        import json

        return [json.loads(v) for (v,) in self._conn.execute("SELECT info FROM sources ORDER BY name")]

    def meta(self) -> dict:
        return dict(self._conn.execute("SELECT k, v FROM meta"))

    def attribution(self) -> list:
        """Attribution lines renderers must show for the loaded sources."""
        seen = []
        for s in self.sources():
            if s.get("attribution") and s["attribution"] not in seen:
                seen.append(s["attribution"])
        return seen

    def stats(self) -> dict:
        kinds = dict(self._conn.execute("SELECT kind, COUNT(*) FROM places GROUP BY kind"))
        names = self._conn.execute("SELECT COUNT(*) FROM names").fetchone()[0]
        return {"places": sum(kinds.values()), "by_kind": kinds, "names": names}

    def name_entries(self, *, with_flag: bool = False):
        """Yield (key, place_id, population, kind, country_code) for every indexed name (for text scanning).

        With ``with_flag`` a sixth item says how the name belongs to the place:
        0 its primary name, 1 an alternate name, 2 a name with type words removed.
        """
        q = (
            "SELECT n.key, p.id, p.population, p.kind, p.country_code"
            + (", n.flag" if with_flag else "")
            + " FROM names n JOIN places p ON p.pid = n.pid"
        )
        yield from self._conn.execute(q)

    # ------------------------------------------------------------------ resolving
    def country_code(self, value: str | None) -> str | None:
        """ISO alpha-2 code for a code or country name ("AF", "AFG", "Afghanistan", "Burma")."""
        if not value:
            return None
        v = value.strip()
        # Everyday names and codes first ("UK", "U.K.", "Britain", "the US", "DRC", "Burma"):
        # "UK" is not an ISO code, and the other spellings need no index read.
        alias = alias_code(normalize(v))
        if alias:
            return alias
        if len(v) == 2 and v.isalpha():
            return v.upper()
        return _country_code_cached(self, normalize(v))

    def demonym_country(self, name: str) -> str:
        """ISO code of the country a nationality word names ("Ukrainian", "Syrians" -> "UA", "SY"),
        or "" (also for a word that is itself a country's name, "Myanmar").

        The table (:mod:`mapper.countries`, the one owner of demonyms) is written into the index
        at build time, so a lookup here costs one read per process.
        """
        table = self._demonym_table()
        key = normalize(name or "")
        if key.startswith("the "):
            key = key[4:]
        cc = table.get(key) or (table.get(key[:-1]) if key.endswith("s") else None)
        if not cc or _country_code_cached(self, key):
            return ""
        return cc

    def _demonym_table(self) -> dict:
        if self._demonyms is None:
            import json

            row = self._conn.execute("SELECT v FROM meta WHERE k = 'demonyms'").fetchone()
            try:
                self._demonyms = json.loads(row[0]) if row and row[0] else {}
            except ValueError:
                self._demonyms = {}
        return self._demonyms

    def resolve(
        self,
        name: str,
        *,
        country: str | None = None,
        within=None,
        context: Iterable = (),
        limit: int = 5,
        kind: str | None = None,
    ) -> Resolution:
        """Resolve a place name to ranked candidates.

        Parameters
        ----------
        name : str
            The mention as written ("Qal-e-Naw", "Nad Ali district (Marja)").
        country : str, optional
            ISO code or country name; candidates elsewhere are penalised.
        within : str or Place, optional
            An admin unit the place lies in ("Badghis").
        context : iterable of Place or (lat, lon)
            Places already resolved from the same document or row.
        limit : int
            Candidates to return.
        kind : str, optional
            Preferred kind (``admin1``...).

        Returns
        -------
        Resolution
            ``status`` is ``resolved``, ``ambiguous`` or ``not_found``; never raises
            for bad names (empty, binary junk, 1 MB lines give ``not_found`` with a message).

        Examples
        --------
        >>> gz.resolve("").status                                # doctest: +SKIP
        'not_found'
        >>> gz.resolve("Kunduz").candidates[1].place.kind        # doctest: +SKIP
        'admin1'
        """
        context = tuple(context)
        memo_key = (name, country, within if not isinstance(within, Place) else within.id,
                    tuple(_context_point(c) for c in context), limit, kind) if isinstance(name, str) else None
        if memo_key is not None:
            hit = self._memo.get(memo_key)
            if hit is not None:
                return hit
        res = self._resolve(name, country=country, within=within, context=context, limit=limit, kind=kind)
        if memo_key is not None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[memo_key] = res
        return res

    def _resolve(self, name, *, country, within, context, limit, kind) -> Resolution:
        try:
            query = _validate(name)
        except InvalidQuery as err:
            return Resolution(query=_preview(name), status=NOT_FOUND, message=str(err))
        cc = self.country_code(country) if country else None
        nationality = self.demonym_country(query)
        if nationality:
            # "Ukrainian", "Syrians": a nationality, never a place on its own (not "Ukrainian Village").
            country_place = self._country_place(nationality)
            return Resolution(
                query=query, status=NOT_FOUND,
                suggestions=(country_place.name,) if country_place else (),
                message=f"{query!r} is a nationality word, not a place"
                + (f"; the country is {country_place.name} ({nationality})" if country_place else ""),
            )
        within_place = self._within_place(within, cc)
        ctx = tuple(x for x in (_context_point(c) for c in context) if x is not None)
        cands = []
        for i, alt in enumerate(split_alternates(query)):
            found = self._candidates(alt, cc, within_place, ctx, kind)
            if i:  # a parenthesised alternate ("Nad Ali district (Marja)") ranks just below the main name
                found = [replace(c, score=max(0.0, c.score - ALTERNATE_PART_PENALTY)) for c in found]
            cands.extend(found)
        if not cands:
            return Resolution(
                query=query, status=NOT_FOUND, suggestions=tuple(self.suggest(query, country=cc)),
                message=f"no place called {query!r} in the gazetteer",
            )
        best_by_id = {}
        for c in cands:
            if c.place.id not in best_by_id or c.score > best_by_id[c.place.id].score:
                best_by_id[c.place.id] = c
        ranked = sorted(best_by_id.values(), key=lambda c: (-c.score, -c.place.population, c.place.id))
        if within_place is not None and not self.within_hint(ranked[0].place, within_place):
            # A hinted unit is a constraint: a good enough match inside it wins over a better one outside.
            inside = [c for c in sorted(best_by_id.values(), key=lambda c: (-c.score, -c.place.population, c.place.id))
                      if c.quality >= MIN_MATCH_TO_RESOLVE and self.within_hint(c.place, within_place)]
            if inside:
                ranked = [inside[0]] + [c for c in ranked if c.place.id != inside[0].place.id]
        ranked = ranked[: max(limit, 2)]
        hint = kind or strip_type_words(normalize(query))[1]
        if not hint:
            ranked = _city_over_eponymous_unit(ranked)
        elif hint in ("admin1", "admin2") and ranked[0].place.kind == "populated_place":
            ranked = self._unit_of_eponymous_city(ranked, hint)
        best = ranked[0]
        # A lookalike (variant or fuzzy name) far from every place of the document or list is a
        # suggestion, not a resolution ("Minova" in a Congolese article is not Minoa, New York).
        far = best.match != "exact" and ctx and best.place.lat is not None and all(
            _context_km(best.place, x) > FAR_LOOKALIKE_KM for x in ctx)
        if far:
            return Resolution(
                query=query, status=NOT_FOUND, candidates=tuple(ranked[:limit]),
                suggestions=tuple(dict.fromkeys(c.place.name for c in ranked[:limit])),
                message=f"no confident match for {query!r} near the other places; closest: "
                f"{best.place.name} ({best.place.country_code}), a {best.match} match over "
                f"{FAR_LOOKALIKE_KM:.0f} km from them",
            )
        # A hinted country is a constraint: the best match abroad is only a suggestion.
        abroad = cc is not None and best.place.country_code != cc
        # A hinted unit is a constraint too: a place outside it, even a namesake matching exactly,
        # is only a suggestion (the row meant another place, one the gazetteer does not know).
        outside = within_place is not None and not self.within_hint(best.place, within_place)
        if best.quality < MIN_MATCH_TO_RESOLVE or abroad or outside:
            if outside and not abroad and best.quality >= MIN_MATCH_TO_RESOLVE:
                km = self.km_outside(best.place, within_place)
                where = ", ".join(x for x in (best.place.admin1, best.place.country_code) if x)
                message = (f"{query!r} is not within {within_place.name}: the closest match, {best.place.name}"
                           f" ({where}), lies {km:,.0f} km beyond its boundary")
            else:
                message = (f"no confident match for {query!r}" + (f" in {cc}" if abroad else "")
                           + (f" within {within_place.name}" if outside else "")
                           + f"; closest: {best.place.name} ({best.place.country_code})")
            return Resolution(
                query=query, status=NOT_FOUND, candidates=tuple(ranked[:limit]),
                suggestions=tuple(dict.fromkeys(c.place.name for c in ranked[:limit])), message=message,
            )
        status = RESOLVED
        if len(ranked) > 1 and _is_ambiguous(ranked[0], ranked[1]):
            status = AMBIGUOUS
        return Resolution(query=query, status=status, best=ranked[0], candidates=tuple(ranked[:limit]))

    def resolve_many(self, names: Iterable[str], **kwargs) -> list:
        """Resolve several names independently (one bad name never affects the others)."""
        return [self.resolve(n, **kwargs) for n in names]

    def resolve_together(self, names: Iterable[str], *, rounds: int = 2, **kwargs) -> list:
        """Resolve the names of one document or list as a set: each name is resolved with the
        others' current best places as context (closeness, containment, same country), for
        ``rounds`` rounds after an independent first pass, so "London; Manchester; Leeds" stays
        in England and "Bristol, Bath, England" in Britain.

        A name whose lookalike is far from all the others becomes ``not_found`` (see
        :data:`FAR_LOOKALIKE_KM`); names that resolve to nothing never affect the others.
        """
        names = list(names)
        extra = tuple(kwargs.pop("context", ()))
        results = [self.resolve(n, context=extra, **kwargs) for n in names]
        if len(names) < 2:
            return results
        for _ in range(rounds):
            bests = [r.best.place if r.best else None for r in results]
            new = []
            for i, n in enumerate(names):
                ctx = extra + tuple(p for j, p in enumerate(bests) if j != i and p is not None
                                    and normalize(str(names[j])) != normalize(str(n)))
                new.append(self.resolve(n, context=ctx, **kwargs))
            if [r.best.place.id if r.best else None for r in new] == [p.id if p else None for p in bests]:
                results = new
                break
            results = new
        return results

    def suggest(self, query: str, *, country: str | None = None, limit: int = 5) -> list:
        """'Did you mean' names for a query that resolved to nothing."""
        key = strip_type_words(normalize(query))[0]
        if not key:
            return []
        cc = self.country_code(country) if country else None
        return list(dict.fromkeys(display for display, _k, _pid in self._near(key, cc)))[:limit]

    # ------------------------------------------------------------------ internals
    def _country_place(self, cc: str) -> Place | None:
        rows = store.select_places(self._conn, "p.kind = 'country' AND p.country_code = ?", (cc,))
        return store.row_to_place(rows[0]) if rows else None

    def _unit_of_eponymous_city(self, ranked: list, kind: str) -> list:
        """"Hama Governorate", "Raqqa province": when only the town answers to the name, the unit
        of that kind holding it, if it bears the town's name in another spelling (Hamah, Ar Raqqah)."""
        town = ranked[0]
        uid = town.place.admin1_id if kind == "admin1" else town.place.admin2_id
        if not uid or any(c.place.id == uid for c in ranked):
            return ranked
        try:
            unit = self.get(uid)
        except PlaceNotFound:
            return ranked
        if unit.kind != kind or not same_name(unit.name, town.place.name):
            return ranked
        cand = Candidate(place=unit, score=town.score, reason=town.reason + f"; the {kind} named like the town",
                         match=town.match, quality=town.quality)
        return [cand] + ranked

    def _within_place(self, within, cc) -> Place | None:
        if within is None or within == "":
            return None
        if isinstance(within, Place):
            return within
        res = self.resolve(str(within), country=cc, kind="admin1")
        if res.best and res.best.place.is_admin_unit:
            return res.best.place
        for c in res.candidates:
            if c.place.is_admin_unit:
                return c.place
        return None

    def _candidates(self, text: str, cc, within: Place | None, ctx, kind) -> list:
        from rapidfuzz import process
        from rapidfuzz.fuzz import ratio

        key = normalize(text)
        if not key:
            return []
        stripped, hint = strip_type_words(key)
        if stripped in _TYPE_ONLY:
            return []
        kind = kind or hint
        matches = {}  # pid -> (match quality, how)
        known_rows = {}  # pid -> place row already fetched with its name
        in_country = False  # some match lies in the hinted country

        def offer(pid, q, how, pcc):
            nonlocal in_country
            if pid not in matches or matches[pid][0] < q:
                matches[pid] = (q, how)
            in_country = in_country or pcc == cc

        aliased = set()  # pids matched exactly through an analyst alias (see ALIAS_BONUS)
        for k in dict.fromkeys((key, stripped)):
            for flag, row in store.exact_matches(self._conn, k, EXACT_MAX_ROWS, cc, abroad_limit=MAX_HYDRATE):
                known_rows[row[0]] = row
                q = _FLAG_MATCH.get(flag, MATCH_ALTERNATE) if k == key else MATCH_STRIPPED
                offer(row[0], q, "exact", row[6])
                if flag == store.NAME_FLAG_ALIAS and k == key:
                    aliased.add(row[0])
        own = None
        if not matches or (cc and not in_country):
            skel = skeleton(stripped)
            if skel:
                # With a country hint only that country's namesakes can win (others would be
                # "abroad" and not_found), so the skeleton is read for that country alone.
                own = store.names_by_skeleton(self._conn, skel, cc, VARIANT_MAX_ROWS)
                if own:
                    min_sim = SHORT_SKELETON_MIN_SIMILARITY if len(skel) <= 2 else VARIANT_MIN_SIMILARITY
                    # similarity() over the rows: mean of the literal and the vowel-class Indel
                    # ratios, so the literal one alone must reach 2 * min_sim - 1.
                    soft_query = soft_form(stripped)
                    for _k, literal, i in process.extract(
                        stripped, [r[0] for r in own], scorer=ratio, limit=None, score_cutoff=(200 * min_sim - 100)
                    ):
                        _k, soft, pid, flag, pcc = own[i]
                        sim = (literal + ratio(soft_query, soft)) / 200.0
                        if sim >= min_sim:
                            q = VARIANT_BASE + VARIANT_SPAN * sim - (VARIANT_ALTERNATE_PENALTY if flag else 0.0)
                            offer(pid, q, "variant", pcc)
        if not matches or (cc and not in_country):
            for pid, sim, flag, pcc in self._fuzzy(stripped, cc, own):
                # A name with its type word removed ("Abadkus" of "Abadkus Bazar") ranks below a
                # real name as similar, as in the exact stage, unless the query had a type word too.
                penalty = MATCH_PRIMARY - MATCH_STRIPPED if flag == STRIPPED_FLAG and stripped == key else 0.0
                offer(pid, FUZZY_SPAN * sim - penalty, "fuzzy", pcc)
        if not matches:
            return []
        top = sorted(matches.items(), key=lambda kv: -kv[1][0])[:MAX_HYDRATE]
        missing = [pid for pid, _ in top if pid not in known_rows]
        rows = {**known_rows, **(store.places_by_pids(self._conn, missing) if missing else {})}
        out = []
        for pid, (q, how) in top:
            row = rows.get(pid)
            if row is not None:
                c = self._score(store.row_to_place(row), row[-1], q, how, text, cc, within, ctx, kind)
                if pid in aliased:
                    c = replace(c, score=min(1.0, c.score + ALIAS_BONUS), reason=c.reason + "; analyst alias")
                out.append(c)
        return out

    def _score(self, place: Place, importance, q, how, text, cc, within, ctx, kind) -> Candidate:
        reasons = [f"{how} match on {text!r} ({q:.2f})"]
        context = 0.0
        if cc:
            if place.country_code == cc:
                context += 0.5
                reasons.append(f"in {cc}")
            else:
                context -= 1.0
                reasons.append(f"not in {cc}")
        if within is not None:
            inside = self._inside(place, within)
            if inside:
                context += 0.5
                reasons.append(f"within {within.name}")
            elif place.id != within.id:
                context -= 0.4
                reasons.append(f"outside {within.name}")
        if kind:
            if place.kind == kind:
                context += 0.3
                reasons.append(f"kind {kind}")
            elif kind in ("admin1", "admin2", "admin3") and place.kind in ("admin1", "admin2", "admin3"):
                context += 0.1
            else:
                context -= 0.15
        if ctx and place.lat is not None:
            d = min(_context_km(place, x) for x in ctx)
            context += 0.5 * math.exp(-d / CONTEXT_DECAY_KM) - 0.1
            reasons.append(f"{d:.0f} km from context")
        imp = (importance or 0.0) * (1.0 if how == "exact" else INEXACT_IMPORTANCE_FACTOR)
        if place.population:
            reasons.append(f"pop {place.population:,}")
        score = W_MATCH * q + W_IMPORTANCE * imp + W_CONTEXT * context
        return Candidate(
            place=place, score=max(0.0, min(1.0, score)), reason="; ".join(reasons), match=how, quality=q
        )

    def within_hint(self, place: Place, unit: Place) -> bool:
        """Whether ``place`` agrees with the admin hint ``unit`` (``--within``, a row's admin1/admin2).

        True when the place lies in the unit, is the unit, contains it (a row naming the
        province of its own admin1), or lies less than :data:`WITHIN_TOLERANCE_KM` outside its
        drawn boundary (simplified boundaries and town points disagree by a few km at borders).

        Examples
        --------
        >>> badghis = gz.resolve("Badghis").best.place                       # doctest: +SKIP
        >>> gz.within_hint(gz.resolve("Qala-e-Naw").best.place, badghis)      # doctest: +SKIP
        True
        >>> gz.within_hint(gz.get("geonames:1132807"), badghis)  # Muqur, Ghazni # doctest: +SKIP
        False
        """
        if place.id == unit.id or self._inside(place, unit) or self._inside(unit, place):
            return True
        if place.kind in ("country", "admin1", "admin2", "admin3") and unit.kind != "country":
            return False  # a unit is never "near" another one: it is in it or not
        return self.km_outside(place, unit) <= WITHIN_TOLERANCE_KM

    def outside_hint(self, res: Resolution, unit) -> Candidate | None:
        """The candidate a hinted unit ruled out: ``res`` is ``not_found`` only because its best
        match (a good name match in the hinted country) lies outside ``unit``; else None.

        ``unit`` is a :class:`Place` or a name as given to :meth:`resolve` (``within``).
        """
        if res.status != NOT_FOUND or not res.candidates or unit is None or unit == "":
            return None
        unit = unit if isinstance(unit, Place) else self._within_place(unit, None)
        best = res.candidates[0]
        if unit is None or best.quality < MIN_MATCH_TO_RESOLVE or self.within_hint(best.place, unit):
            return None
        return best

    def km_outside(self, place: Place, unit: Place) -> float:
        """Distance in km from ``place`` to ``unit``'s boundary (0 inside); without a loaded
        polygon, to the unit's bounding box, else to its point."""
        if place.lat is None:
            return math.inf
        geom = self.geometry(unit) if unit.has_geometry else None
        if geom is not None and geom.geom_type in ("Polygon", "MultiPolygon"):
            from shapely.geometry import Point
            from shapely.ops import nearest_points

            pt = Point(place.lon, place.lat)
            if geom.covers(pt):
                return 0.0
            near = nearest_points(geom, pt)[0]
            return haversine_km(place.lat, place.lon, near.y, near.x)
        if unit.bbox and unit.bbox[0] < unit.bbox[2] and unit.bbox[1] < unit.bbox[3]:
            # No polygon (second-level units are boxes of their towns): the nearest point of the box.
            x0, y0, x1, y1 = unit.bbox
            return haversine_km(place.lat, place.lon, min(max(place.lat, y0), y1), min(max(place.lon, x0), x1))
        if unit.lat is None:
            return math.inf
        return haversine_km(place.lat, place.lon, unit.lat, unit.lon)

    def _inside(self, place: Place, unit: Place) -> bool:
        """Strictly inside: a unit is not inside itself (a row's place lies *in* its admin1)."""
        if place.id == unit.id:
            return False
        if unit.kind == "country":
            return place.country_code == unit.country_code and place.id != unit.id
        if unit.id in (place.admin1_id, place.admin2_id):
            return True
        if place.lat is None or not unit.bbox:
            return False
        x0, y0, x1, y1 = unit.bbox
        if not (x0 <= place.lon <= x1 and y0 <= place.lat <= y1):
            return False
        from shapely.geometry import Point

        geom = self.geometry(unit)
        return bool(geom is not None and geom.covers(Point(place.lon, place.lat)))

    def _prefilter(self, key: str, cc, own=None) -> list:
        """(key, soft, pid, flag, cc) of names that may be a typo away from ``key``: its own
        skeleton's names (``own`` when the variant stage read them already) and the names of
        every skeleton one edit away (for non-Latin keys: every key one edit away).

        Reads at most VARIANT_MAX_ROWS + FUZZY_MAX_ROWS rows in FUZZY_MAX_PROBES + 1 index
        ranges, most important names first in each (see the module docstring).
        """
        memo = (key, cc)
        if self._last_prefilter is not None and self._last_prefilter[0] == memo:
            return self._last_prefilter[1]
        skel = skeleton(key)
        if skel:
            rows = list(own) if own is not None else store.names_by_skeleton(self._conn, skel, cc, VARIANT_MAX_ROWS)
            column, probes = "skel", skeleton_neighbours(skel)
        else:
            rows, column, probes = [], "key", key_neighbours(key)
        rows += store.names_by_probes(self._conn, column, probes[:FUZZY_MAX_PROBES], cc, FUZZY_ROWS_PER_KEY,
                                      FUZZY_MAX_ROWS)
        self._last_prefilter = (memo, rows)
        return rows

    def _near(self, key: str, cc) -> list:
        """(display, key, pid) of up to 20 names close to ``key`` (Indel ratio >= SUGGEST_CUTOFF)
        among the :meth:`_prefilter` rows, closest first."""
        from rapidfuzz import process
        from rapidfuzz.fuzz import ratio

        rows = self._prefilter(key, cc)
        if not rows:
            return []
        found = process.extract(key, [r[0] for r in rows], scorer=ratio, limit=20, score_cutoff=SUGGEST_CUTOFF)
        picked = [(rows[idx][2], k) for k, _score, idx in found]
        display = store.display_names(self._conn, picked)
        return [(display.get((pid, k), k), k, pid) for pid, k in picked]

    def _fuzzy(self, key: str, cc, own=None) -> list:
        """Typo-tolerant fallback: (pid, similarity, flag, cc) of :meth:`_prefilter` names whose optimal
        string alignment similarity to ``key`` is at least FUZZY_MIN_SIMILARITY (a transposition
        counts once, so geoBoundaries' "Ghanzi" still meets "Ghazni")."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        if len(key) < 4:
            return []
        rows = self._prefilter(key, cc, own)
        if not cc:
            # Without a country every place competes, and alternate names (hundreds per big city,
            # in many languages) would pair typos with far-away places ("Darfur" -> Dufur, US):
            # only primary names are typo targets then.
            rows = [r for r in rows if r[3] == 0]
        if not rows:
            return []
        found = process.extract(key, [r[0] for r in rows], scorer=OSA.normalized_similarity, limit=None,
                                score_cutoff=FUZZY_MIN_SIMILARITY)
        return [(rows[i][2], sim, rows[i][3], rows[i][4]) for _k, sim, i in found]


#: Consonants a skeleton holds after its first letter (:func:`gazetteer.normalize.skeleton` drops
#: vowels, h, w, y and folds q -> k, v -> w).
_SKEL_REST = "bcdfgjklmnprstxz"
#: Arabic-script letters as :func:`gazetteer.normalize.normalize` leaves them (variants folded).
_ARABIC_LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"


def _edits1(s: str, letters: str) -> list:
    """Strings one deletion, transposition, replacement or insertion (in that order) away from
    ``s`` that keep its first character, replacements and insertions drawn from ``letters``.
    May hold ``s`` itself and duplicates.

    The first letter stays: typos and romanisations rarely change it, and a changed first
    letter mostly meets another place (Landay -> Kanday, Iyadh -> Riyadh).
    """
    n = len(s)
    out = [s[:i] + s[i + 1:] for i in range(1, n)]
    out += [s[:i] + s[i + 1] + s[i] + s[i + 2:] for i in range(1, n - 1)]
    for i in range(1, n):
        out += [s[:i] + c + s[i + 1:] for c in letters]
    for i in range(1, n + 1):
        out += [s[:i] + c + s[i:] for c in letters]
    return out


def skeleton_neighbours(skel: str) -> list:
    """Skeletons one edit away from ``skel`` with the same first letter, deletions and swaps
    first, without ``skel`` itself.

    >>> skeleton_neighbours("gnz")[:4]
    ['gz', 'gn', 'gzn', 'gbz']
    """
    return [t for t in dict.fromkeys(_edits1(skel, _SKEL_REST)) if t != skel]


def key_neighbours(key: str) -> list:
    """Keys one edit away from a key without a skeleton (non-Latin script), same first letter:
    replacements and insertions use the key's own letters and a space, plus the Arabic
    alphabet for Arabic-script keys."""
    letters = set(key) | {" "}  # a space dropped or added between words is a typo too
    if any("\u0600" <= ch <= "\u06ff" for ch in key):
        letters |= set(_ARABIC_LETTERS)
    return [t for t in dict.fromkeys(_edits1(key, "".join(sorted(letters))))
            if t != key and t.strip() == t and "  " not in t]


#: Name flag of a key with its type words removed (:data:`gazetteer.names.STRIPPED`).
STRIPPED_FLAG = STRIPPED
#: Match quality by name flag (:mod:`gazetteer.names`: primary, alternate, type words stripped, alias).
_FLAG_MATCH = {PRIMARY: MATCH_PRIMARY, ALTERNATE: MATCH_ALTERNATE, STRIPPED: MATCH_STRIPPED, ALIAS: MATCH_PRIMARY}

_TYPE_ONLY = frozenset({"province", "district", "city", "town", "village", "matun", "center", "centre", "area"})


@lru_cache(maxsize=4096)
def _country_code_cached(gz: Gazetteer, key: str) -> str | None:
    row = gz._conn.execute(
        "SELECT p.country_code FROM names n JOIN places p ON p.pid = n.pid WHERE n.key = ? AND p.kind = 'country'",
        (key,),
    ).fetchone()
    if row:
        return row[0]
    alts = split_alternates(key)
    for alt in alts[1:]:
        r = _country_code_cached(gz, normalize(alt))
        if r:
            return r
    return None


def _validate(name) -> str:
    if name is None:
        raise InvalidQuery("empty place name")
    if isinstance(name, bytes):
        try:
            name = name.decode("utf-8")
        except UnicodeDecodeError as err:
            raise InvalidQuery("place name is not valid UTF-8 text") from err
    if not isinstance(name, str):
        raise InvalidQuery(f"place name must be text, not {type(name).__name__}")
    if len(name) > MAX_NAME_LENGTH * 5:
        raise InvalidQuery(
            f"place name is {len(name):,} characters long; names longer than {MAX_NAME_LENGTH} are not looked up"
        )
    text = clean_text(name)
    if not text:
        raise InvalidQuery("empty place name")
    if len(text) > MAX_NAME_LENGTH:
        raise InvalidQuery(
            f"place name is {len(text):,} characters long; names longer than {MAX_NAME_LENGTH} are not looked up"
        )
    if not any(ch.isalpha() for ch in text):
        raise InvalidQuery(f"{text!r} holds no letters, so it cannot be a place name")
    return text


def _preview(name) -> str:
    s = name if isinstance(name, str) else repr(name)
    s = clean_text(s)
    return s[:80] + ("…" if len(s) > 80 else "")


def _latlon_of(c):
    if isinstance(c, Place):
        return (c.lat, c.lon) if c.lat is not None else None
    if isinstance(c, Candidate):
        return _latlon_of(c.place)
    if isinstance(c, (tuple, list)) and len(c) == 2:
        return (float(c[0]), float(c[1]))
    return None


def _context_point(c):
    """A context item as ``(lat, lon, kind, country_code, bbox)`` (kind etc. empty for bare points)."""
    if isinstance(c, Candidate):
        c = c.place
    if isinstance(c, Place):
        if c.lat is None:
            return None
        return (c.lat, c.lon, c.kind, c.country_code or "", c.bbox if c.kind in ("admin1", "admin2", "other") else None)
    p = _latlon_of(c)
    return (p[0], p[1], "", "", None) if p else None


def _context_km(place: Place, ctx) -> float:
    """Distance from ``place`` to a context item: 0 inside a context country or unit (its country
    code, or its box for a unit), else between the points."""
    la, lo, kind, cc, bbox = ctx
    if kind == "country" and cc and place.country_code == cc:
        return 0.0
    if bbox and bbox[0] <= place.lon <= bbox[2] and bbox[1] <= place.lat <= bbox[3]:
        return 0.0
    if place.kind == "country" and cc and place.country_code == cc:
        return 0.0  # the country of a context place contains it
    return haversine_km(place.lat, place.lon, la, lo)


def same_name(a: str, b: str) -> bool:
    """Two spellings of one name ("Hamah" / "Ḩamāh", "Ar Raqqah" / "Raqqa", "Al Basrah" / "Basrah"):
    equal once normalized and the Arabic article dropped, or the same consonant skeleton."""
    def bare(x):
        return re.sub(r"^(?:al|ar|as|ad|an|at|az|ash|el|ul)[ -]", "", normalize(x))

    ka, kb = bare(a), bare(b)
    return ka == kb or (len(ka) > 3 and bool(skeleton(ka)) and skeleton(ka) == skeleton(kb))


def _city_over_eponymous_unit(ranked: list) -> list:
    """A bare name shared by a unit and a town inside it ("Idlib", "Kandahar") means the town:
    GeoNames gives some big cities a small population, which would let their province win.
    The town moves first, with the unit's score; a type word in the query ("Idlib province")
    or a kind asked for keeps the unit (the caller skips this then)."""
    best = ranked[0]
    p = best.place
    if p.kind not in ("admin1", "admin2") or best.match != "exact":
        return ranked
    for i, c in enumerate(ranked[1:4], start=1):
        q = c.place
        if (q.kind == "populated_place" and c.match == "exact" and c.quality >= best.quality
                and p.id in (q.admin1_id, q.admin2_id) and best.score - c.score < 0.1):
            town = replace(c, score=best.score, reason=c.reason + f"; the town named like {p.name}")
            return [town] + [x for j, x in enumerate(ranked) if j != i]
    return ranked


def _is_ambiguous(a: Candidate, b: Candidate) -> bool:
    if a.score - b.score >= AMBIGUITY_MARGIN:
        return False
    pa, pb = a.place, b.place
    # A city and the unit that contains it (Kunduz city / Kunduz province) are one answer at two scales.
    if pb.id in (pa.admin1_id, pa.admin2_id) or pa.id in (pb.admin1_id, pb.admin2_id):
        return False
    if pa.country_code == pb.country_code and (pa.kind == "country" or pb.kind == "country"):
        return False
    if pa.lat is None or pb.lat is None:
        return True
    return haversine_km(pa.lat, pa.lon, pb.lat, pb.lon) > AMBIGUITY_MIN_KM
