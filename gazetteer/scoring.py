"""Scoring and ranking of gazetteer candidates: pure functions over places and name rows, no SQL.

:class:`gazetteer.Gazetteer` reads candidates (:mod:`gazetteer.candidates`), asks this module how
well each name matched and how well each place fits the query's hints and context, and ranks.

Ranking
-------
Every candidate gets ``score = W_MATCH*match + W_IMPORTANCE*importance + W_CONTEXT*context``
(clipped to [0, 1]) where

* ``match`` is how well the name matched: exact primary name :data:`MATCH_PRIMARY`, exact
  alternate :data:`MATCH_ALTERNATE`, with type words removed :data:`MATCH_STRIPPED`, same
  romanisation skeleton ``VARIANT_BASE + VARIANT_SPAN x similarity`` (:func:`variant_matches`,
  :data:`VARIANT_ALTERNATE_PENALTY` less on alternate names), fuzzy up to :data:`FUZZY_SPAN`
  (``FUZZY_SPAN x`` optimal-string-alignment similarity, :func:`fuzzy_matches`);
* ``importance`` grows with kind (country, admin1) and log population
  (:mod:`gazetteer.importance`); it counts :data:`INEXACT_IMPORTANCE_FACTOR` for non-exact matches;
* ``context`` (:func:`score_candidate`) rewards a hinted country, containment in a hinted admin
  unit, a type word that agrees with the kind ("Badghis *province*") and closeness to other
  places of the same document or row, and penalises the opposite.

Analyst aliases (``gazetteer add aliases``, names stored with flag
:data:`gazetteer.store.NAME_FLAG_ALIAS`) match like primary names and an exact match on one adds
:data:`ALIAS_BONUS`, so they win over other sources; a hinted country still applies.

A variant or fuzzy best match asked for with no hint and no other place around it
(:func:`is_lone_lookalike_guess`) resolves only on enough evidence: match quality plus
:data:`LONE_LOOKALIKE_IMPORTANCE` x importance, plus :data:`LONE_LOOKALIKE_SOUNDS_ALIKE_BONUS` when one
of the names is a compound and they differ only in vowels of one class, doubled letters, spacing or
izafe (:func:`gazetteer.normalize.sounds_alike`), must reach :data:`LONE_LOOKALIKE_MIN_EVIDENCE`. A near
spelling of a city ("Peshawer", "Kinshassa") or a transliteration of a town ("Qal-e-Naw") resolves;
a lookalike of a village elsewhere ("Minova" -> Minoa, New York) is only a suggestion.

A best candidate with match quality below :data:`MIN_MATCH_TO_RESOLVE`, outside a hinted
country, or outside a hinted unit (:meth:`gazetteer.Gazetteer.within_hint`; even an exact
namesake: the row meant another place) makes the status ``not_found``, with the reason in
``message``. When the two best candidates are within :data:`AMBIGUITY_MARGIN` of each other,
are far apart and neither contains the other (:func:`is_ambiguous`), the status is ``ambiguous``
and both are returned.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from gazetteer._geo import haversine_km
from gazetteer.candidates import IndexedName, NameRows
from gazetteer.model import Candidate, Place
from gazetteer.names import ALIAS, ALTERNATE, PRIMARY, STRIPPED
from gazetteer.normalize import normalize, skeleton, soft_form, sounds_alike

# ------------------------------------------------------------------ the score's three terms
W_MATCH, W_IMPORTANCE, W_CONTEXT = 0.60, 0.20, 0.20
#: Importance counts this much when the name matched only as a variant: big cities carry
#: hundreds of exotic alternates that would otherwise out-rank the real variant.
INEXACT_IMPORTANCE_FACTOR = 0.25

# ------------------------------------------------------------------ match quality
MATCH_PRIMARY, MATCH_ALTERNATE, MATCH_STRIPPED = 1.0, 0.96, 0.94
VARIANT_BASE, VARIANT_SPAN = 0.45, 0.45  # variant match = base + span * similarity
VARIANT_ALTERNATE_PENALTY = 0.06
VARIANT_MIN_SIMILARITY = 0.80
SHORT_SKELETON_MIN_SIMILARITY = 0.90  # skeletons of <= 2 letters are too common otherwise
#: Skeletons this long or shorter need :data:`SHORT_SKELETON_MIN_SIMILARITY`.
SHORT_SKELETON_LENGTH = 2
FUZZY_MIN_SIMILARITY = 0.80
FUZZY_SPAN = 0.90  # fuzzy match = span * similarity
#: Queries shorter than this (normalized characters) get no typo-tolerant matches.
FUZZY_MIN_KEY_LENGTH = 4
#: Below this match quality the best candidate is only a suggestion: status not_found.
MIN_MATCH_TO_RESOLVE = 0.75
#: "Did you mean" names: Indel ratio (0-100) at least this, at most SUGGEST_MAX names.
SUGGEST_CUTOFF = 60
SUGGEST_MAX = 20
#: Match quality by name flag (:mod:`gazetteer.names`: primary, alternate, type words stripped, alias).
FLAG_MATCH = {PRIMARY: MATCH_PRIMARY, ALTERNATE: MATCH_ALTERNATE, STRIPPED: MATCH_STRIPPED, ALIAS: MATCH_PRIMARY}
#: Name flag of a key with its type words removed (:data:`gazetteer.names.STRIPPED`).
STRIPPED_FLAG = STRIPPED
#: Queries that are only a type word ("province") are no place name.
TYPE_ONLY = frozenset({"province", "district", "city", "town", "village", "matun", "center", "centre", "area"})
#: A parenthesised alternate ("Nad Ali district (Marja)") ranks this much below the main name.
ALTERNATE_PART_PENALTY = 0.03
#: Score bonus for an exact match on an analyst alias: more than any importance gap (W_IMPORTANCE).
ALIAS_BONUS = 0.2

# ------------------------------------------------------------------ context term
CONTEXT_IN_COUNTRY, CONTEXT_NOT_IN_COUNTRY = 0.5, -1.0
CONTEXT_WITHIN_UNIT, CONTEXT_OUTSIDE_UNIT = 0.5, -0.4
#: A place of the kind asked for; of another admin level when an admin level was asked; else.
CONTEXT_KIND_MATCH, CONTEXT_KIND_OTHER_ADMIN, CONTEXT_KIND_MISMATCH = 0.3, 0.1, -0.15
#: Closeness to the document's other places: ``NEAR_MAX * exp(-km / CONTEXT_DECAY_KM) + NEAR_OFFSET``.
CONTEXT_NEAR_MAX, CONTEXT_NEAR_OFFSET = 0.5, -0.1
CONTEXT_DECAY_KM = 300.0
SUBNATIONAL_KINDS = ("admin1", "admin2", "admin3")
#: Kinds whose bounding box counts as "inside" a context item (:func:`context_km`).
CONTEXT_BOX_KINDS = ("admin1", "admin2", "other")

# ------------------------------------------------------------------ ranking decisions
#: A variant or fuzzy best match farther than this from every context place is only a suggestion.
FAR_LOOKALIKE_KM = 1500.0
#: Evidence a lone lookalike (no hint, no context) needs: quality + weight x importance (+ bonus).
#: Set on the development corpora's gold names that the gazetteer matches only inexactly (19% of
#: those lone resolutions were right before the rule) and bench_context's lone_lookalike cases.
LONE_LOOKALIKE_IMPORTANCE = 0.25
LONE_LOOKALIKE_SOUNDS_ALIKE_BONUS = 0.05
LONE_LOOKALIKE_MIN_EVIDENCE = 1.03
AMBIGUITY_MARGIN = 0.015  # ~ a threefold population gap between exact namesakes
AMBIGUITY_MIN_KM = 25.0
#: A town named like the unit that holds it wins when it scores at most this much less, among
#: the EPONYMOUS_TOWN_WINDOW candidates after the unit (:func:`city_over_eponymous_unit`).
EPONYMOUS_TOWN_MARGIN = 0.1
EPONYMOUS_TOWN_WINDOW = 3


@dataclass(frozen=True)
class ContextPoint:
    """A context item (another place of the document or row) as the scorer uses it.

    ``kind`` and ``country_code`` are empty for bare (lat, lon) points; ``bbox``
    (min_lon, min_lat, max_lon, max_lat) is set for units whose box counts as inside.
    """

    lat: float
    lon: float
    kind: str = ""
    country_code: str = ""
    bbox: tuple | None = None


@dataclass(frozen=True)
class NameMatch:
    """A name row that matched the query: place ``pid``, match quality, country code."""

    pid: int
    quality: float
    country_code: str | None


def _latlon_of(c) -> tuple[float, float] | None:
    if isinstance(c, Place):
        return (c.lat, c.lon) if c.lat is not None and c.lon is not None else None
    if isinstance(c, Candidate):
        return _latlon_of(c.place)
    if isinstance(c, (tuple, list)) and len(c) == 2:
        return (float(c[0]), float(c[1]))
    return None


def context_point(c) -> ContextPoint | None:
    """A context item (:class:`Place`, :class:`Candidate` or ``(lat, lon)``) as a :class:`ContextPoint`."""
    if isinstance(c, Candidate):
        c = c.place
    if isinstance(c, Place):
        if c.lat is None or c.lon is None:
            return None
        return ContextPoint(c.lat, c.lon, c.kind, c.country_code or "",
                            c.bbox if c.kind in CONTEXT_BOX_KINDS else None)
    p = _latlon_of(c)
    return ContextPoint(p[0], p[1]) if p else None


def context_km(place: Place, ctx: ContextPoint) -> float:
    """Distance from ``place`` (with a point) to a context item: 0 inside a context country or unit
    (its country code, or its box for a unit), else between the points."""
    if ctx.kind == "country" and ctx.country_code and place.country_code == ctx.country_code:
        return 0.0
    bbox = ctx.bbox
    if bbox and bbox[0] <= place.lon <= bbox[2] and bbox[1] <= place.lat <= bbox[3]:
        return 0.0
    if place.kind == "country" and ctx.country_code and place.country_code == ctx.country_code:
        return 0.0  # the country of a context place contains it
    return haversine_km(place.lat, place.lon, ctx.lat, ctx.lon)


def variant_matches(stripped: str, own: NameRows) -> list[NameMatch]:
    """Names of the query's own skeleton (``own``) that are romanisation variants of ``stripped``.

    Similarity is the mean of the literal and the vowel-class Indel ratios
    (:func:`gazetteer.normalize.similarity` over the rows), at least :data:`VARIANT_MIN_SIMILARITY`
    (:data:`SHORT_SKELETON_MIN_SIMILARITY` for short skeletons).
    """
    from rapidfuzz import process
    from rapidfuzz.fuzz import ratio

    if not own:
        return []
    skel = skeleton(stripped)
    min_sim = SHORT_SKELETON_MIN_SIMILARITY if len(skel) <= SHORT_SKELETON_LENGTH else VARIANT_MIN_SIMILARITY
    # The mean of two ratios reaches min_sim only if the literal one reaches 2 * min_sim - 1.
    soft_query = soft_form(stripped)
    out = []
    for _k, literal, i in process.extract(
        stripped, own.keys, scorer=ratio, limit=None, score_cutoff=(200 * min_sim - 100)
    ):
        sim = (literal + ratio(soft_query, own.soft(i))) / 200.0
        if sim >= min_sim:
            row = own[i]
            q = VARIANT_BASE + VARIANT_SPAN * sim - (VARIANT_ALTERNATE_PENALTY if row.flag else 0.0)
            out.append(NameMatch(row.pid, q, row.country_code))
    return out


def fuzzy_matches(key: str, rows: NameRows, cc: str | None, *, query_had_type_word: bool) -> list[NameMatch]:
    """Typo-tolerant matches among ``rows`` (:meth:`gazetteer.candidates.CandidateReader.prefilter`):
    optimal string alignment similarity to ``key`` at least :data:`FUZZY_MIN_SIMILARITY` (a
    transposition counts once, so geoBoundaries' "Ghanzi" still meets "Ghazni")."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    if len(key) < FUZZY_MIN_KEY_LENGTH:
        return []
    if not cc:
        # Without a country every place competes, and alternate names (hundreds per big city,
        # in many languages) would pair typos with far-away places ("Darfur" -> Dufur, US):
        # only primary names are typo targets then.
        rows = rows.with_flag(PRIMARY)
    if not rows:
        return []
    found = process.extract(key, rows.keys, scorer=OSA.normalized_similarity, limit=None,
                            score_cutoff=FUZZY_MIN_SIMILARITY)
    out = []
    for _k, sim, i in found:
        row = rows[i]
        # A name with its type word removed ("Abadkus" of "Abadkus Bazar") ranks below a real
        # name as similar, as in the exact stage, unless the query had a type word too.
        penalty = MATCH_PRIMARY - MATCH_STRIPPED if row.flag == STRIPPED_FLAG and not query_had_type_word else 0.0
        out.append(NameMatch(row.pid, FUZZY_SPAN * sim - penalty, row.country_code))
    return out


def near_names(key: str, rows: NameRows) -> list[IndexedName]:
    """Up to :data:`SUGGEST_MAX` of ``rows`` whose key is close to ``key`` (Indel ratio at least
    :data:`SUGGEST_CUTOFF`), closest first: "did you mean" material."""
    from rapidfuzz import process
    from rapidfuzz.fuzz import ratio

    if not rows:
        return []
    found = process.extract(key, rows.keys, scorer=ratio, limit=SUGGEST_MAX, score_cutoff=SUGGEST_CUTOFF)
    return [rows[idx] for _k, _score, idx in found]


def score_candidate(
    place: Place,
    importance: float | None,
    quality: float,
    how: str,
    text: str,
    *,
    cc: str | None,
    within: Place | None,
    inside_within: bool,
    ctx: Sequence[ContextPoint],
    kind: str | None,
) -> Candidate:
    """The :class:`Candidate` for ``place`` matched on ``text`` with ``quality`` (``how``: exact,
    variant, fuzzy), scored against the hints: country ``cc``, unit ``within`` (``inside_within``:
    whether the place lies strictly in it), preferred ``kind`` and the context points ``ctx``."""
    reasons = [f"{how} match on {text!r} ({quality:.2f})"]
    context = 0.0
    if cc:
        if place.country_code == cc:
            context += CONTEXT_IN_COUNTRY
            reasons.append(f"in {cc}")
        else:
            context += CONTEXT_NOT_IN_COUNTRY
            reasons.append(f"not in {cc}")
    if within is not None:
        if inside_within:
            context += CONTEXT_WITHIN_UNIT
            reasons.append(f"within {within.name}")
        elif place.id != within.id:
            context += CONTEXT_OUTSIDE_UNIT
            reasons.append(f"outside {within.name}")
    if kind:
        if place.kind == kind:
            context += CONTEXT_KIND_MATCH
            reasons.append(f"kind {kind}")
        elif kind in SUBNATIONAL_KINDS and place.kind in SUBNATIONAL_KINDS:
            context += CONTEXT_KIND_OTHER_ADMIN
        else:
            context += CONTEXT_KIND_MISMATCH
    if ctx and place.lat is not None:
        d = min(context_km(place, x) for x in ctx)
        context += CONTEXT_NEAR_MAX * math.exp(-d / CONTEXT_DECAY_KM) + CONTEXT_NEAR_OFFSET
        reasons.append(f"{d:.0f} km from context")
    imp = (importance or 0.0) * (1.0 if how == "exact" else INEXACT_IMPORTANCE_FACTOR)
    if place.population:
        reasons.append(f"pop {place.population:,}")
    score = W_MATCH * quality + W_IMPORTANCE * imp + W_CONTEXT * context
    return Candidate(
        place=place, score=max(0.0, min(1.0, score)), reason="; ".join(reasons), match=how, quality=quality,
        importance=importance or 0.0,
    )


def with_alias_bonus(c: Candidate) -> Candidate:
    """``c`` matched exactly through an analyst alias: :data:`ALIAS_BONUS` more."""
    return replace(c, score=min(1.0, c.score + ALIAS_BONUS), reason=c.reason + "; analyst alias")


def as_alternate_part(c: Candidate) -> Candidate:
    """``c`` matched a parenthesised alternate of the query: :data:`ALTERNATE_PART_PENALTY` less."""
    return replace(c, score=max(0.0, c.score - ALTERNATE_PART_PENALTY))


def rank(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The best candidate per place, best first (ties: larger population, then id)."""
    best_by_id: dict[str, Candidate] = {}
    for c in candidates:
        if c.place.id not in best_by_id or c.score > best_by_id[c.place.id].score:
            best_by_id[c.place.id] = c
    return sorted(best_by_id.values(), key=lambda c: (-c.score, -c.place.population, c.place.id))


def same_name(a: str, b: str) -> bool:
    """Two spellings of one name ("Hamah" / "Ḩamāh", "Ar Raqqah" / "Raqqa", "Al Basrah" / "Basrah"):
    equal once normalized and the Arabic article dropped, or the same consonant skeleton."""
    def bare(x):
        return re.sub(r"^(?:al|ar|as|ad|an|at|az|ash|el|ul)[ -]", "", normalize(x))

    ka, kb = bare(a), bare(b)
    return ka == kb or (len(ka) > 3 and bool(skeleton(ka)) and skeleton(ka) == skeleton(kb))


def city_over_eponymous_unit(ranked: list[Candidate]) -> list[Candidate]:
    """A bare name shared by a unit and a town inside it ("Idlib", "Kandahar") means the town:
    GeoNames gives some big cities a small population, which would let their province win.
    The town moves first, with the unit's score; a type word in the query ("Idlib province")
    or a kind asked for keeps the unit (the caller skips this then)."""
    best = ranked[0]
    p = best.place
    if p.kind not in ("admin1", "admin2") or best.match != "exact":
        return ranked
    for i, c in enumerate(ranked[1:1 + EPONYMOUS_TOWN_WINDOW], start=1):
        q = c.place
        if (q.kind == "populated_place" and c.match == "exact" and c.quality >= best.quality
                and p.id in (q.admin1_id, q.admin2_id) and best.score - c.score < EPONYMOUS_TOWN_MARGIN):
            town = replace(c, score=best.score, reason=c.reason + f"; the town named like {p.name}")
            return [town] + [x for j, x in enumerate(ranked) if j != i]
    return ranked


def lone_lookalike_evidence(c: Candidate, query_parts: Sequence[str]) -> float:
    """How much a variant or fuzzy match ``c`` of a query written as ``query_parts`` (the name and
    its parenthesised alternates) says on its own (see the module docstring)."""
    # Sounding alike counts for compounds only ("Qal-e-Naw" / "Qala i Naw", "Tirin Kot" / "Tarinkot"):
    # between two single words one vowel apart ("Narnia" / "Narni") it is as often chance.
    alike = any(sounds_alike(part, c.place.name) and (_several_words(part) or _several_words(c.place.name))
                for part in query_parts)
    return c.quality + LONE_LOOKALIKE_IMPORTANCE * c.importance + (LONE_LOOKALIKE_SOUNDS_ALIKE_BONUS if alike else 0.0)


def _several_words(name: str) -> bool:
    return len(normalize(name).split()) > 1


def is_lone_lookalike_guess(c: Candidate, query_parts: Sequence[str]) -> bool:
    """True when ``c``, an inexact best match with nothing around it, is only a guess.

    >>> town = Place(id="t", name="Minoa", kind="populated_place", lat=43.2, lon=-76.0, population=3523)
    >>> is_lone_lookalike_guess(Candidate(town, 0.5, "", "variant", 0.86, 0.5), ["Minova"])
    True
    >>> city = Place(id="c", name="Peshawar", kind="populated_place", lat=34.0, lon=71.6, population=4758762)
    >>> is_lone_lookalike_guess(Candidate(city, 0.6, "", "variant", 0.87, 0.94), ["Peshawer"])
    False
    """
    return c.match != "exact" and lone_lookalike_evidence(c, query_parts) < LONE_LOOKALIKE_MIN_EVIDENCE


def is_ambiguous(a: Candidate, b: Candidate) -> bool:
    """Whether the two best candidates are too close to call (see the module docstring)."""
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
