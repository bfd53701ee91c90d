"""Flags on draft claims and the merge of identical drafts of one article.

Every draft carries a ``flags`` column (``;``-separated, empty when nothing is
doubtful) so a reviewer, and ``conflictmap map``, can look at the doubtful
drafts first:

``place_far_from_article``
    the place lies more than :data:`FAR_FROM_ARTICLE_KM` from every other
    place the article names (a lookalike name on another continent);
``place_outside_article_countries``
    the place is in a country the article names nowhere else;
``place_unresolved``
    the gazetteer did not resolve the place;
``low_match``
    the gazetteer's match score is below :data:`LOW_MATCH_SCORE`;
``actor_unknown``
    no actor, or one the actor registry does not know;
``speaker_unresolved``
    "it said" / "he told reporters" with no antecedent: the outlet stands in;
``place_from_reference``
    the place is a reference ("the city") resolved to an earlier mention.

Each flag lowers the confidence by :data:`FLAG_PENALTY` (a reference or an
inferred actor were already counted when the claim was built).
"""

from __future__ import annotations

from dataclasses import replace

from gazetteer import haversine_km

#: A claim place farther than this from every other place of the article is flagged.
FAR_FROM_ARTICLE_KM = 500.0
#: Gazetteer scores below this are flagged as weak matches.
LOW_MATCH_SCORE = 0.35
#: Confidence lost per flag (geographic and speaker flags).
FLAG_PENALTY = 0.1
#: Flags that do not lower the confidence again (already counted when the claim was built).
COUNTED_FLAGS = frozenset({"place_from_reference", "actor_unknown"})
#: Separator of several sentences in a merged claim's quote.
QUOTE_JOINER = " […] "

def _flags_of(claim) -> list:
    for k, v in claim.extra:
        if k == "flags":
            return [f for f in v.split(";") if f]
    return []


def _with(claim, **extra):
    d = dict(claim.extra)
    d.update(extra)
    return replace(claim, extra=tuple(d.items()))


def geographic_flags(place, mention_places: list, countries: frozenset) -> list:
    """Flags for one claim place against the article's other places.

    ``place`` is a gazetteer Place (or None); ``mention_places`` the Places of
    every resolved mention in the article; ``countries`` the countries the
    article names (places, demonyms, dateline).
    """
    if place is None:
        return ["place_unresolved"]
    flags = []
    others = [p for p in mention_places if p is not None and p.id != place.id and p.kind != "country"]
    if place.kind != "country" and others:
        here = (place.lon, place.lat)
        if min(haversine_km(here[1], here[0], p.lat, p.lon) for p in others) > FAR_FROM_ARTICLE_KM:
            flags.append("place_far_from_article")
    cc = place.country_code or ""
    other_ccs = {p.country_code for p in mention_places if p is not None and p.id != place.id and p.country_code}
    if cc and (other_ccs or countries) and cc not in (other_ccs | set(countries)):
        flags.append("place_outside_article_countries")
    return flags


def finish_claims(claims: list, *, mention_places: list, countries: frozenset, places_by_id: dict) -> list:
    """Add the geographic flags, lower the confidence per flag, and merge identical drafts.

    Identical drafts (same place, status, actor, claimant, scope and time) become one
    claim that keeps every sentence: the quotes joined by :data:`QUOTE_JOINER`, the
    first sentence's offsets in ``sentence_start``/``sentence_end`` and all of them in
    ``sentences`` ("start-end;start-end").
    """
    out = []
    mention_places = list({p.id: p for p in mention_places if p is not None}.values())
    geo: dict = {}  # one computation per place
    for c in claims:
        flags = _flags_of(c)
        place = places_by_id.get(c.place_id) if c.place_id else None
        if c.place_id not in geo:
            geo[c.place_id] = geographic_flags(place, mention_places, countries)
        for f in geo[c.place_id]:
            if f not in flags:
                flags.append(f)
        penalty = FLAG_PENALTY * sum(1 for f in flags if f not in COUNTED_FLAGS)
        conf = round(max(0.05, (c.confidence or 0) - penalty), 2)
        out.append(_with(replace(c, confidence=conf), flags=";".join(flags)))
    return merge_identical(out)


def _key(c) -> tuple:
    return (c.place_id or c.place.lower(), c.status, c.actor, c.claimant.lower(), c.scope,
            c.time.earliest, c.time.latest)


def merge_identical(claims: list) -> list:
    """One claim per identical draft, keeping every sentence it was read from (see :func:`finish_claims`)."""
    merged: dict = {}
    order = []
    for c in claims:
        d = dict(c.extra)
        span = f"{d.get('sentence_start', '')}-{d.get('sentence_end', '')}"
        k = _key(c)
        if k not in merged:
            merged[k] = (c, [span], [c.quote])
            order.append(k)
            continue
        first, spans, quotes = merged[k]
        if span not in spans:
            spans.append(span)
            if c.quote not in quotes:
                quotes.append(c.quote)
        if (c.confidence or 0) > (first.confidence or 0):
            first = replace(first, confidence=c.confidence)
        if c.notes and c.notes not in first.notes:
            first = replace(first, notes="; ".join(x for x in (first.notes, c.notes) if x))
        merged[k] = (first, spans, quotes)
    out = []
    for k in order:
        c, spans, quotes = merged[k]
        c = replace(c, quote=QUOTE_JOINER.join(quotes))
        out.append(_with(c, sentences=";".join(spans)))
    return out
