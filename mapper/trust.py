"""Trust guards: doubtful placements a reader must be told about.

A map is only as good as its weakest placement, and a wrong one looks as crisp as a
right one. Two checks run over the places a claims file was resolved to (per input
file, since one file is one story):

* **Outliers** (:func:`find_outliers`): a place far from the rest of the file's
  places, or in a country no other row names, is listed in the run report and
  carries a warning in its popup. "Far" is robust to the outlier itself: the
  distance from the file's median point (the component-wise median of the places'
  unit vectors, which one stray place cannot move) is above both
  :data:`OUTLIER_KM` and :data:`OUTLIER_SPREAD_FACTOR` times the places' median
  distance from it (a file that covers a whole country is not all outliers), and
  the place has no other place of the file within :data:`OUTLIER_ISOLATION_KM`
  (a second front with several places is a cluster, not a mistake), and such far
  places are at most :data:`OUTLIER_MAX_SHARE` of the file's places. The typical
  mistake it catches is a namesake on another continent. "Alone in its country" applies
  to files mostly about one country (more than :data:`OUTLIER_HOME_SHARE` of the places
  whose country is known).
* **Flagged drafts** (:func:`flagged_drafts`): claims drafted by
  ``conflictmap extract`` carry a ``flags`` column (``place_far_from_article``,
  ``place_outside_article_countries``, ``actor_unknown``, ``low_match``,
  ``speaker_unresolved``..., ``;``-separated). They are listed before anything
  else in the report and marked in their popups.

Both are advisory: nothing is dropped, the claims stay on the map.
"""

from __future__ import annotations

import math
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median

from gazetteer import haversine_km

#: A place farther than this (km) from the file's median point may be an outlier ...
OUTLIER_KM = 500.0
#: ... if it is also farther than this many times the places' median distance from that point ...
OUTLIER_SPREAD_FACTOR = 3.0
#: ... and no other place of the file lies within this distance (km) of it.
OUTLIER_ISOLATION_KM = 250.0
#: More far places than this share of the file's places are a second front, not outliers.
OUTLIER_MAX_SHARE = 0.1
#: The country rule applies to files with more than this share of their places in one country.
OUTLIER_HOME_SHARE = 0.5
#: Fewer distinct places than this and nobody is "the rest": no outlier test.
OUTLIER_MIN_PLACES = 3
#: Characters of the quote shown for a flagged draft in the report.
QUOTE_PREVIEW = 60

#: What the extractor's flags mean, in words a reader understands (unknown flags are shown as words).
FLAG_TEXT = {
    "place_far_from_article": "the place is far from the article's other places",
    "place_outside_article_countries": "the place is in a country the article does not mention",
    "actor_unknown": "the actor is not in the actor registry",
    "low_match": "the place name matched the gazetteer only loosely",
    "speaker_unresolved": "who makes the claim could not be worked out",
}
_FLAG_SPLIT = re.compile(r"[;,|]")


@dataclass(frozen=True)
class Outlier:
    """A place that does not fit the rest of its file; ``rows`` are "file row N" labels."""

    place_key: str
    name: str
    rows: tuple
    reason: str
    km: float | None = None  # distance from the file's median point, when that is the reason

    def __str__(self) -> str:
        return f"{self.name!r} ({_rows_text(self.rows)}): {self.reason}"

    @property
    def warning(self) -> str:
        """The warning shown in the place's popup."""
        return f"Possible misplacement: {self.reason}. Check that this is the place the claim means."


@dataclass(frozen=True)
class FlaggedDraft:
    """A draft claim the extractor flagged for review."""

    claim: object  # mapper.model.Claim
    flags: tuple

    def __str__(self) -> str:
        c = self.claim
        conf = f" (confidence {c.confidence:.2f})" if c.confidence is not None else ""
        quote = " ".join((c.quote or "").split())
        if len(quote) > QUOTE_PREVIEW:
            quote = quote[:QUOTE_PREVIEW].rstrip() + "…"
        return (f"{origin_label(c)}: {c.place!r} [{'; '.join(self.flags)}]{conf}"
                + (f' "{quote}"' if quote else ""))


@dataclass(frozen=True)
class UnknownActor:
    """An actor the claims name that the registry does not know; drawn in a colour of its own."""

    name: str
    colour: str
    rows: tuple  # "file row N" labels of the claims naming it

    def __str__(self) -> str:
        return (f"unknown actor {self.name!r} ({_rows_text(self.rows)}): drawn in {self.colour}; "
                "add it with --actors FILE")


def unknown_actors(entries: Iterable, actors) -> list:
    """:class:`UnknownActor` for each actor of ``entries`` (timeline entries) that is not in
    the registry (``configured=False``), in first-use order."""
    unknown = {a.name: a for a in actors.used() if not a.configured}
    rows = defaultdict(dict)  # actor -> {row label: None}, an ordered set
    for e in entries:
        if e.actor in unknown and getattr(e, "derived_from", None) is None:
            rows[e.actor][origin_label(e.claim)] = None
    return [UnknownActor(a.name, a.colour, tuple(rows[a.name])) for a in unknown.values() if rows.get(a.name)]


def origin_label(claim) -> str:
    """'claims.csv row 4' (or the file alone when the row is unknown)."""
    o = claim.origin
    where = os.path.basename(o.path) or o.path or "input"
    return f"{where} row {o.row}" if o.row is not None else where


def claim_flags(claim) -> tuple:
    """The extractor's flags of a claim (its ``flags`` column, kept in ``extra``), in order."""
    out = []
    for k, v in claim.extra:
        if str(k).strip().casefold() == "flags" and v:
            out.extend(f.strip() for f in _FLAG_SPLIT.split(str(v)) if f.strip())
    return tuple(dict.fromkeys(out))


def flag_text(flag: str) -> str:
    """The reviewer-facing text of an extractor flag (the flag with spaces when not in FLAG_TEXT)."""
    return FLAG_TEXT.get(flag, flag.replace("_", " "))


def flagged_drafts(claims: Iterable) -> list:
    """:class:`FlaggedDraft` for every claim with flags, in input order."""
    return [FlaggedDraft(c, f) for c in claims for f in [claim_flags(c)] if f]


def draft_warnings(flagged: Sequence[FlaggedDraft], place_of: Mapping) -> dict:
    """Place key -> popup warnings for its flagged drafts (one per distinct set of flags).

    ``place_of`` maps ``id(claim)`` to its place key.
    """
    groups = defaultdict(list)  # (key, flags) -> rows
    for d in flagged:
        key = place_of.get(id(d.claim))
        if key is not None:
            groups[(key, d.flags)].append(d.claim.origin.row)
    out = defaultdict(list)
    for (key, flags), rows in groups.items():
        rows = [r for r in rows if r is not None]
        which = (f"row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))}" if rows else "a claim")
        out[key].append(f"Draft claim ({which}) flagged by the extractor: {'; '.join(flag_text(f) for f in flags)}. "
                        "Check it against the source before relying on it.")
    return dict(out)


# -- outliers -------------------------------------------------------------------
def median_point(latlons: Sequence) -> tuple:
    """(lat, lon) of the component-wise median of the points' unit vectors: robust to a few
    stray points and correct across the antimeridian."""
    xs, ys, zs = [], [], []
    for lat, lon in latlons:
        la, lo = math.radians(lat), math.radians(lon)
        xs.append(math.cos(la) * math.cos(lo))
        ys.append(math.cos(la) * math.sin(lo))
        zs.append(math.sin(la))
    x, y, z = median(xs), median(ys), median(zs)
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def _km_to_place(place, lat, lon) -> float:
    """km from (lat, lon) to the place as drawn: its polygon (0 inside), its area, or its point."""
    geom = getattr(place, "geometry", None)
    if geom is not None and geom.geom_type in ("Polygon", "MultiPolygon"):
        from shapely.errors import ShapelyError
        from shapely.geometry import Point
        from shapely.ops import nearest_points

        pt = Point(lon, lat)
        try:
            if geom.covers(pt):
                return 0.0
            near = nearest_points(geom, pt)[0]
            return haversine_km(lat, lon, near.y, near.x)
        except ShapelyError:  # an invalid outline: fall back to its point
            pass
    d = haversine_km(lat, lon, place.lat, place.lon)
    return max(0.0, d - (place.radius_m or 0.0) / 1000.0)


def find_outliers(placed: Sequence, places: Mapping, codes: Mapping, country_names: Mapping | None = None,
                  country_code: Callable[[str], str] | None = None) -> list:
    """Outliers among the places of ``placed`` (``(Claim, place key)`` pairs), file by file.

    ``codes`` maps place key -> ISO country code of the place ("" when unknown);
    ``country_names`` maps a code to the name shown. A claim's ``country`` column also
    "names" its country (``country_code`` turns it into a code; default: two-letter codes
    only). See the module docstring for the rules.
    """
    country_names = country_names or {}
    country_code = country_code or _code
    by_file = defaultdict(list)
    for claim, key in placed:
        by_file[claim.origin.path].append((claim, key))
    out = []
    for pairs in by_file.values():
        claims_of = defaultdict(list)
        for claim, key in pairs:
            claims_of[key].append(claim)
        keys = list(claims_of)

        def rows(k, claims_of=claims_of):
            return tuple(dict.fromkeys(origin_label(c) for c in claims_of[k]))

        if len(keys) < OUTLIER_MIN_PLACES:
            continue
        found = {}
        # Distance: far from the file's median point and isolated from its other places.
        pts = {k: (places[k].lat, places[k].lon) for k in keys
               if places[k].lat is not None and places[k].lon is not None}
        if len(pts) >= OUTLIER_MIN_PLACES:
            clat, clon = median_point(list(pts.values()))
            dist = {k: _km_to_place(places[k], clat, clon) for k in pts}
            typical = median(dist.values())
            threshold = max(OUTLIER_KM, OUTLIER_SPREAD_FACTOR * typical)
            far = [k for k in pts if dist[k] > threshold]
            if len(far) > max(1, int(OUTLIER_MAX_SHARE * len(pts))):
                far = []  # that many far places are part of the story (and checking them all would be slow)
            for k in far:
                nearest = min(haversine_km(*pts[k], *pts[o]) for o in pts if o != k)
                if nearest <= OUTLIER_ISOLATION_KM:
                    continue
                found[k] = Outlier(
                    k, places[k].name, rows(k),
                    f"{dist[k]:,.0f} km from the centre of the file's other places (half of them lie within "
                    f"{typical:,.0f} km of it; the nearest other place is {nearest:,.0f} km away)", dist[k],
                )
        # Country: a place in a country that no row about another place names, in a file mostly
        # about one country (a global dataset has countries with one place each by design).
        named = defaultdict(set)  # country code -> place keys whose rows name it
        for claim, key in pairs:
            for cc in (codes.get(key, ""), country_code(claim.country) if claim.country else ""):
                if cc:
                    named[cc].add(key)
        home = max((len({k for k in ks if codes.get(k) == cc}) for cc, ks in named.items()), default=0)
        known = sum(1 for k in keys if codes.get(k))
        for k in keys if home > OUTLIER_HOME_SHARE * known else ():
            cc = codes.get(k, "")
            if not cc or k in found or named.get(cc, set()) - {k}:
                continue
            name = country_names.get(cc) or getattr(places[k], "country", "") or cc
            found[k] = Outlier(
                k, places[k].name, rows(k),
                f"the only place in {name}: no other row of the file names {name}",
            )
        out.extend(found[k] for k in keys if k in found)
    return out


def _code(value: str) -> str:
    v = (value or "").strip()
    return v.upper() if len(v) == 2 and v.isalpha() else ""


def _rows_text(rows: Sequence[str]) -> str:
    """'claims.csv rows 3, 7' from ['claims.csv row 3', 'claims.csv row 7'] (first 10, then a count)."""
    files = defaultdict(list)
    for r in rows:
        f, _, n = r.rpartition(" row ")
        files[f if n else r].append(n)
    parts = []
    for f, ns in files.items():
        ns = [n for n in ns if n]
        if not ns:
            parts.append(f)
            continue
        shown = ", ".join(ns[:10]) + (f" and {len(ns) - 10} more" if len(ns) > 10 else "")
        parts.append(f"{f} row{'s' if len(ns) > 1 else ''} {shown}")
    return "; ".join(parts)


__all__ = [
    "Outlier", "FlaggedDraft", "UnknownActor", "unknown_actors", "find_outliers", "flagged_drafts", "draft_warnings", "claim_flags", "flag_text",
    "origin_label", "median_point", "OUTLIER_KM", "OUTLIER_SPREAD_FACTOR", "OUTLIER_ISOLATION_KM",
    "OUTLIER_MIN_PLACES", "FLAG_TEXT",
]
