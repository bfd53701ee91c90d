"""The :class:`Gazetteer`: open the index and resolve names to places.

The class is a facade over three parts, each with one job:

* :mod:`gazetteer.index`: the index file (open, build if missing, upgrade, version, close);
* :mod:`gazetteer.candidates`: the SQL reads, bounded, returning frozen records (see "Cost" there);
* :mod:`gazetteer.scoring`: match quality, the score and the ranking decisions, with their
  named constants (see "Ranking" there).

What stays here is the order of the stages of :meth:`Gazetteer.resolve` (exact names, then
skeleton variants, then typos; hints; eponymous towns and units; the final status) and the
spatial tests against hinted units (:meth:`Gazetteer.within_hint`), which need geometries.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gazetteer import store
from gazetteer._country_aliases import alias_code
from gazetteer._geo import haversine_km
from gazetteer.candidates import (
    EXACT_MAX_ROWS,
    FUZZY_MAX_PROBES,
    FUZZY_MAX_ROWS,
    FUZZY_ROWS_PER_KEY,
    MAX_HYDRATE,
    VARIANT_MAX_ROWS,
    CandidateReader,
    NameRows,
    PlaceRecord,
    country_code_of_key,
    key_neighbours,
    skeleton_neighbours,
)
from gazetteer.errors import InvalidQuery, PlaceNotFound
from gazetteer.index import EMBEDDED_SOURCES, INDEX_FILENAME, GazetteerIndex, default_data_dir
from gazetteer.model import AMBIGUOUS, NOT_FOUND, RESOLVED, Candidate, Place, Resolution
from gazetteer.normalize import (
    MAX_NAME_LENGTH,
    clean_text,
    normalize,
    skeleton,
    split_alternates,
    strip_type_words,
)
from gazetteer.scoring import (
    ALIAS_BONUS,
    AMBIGUITY_MARGIN,
    FAR_LOOKALIKE_KM,
    FLAG_MATCH,
    FUZZY_MIN_KEY_LENGTH,
    MATCH_ALTERNATE,
    MATCH_STRIPPED,
    MIN_MATCH_TO_RESOLVE,
    TYPE_ONLY,
    ContextPoint,
    NameMatch,
    as_alternate_part,
    city_over_eponymous_unit,
    context_km,
    context_point,
    fuzzy_matches,
    is_ambiguous,
    is_lone_lookalike_guess,
    near_names,
    rank,
    same_name,
    score_candidate,
    variant_matches,
    with_alias_bonus,
)

# Names importers have taken from this module since before the split; they live in the three parts now.
__all__ = [
    "Gazetteer",
    "default_data_dir",
    "INDEX_FILENAME",
    "EMBEDDED_SOURCES",
    "haversine_km",
    "same_name",
    "skeleton_neighbours",
    "key_neighbours",
    "EXACT_MAX_ROWS",
    "VARIANT_MAX_ROWS",
    "FUZZY_ROWS_PER_KEY",
    "FUZZY_MAX_ROWS",
    "FUZZY_MAX_PROBES",
    "MAX_HYDRATE",
    "FAR_LOOKALIKE_KM",
    "MIN_MATCH_TO_RESOLVE",
    "AMBIGUITY_MARGIN",
    "ALIAS_BONUS",
    "WITHIN_TOLERANCE_KM",
]

#: Resolutions kept per open gazetteer (the memo is cleared when full).
MEMO_SIZE = 100_000
#: Geometries kept per open gazetteer.
GEOMETRY_CACHE_SIZE = 2000
#: A place this close (km) outside a hinted unit's drawn boundary still agrees with the hint:
#: simplified 1:10m boundaries and GeoNames town points disagree by a few km along borders.
WITHIN_TOLERANCE_KM = 10.0
#: Raw input longer than MAX_NAME_LENGTH times this is refused before it is even cleaned.
RAW_LENGTH_FACTOR = 5
#: Characters of a refused query quoted back in the resolution.
PREVIEW_CHARS = 80


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

    def __init__(self, path: Path | str, *, upgrade: bool = True):
        self._attach(GazetteerIndex(path, upgrade=upgrade))

    def _attach(self, index: GazetteerIndex) -> None:
        self._index = index
        self._reads = CandidateReader(index)
        # rapidfuzz (~15 ms to import) is loaded with the index, not by the first query that needs it.
        for module in ("rapidfuzz.process", "rapidfuzz.fuzz", "rapidfuzz.distance.OSA"):
            importlib.import_module(module)
        self._geom_cache: dict[str, Any] = {}
        self._memo: dict[tuple, Resolution] = {}

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, data_dir=None, *, build: bool = True, progress: bool = False, countries=None) -> Gazetteer:
        """Open the index in ``data_dir`` (default: :func:`default_data_dir`), building it if missing."""
        gz = cls.__new__(cls)
        gz._attach(GazetteerIndex.open(data_dir, build=build, progress=progress, countries=countries))
        return gz

    @property
    def path(self) -> Path:
        """Path of the SQLite index file this gazetteer reads."""
        return self._index.path

    @property
    def _conn(self):
        """The index's connection (tests replace it with a counting wrapper)."""
        return self._index.conn

    @_conn.setter
    def _conn(self, conn) -> None:
        self._index.conn = conn

    def is_current(self) -> bool:
        """True when the index was built with this version's name-key functions and embedded data
        (:data:`gazetteer.normalize.NORMALIZE_VERSION`, :data:`gazetteer.build.DATA_VERSION`)."""
        return self._index.is_current()

    def close(self) -> None:
        """Close the index (the gazetteer cannot be used afterwards)."""
        self._index.close()

    def __enter__(self) -> Gazetteer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ lookups
    def get(self, place_id: str) -> Place:
        """The place with this id; raises :class:`PlaceNotFound`."""
        place = self._reads.place(place_id)
        if place is None:
            raise PlaceNotFound(f"no place with id {place_id!r} in the gazetteer", query=place_id)
        return place

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
            wkb = self._reads.geometry_wkb(place.id)
            if wkb:
                geom = from_wkb(wkb)
        if geom is None and place.lat is not None:
            geom = Point(place.lon, place.lat)
        if len(self._geom_cache) < GEOMETRY_CACHE_SIZE:
            self._geom_cache[place.id] = geom
        return geom

    def children(self, place_id: str, kind: str | None = None) -> list:
        """Places whose parent is ``place_id`` (admin2 of an admin1, admin1 of a country...)."""
        parent = self.get(place_id)
        params: list[Any]
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
        return self._reads.places_where(where + " ORDER BY p.name", params)

    def outlines(self, bbox=None, kinds=("country", "admin1")) -> list:
        """(Place, geometry) for admin units intersecting ``bbox`` (min_lon, min_lat, max_lon, max_lat)."""
        where = f"p.has_geometry = 1 AND p.kind IN ({','.join('?' * len(kinds))})"
        params = list(kinds)
        if bbox:
            where += " AND p.max_lon >= ? AND p.min_lon <= ? AND p.max_lat >= ? AND p.min_lat <= ?"
            params += [bbox[0], bbox[2], bbox[1], bbox[3]]
        return [(p, self.geometry(p)) for p in self._reads.places_where(where, params)]

    def populated_places(self, bbox, *, min_population: int = 0, limit: int = 200) -> list:
        """Towns and cities inside ``bbox`` (min_lon, min_lat, max_lon, max_lat): capitals first, then by population.

        For a basemap's context labels. A bbox crossing the antimeridian (min_lon > max_lon) is
        read as the two sides of it.

        Examples
        --------
        >>> [p.name for p in gz.populated_places((60, 29, 75, 39), min_population=500_000, limit=3)]  # doctest: +SKIP
        ['Kabul', 'Kandahar', 'Peshawar']
        """
        x0, y0, x1, y1 = bbox
        lon_sql = "p.lon BETWEEN ? AND ?" if x0 <= x1 else "(p.lon >= ? OR p.lon <= ?)"
        where = (f"p.kind = 'populated_place' AND p.population >= ? AND p.lat BETWEEN ? AND ? AND {lon_sql} "
                 "ORDER BY (p.feature_code = 'PPLC') DESC, p.population DESC, p.name LIMIT ?")
        rows = store.select_places(self._conn, where, [int(min_population), y0, y1, x0, x1, int(limit)])
        return [store.row_to_place(r) for r in rows]

    def sources(self) -> list:
        """The loaded sources' descriptions (name, attribution, licence...), by name."""
        return self._index.sources()

    def meta(self) -> dict:
        """The index's build metadata (see :meth:`gazetteer.index.GazetteerIndex.meta`)."""
        return self._index.meta()

    def attribution(self) -> list:
        """Attribution lines renderers must show for the loaded sources."""
        return self._index.attribution()

    def stats(self) -> dict:
        """Counts of places (in all and per kind) and of indexed names."""
        return self._index.stats()

    def name_entries(self, *, with_flag: bool = False):
        """Yield (key, place_id, population, kind, country_code) for every indexed name (for text scanning).

        With ``with_flag`` a sixth item says how the name belongs to the place:
        0 its primary name, 1 an alternate name, 2 a name with type words removed.
        """
        yield from self._reads.name_entries(with_flag=with_flag)

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
        return country_code_of_key(self._reads, normalize(v))

    def demonym_country(self, name: str) -> str:
        """ISO code of the country a nationality word names ("Ukrainian", "Syrians" -> "UA", "SY"),
        or "" (also for a word that is itself a country's name, "Myanmar").

        The table (:mod:`mapper.countries`, the one owner of demonyms) is written into the index
        at build time, so a lookup here costs one read per process.
        """
        table = self._reads.demonym_table()
        key = normalize(name or "")
        if key.startswith("the "):
            key = key[4:]
        cc = table.get(key) or (table.get(key[:-1]) if key.endswith("s") else None)
        if not cc or country_code_of_key(self._reads, key):
            return ""
        return cc
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
                    tuple(context_point(c) for c in context), limit, kind) if isinstance(name, str) else None
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
            country_place = self._reads.country_place(nationality)
            return Resolution(
                query=query, status=NOT_FOUND,
                suggestions=(country_place.name,) if country_place else (),
                message=f"{query!r} is a nationality word, not a place"
                + (f"; the country is {country_place.name} ({nationality})" if country_place else ""),
            )
        within_place = self._within_place(within, cc)
        ctx = tuple(x for x in (context_point(c) for c in context) if x is not None)
        cands = []
        for i, alt in enumerate(split_alternates(query)):
            found = self._candidates(alt, cc, within_place, ctx, kind)
            if i:  # a parenthesised alternate ("Nad Ali district (Marja)") ranks just below the main name
                found = [as_alternate_part(c) for c in found]
            cands.extend(found)
        if not cands:
            return Resolution(
                query=query, status=NOT_FOUND, suggestions=tuple(self.suggest(query, country=cc)),
                message=f"no place called {query!r} in the gazetteer",
            )
        ranked = rank(cands)
        if within_place is not None and not self.within_hint(ranked[0].place, within_place):
            # A hinted unit is a constraint: a good enough match inside it wins over a better one outside.
            inside = [c for c in ranked
                      if c.quality >= MIN_MATCH_TO_RESOLVE and self.within_hint(c.place, within_place)]
            if inside:
                ranked = [inside[0]] + [c for c in ranked if c.place.id != inside[0].place.id]
        ranked = ranked[: max(limit, 2)]
        hint = kind or strip_type_words(normalize(query))[1]
        if not hint:
            ranked = city_over_eponymous_unit(ranked)
        elif hint in ("admin1", "admin2") and ranked[0].place.kind == "populated_place":
            ranked = self._unit_of_eponymous_city(ranked, hint)
        best = ranked[0]
        # A lookalike (variant or fuzzy name) far from every place of the document or list is a
        # suggestion, not a resolution ("Minova" in a Congolese article is not Minoa, New York).
        far = best.match != "exact" and ctx and best.place.lat is not None and all(
            context_km(best.place, x) > FAR_LOOKALIKE_KM for x in ctx)
        if far:
            return Resolution(
                query=query, status=NOT_FOUND, candidates=tuple(ranked[:limit]),
                suggestions=tuple(dict.fromkeys(c.place.name for c in ranked[:limit])),
                message=f"no confident match for {query!r} near the other places; closest: "
                f"{best.place.name} ({best.place.country_code}), a {best.match} match over "
                f"{FAR_LOOKALIKE_KM:.0f} km from them",
            )
        # A lookalike with no hint and no other place to support it is a suggestion unless the match
        # is strong for so important a place ("Minova" alone is not Minoa, New York; "Peshawer" is Peshawar).
        if cc is None and within_place is None and not ctx and is_lone_lookalike_guess(best, split_alternates(query)):
            return Resolution(
                query=query, status=NOT_FOUND, candidates=tuple(ranked[:limit]),
                suggestions=tuple(dict.fromkeys(c.place.name for c in ranked[:limit])),
                message=f"no confident match for {query!r}: the closest, {best.place.name} "
                f"({best.place.country_code}), is only a {best.match} match; give a country or the other places",
            )
        # A hinted country is a constraint: the best match abroad is only a suggestion.
        abroad = cc is not None and best.place.country_code != cc
        # A hinted unit is a constraint too: a place outside it, even a namesake matching exactly,
        # is only a suggestion (the row meant another place, one the gazetteer does not know).
        outside = within_place is not None and not self.within_hint(best.place, within_place)
        if best.quality < MIN_MATCH_TO_RESOLVE or abroad or outside:
            if outside and within_place is not None and not abroad and best.quality >= MIN_MATCH_TO_RESOLVE:
                km = self.km_outside(best.place, within_place)
                where = ", ".join(x for x in (best.place.admin1, best.place.country_code) if x)
                message = (f"{query!r} is not within {within_place.name}: the closest match, {best.place.name}"
                           f" ({where}), lies {km:,.0f} km beyond its boundary")
            else:
                message = (f"no confident match for {query!r}" + (f" in {cc}" if abroad else "")
                           + (f" within {within_place.name}" if outside and within_place is not None else "")
                           + f"; closest: {best.place.name} ({best.place.country_code})")
            return Resolution(
                query=query, status=NOT_FOUND, candidates=tuple(ranked[:limit]),
                suggestions=tuple(dict.fromkeys(c.place.name for c in ranked[:limit])), message=message,
            )
        status = RESOLVED
        if len(ranked) > 1 and is_ambiguous(ranked[0], ranked[1]):
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
    def _unit_of_eponymous_city(self, ranked: list[Candidate], kind: str) -> list[Candidate]:
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

    def _candidates(self, text: str, cc: str | None, within: Place | None, ctx: tuple[ContextPoint, ...],
                    kind: str | None) -> list[Candidate]:
        key = normalize(text)
        if not key:
            return []
        stripped, hint = strip_type_words(key)
        if stripped in TYPE_ONLY:
            return []
        kind = kind or hint
        matches: dict[int, tuple[float, str]] = {}  # pid -> (match quality, how)
        known: dict[int, PlaceRecord] = {}  # pid -> place record already fetched with its name
        in_country = False  # some match lies in the hinted country

        def offer(pid: int, quality: float, pcc: str | None, how: str) -> None:
            nonlocal in_country
            if pid not in matches or matches[pid][0] < quality:
                matches[pid] = (quality, how)
            in_country = in_country or pcc == cc

        aliased = set()  # pids matched exactly through an analyst alias (see ALIAS_BONUS)
        for k in dict.fromkeys((key, stripped)):
            for hit in self._reads.exact(k, cc):
                known[hit.pid] = hit
                q = FLAG_MATCH.get(hit.flag, MATCH_ALTERNATE) if k == key else MATCH_STRIPPED
                offer(hit.pid, q, hit.country_code, "exact")
                if hit.flag == store.NAME_FLAG_ALIAS and k == key:
                    aliased.add(hit.pid)
        own = None
        if not matches or (cc and not in_country):
            skel = skeleton(stripped)
            if skel:
                # With a country hint only that country's namesakes can win (others would be
                # "abroad" and not_found), so the skeleton is read for that country alone.
                own = self._reads.by_skeleton(skel, cc)
                for found in variant_matches(stripped, own):
                    offer(found.pid, found.quality, found.country_code, "variant")
        if not matches or (cc and not in_country):
            for found in self._fuzzy(stripped, cc, own, query_had_type_word=stripped != key):
                offer(found.pid, found.quality, found.country_code, "fuzzy")
        if not matches:
            return []
        top = sorted(matches.items(), key=lambda kv: -kv[1][0])[:MAX_HYDRATE]
        missing = [pid for pid, _ in top if pid not in known]
        records = {**known, **(self._reads.places_by_pids(missing) if missing else {})}
        out = []
        for pid, (q, how) in top:
            rec = records.get(pid)
            if rec is not None:
                place = rec.place()
                c = score_candidate(place, rec.importance, q, how, text, cc=cc, within=within,
                                    inside_within=within is not None and self._inside(place, within),
                                    ctx=ctx, kind=kind)
                if pid in aliased:
                    c = with_alias_bonus(c)
                out.append(c)
        return out

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

    def _near(self, key: str, cc: str | None) -> list[tuple[str, str, int]]:
        """(display, key, pid) of up to 20 names close to ``key`` among the
        :meth:`~gazetteer.candidates.CandidateReader.prefilter` rows, closest first."""
        picked = [(r.pid, r.key) for r in near_names(key, self._reads.prefilter(key, cc))]
        display = self._reads.display_names(picked) if picked else {}
        return [(display.get((pid, k), k), k, pid) for pid, k in picked]

    def _fuzzy(self, key: str, cc: str | None, own: NameRows | None, *,
               query_had_type_word: bool) -> list[NameMatch]:
        """Typo-tolerant fallback over the prefiltered names (:func:`gazetteer.scoring.fuzzy_matches`)."""
        if len(key) < FUZZY_MIN_KEY_LENGTH:
            return []  # before the read: short keys are never typo targets
        return fuzzy_matches(key, self._reads.prefilter(key, cc, own), cc, query_had_type_word=query_had_type_word)


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
    if len(name) > MAX_NAME_LENGTH * RAW_LENGTH_FACTOR:
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
    return s[:PREVIEW_CHARS] + ("…" if len(s) > PREVIEW_CHARS else "")


