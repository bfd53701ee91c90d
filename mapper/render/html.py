"""One self-contained interactive HTML map of reported control over time.

The written file holds Leaflet, the map's own JavaScript and CSS, the
basemap outlines, the geometry of every place and every claim, and a
metadata block; it references no external URL unless tile layers are asked
for (``tiles="osm"`` or ``"carto"``), so it works offline and inside
restricted networks. A Content-Security-Policy in the page allows only its
own two inline scripts (by hash), so even a markup injection could not run
script or load anything.

Why not folium: folium's Map pulls about ten assets from CDNs and its time
plugins have open bugs with polygons and several layers (folium#934, #1038,
#1744, #2070). The page is small enough to own: one Jinja template
(``assets/map.html.j2``), one script (``assets/conflictmap.js``), one style
sheet (``assets/conflictmap.css``).

Data layout (what keeps 10,000 claims under 3 MB): each place is stored once
(geometry simplified to a budget, coordinates rounded); each claim is
stored once, with its start/end minutes; a place lists its claims in time
order. The browser computes the state at the chosen instant from those
lists (the same rules as :func:`mapper.timeline.assess`), so nothing is
copied per time step.

Escaping: the title is escaped by Jinja; all input text travels as JSON in
``<script type="application/json">`` with ``<``, ``>``, ``&``, U+2028 and
U+2029 escaped, and the script builds the page with ``textContent``. Links
are only made for ``http:``/``https:`` URLs.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import math
import os
import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from mapper.atomic import write_atomic
from mapper.describe import describe
from mapper.errors import OutputExists, RenderError
from mapper.model import ATTACKED, CONTESTED, CONTROLLED, NOT_CONTROLLED
from mapper.render.embed import embed_css
from mapper.render.pagejson import script_json
from mapper.render.style import css_variables, page_style
from mapper.render.titles import default_title
from mapper.timelabels import claim_time_label
from mapper.timeline import Timeline, _aware

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent / "assets"

#: Default size budget of the written file, in bytes (before simplifying more).
DEFAULT_BUDGET = 3_000_000

#: Geometry simplification ladder: (tolerance in degrees, decimals kept). The first
#: level whose estimate fits the budget is used; 0.0005 deg is about 50 m.
SIMPLIFY_LADDER = ((0.0005, 5), (0.002, 4), (0.005, 4), (0.01, 3), (0.03, 3), (0.1, 2))
#: Basemap outlines are context only: coarser, and coarsened first when over budget.
BASEMAP_LADDER = ((0.01, 3), (0.02, 3), (0.05, 2), (0.1, 2))
#: Above this many point places the page groups markers into clusters when zoomed out.
CLUSTER_THRESHOLD = 1500

STATUS_CODES = {CONTROLLED: 0, CONTESTED: 1, ATTACKED: 2, NOT_CONTROLLED: 3}
#: A ``controlled`` claim about part of a place (timeline rule 5): assessed as partial control.
PARTIAL_CODE = 4

TILES = {
    "none": None,
    "osm": {
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "hosts": "https://tile.openstreetmap.org",
        "attribution": "Tiles \u00a9 OpenStreetMap contributors (ODbL)",
        "maxZoom": 19,
    },
    "carto": {
        "url": "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",
        "hosts": "https://*.basemaps.cartocdn.com",
        "attribution": "Tiles \u00a9 CARTO, data \u00a9 OpenStreetMap contributors (ODbL)",
        "maxZoom": 19,
    },
}
VIEWS = ("assessed", "claimant")
KIND_LABELS = {
    "country": "Country", "admin1": "Province", "admin2": "District", "admin3": "Sub-district",
    "populated_place": "Town or city", "other": "Place",
}


@dataclass(frozen=True)
class RenderReport:
    """What the renderer did, with numbers (for logs, the CLI summary and benchmarks)."""

    path: str | None
    bytes: int
    estimated_bytes: int
    budget: int
    places: int
    claims: int
    steps: int
    tolerance: float
    decimals: int
    clustered: bool
    seconds: float
    actions: tuple = ()
    cpu_seconds: float = 0.0


@dataclass
class _Geo:
    """Geometry of one place before encoding (GeoJSON-like, lon/lat)."""

    kind: str  # unit | point | approximate
    geom: object = None  # shapely geometry for units
    lonlat: tuple | None = None
    radius_m: float | None = None
    encoded: object = field(default=None)


@lru_cache(maxsize=65536)
def safe_url(url: str) -> str:
    """The URL if it is an absolute http(s) URL, else "" (``javascript:`` and friends are never linked).

    Examples
    --------
    >>> safe_url("https://example.org/a?b=1")
    'https://example.org/a?b=1'
    >>> safe_url("javascript:alert(1)"), safe_url(" JaVaScRiPt:alert(1)"), safe_url("data:text/html,x")
    ('', '', '')
    """
    url = (url or "").strip()
    if re.match(r"^https?://[^\s/$.?#][^\s]*$", url, re.I) and not re.search(r"[\x00-\x1f\"<>\\`]", url):
        return url
    return ""


def minutes(t: datetime | None) -> int | None:
    """Whole minutes since 1970-01-01T00:00Z (what the page uses for time)."""
    if t is None:
        return None
    return math.floor(_aware(t).timestamp() / 60)


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _inline_js(text: str) -> str:
    # A script body must not contain "</script" or "<!--" (HTML tokenizer), whatever the code says.
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.I).replace("<!--", "<\\!--")


def leaflet_js() -> str:
    """The vendored Leaflet script, ready to inline in a ``<script>`` element (no external address)."""
    js = _asset("leaflet/leaflet.js")
    # Leaflet's default attribution prefix links to leafletjs.com; the page sets its own plain-text
    # prefix, and the file must not reference any external address at all.
    js, n = re.subn(r"""prefix:'<a href="https://leafletjs\.com".*?Leaflet</a>"(?=\})""", "prefix:\"Leaflet\"", js,
                    count=1, flags=re.S)
    if n != 1:
        log.debug("Leaflet attribution prefix not found; left as is")
    return _inline_js(js)


def jquery_js() -> str:
    """The vendored jQuery, ready to inline: only pages made by ``Map.to_folium`` need it (folium's popups)."""
    return _inline_js(_asset("jquery/jquery.min.js"))


def leaflet_css(images: str = "none") -> str:
    """The vendored Leaflet stylesheet, ready to inline in a ``<style>`` element.

    Its images (default marker icon, layers-control icon) are referenced by relative URLs that would
    be requested next to the HTML file: ``images="none"`` drops them (the conflictmap page uses
    neither), ``images="inline"`` embeds them as ``data:`` URLs (pages others add layers to).
    """
    css = _asset("leaflet/leaflet.css")
    if images == "inline":
        css = re.sub(r"url\((['\"]?)images/([^)'\"]*)\1\)", lambda m: f"url({leaflet_image(m.group(2))})", css)
    elif images == "none":
        css = re.sub(r"url\((['\"]?)images/[^)]*\)", "none", css)
    else:
        raise ValueError(f"images must be 'none' or 'inline', not {images!r}")
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)  # comments carry bug-tracker URLs


def leaflet_image(name: str) -> str:
    """One of Leaflet's vendored images (``marker-icon.png`` ...) as a ``data:`` URL."""
    data = (ASSETS / "leaflet" / "images" / name).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _round_coords(coords, nd: int):
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(coords[0], nd), round(coords[1], nd)]
    return [_round_coords(c, nd) for c in coords]


def _encode_geom(geom, tolerance: float, nd: int):
    """Simplified, rounded GeoJSON geometry dict (lon, lat) or None if it vanishes."""
    from shapely.geometry import mapping

    if geom is None or geom.is_empty:
        return None
    g = geom.simplify(tolerance, preserve_topology=True) if tolerance else geom
    if g.is_empty:
        g = geom
    gj = mapping(g)
    if gj["type"] not in ("Polygon", "MultiPolygon", "LineString", "MultiLineString"):
        if gj["type"] == "GeometryCollection":
            polys = [p for p in getattr(g, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
            if not polys:
                return None
            from shapely.ops import unary_union

            gj = mapping(unary_union(polys))
        else:
            return None
    return {"type": gj["type"], "coordinates": _round_coords(gj["coordinates"], nd)}


def _count_points(geom) -> int:
    if geom is None:
        return 0
    import shapely

    try:
        return int(shapely.get_num_coordinates(geom))
    except (TypeError, shapely.errors.ShapelyError):  # not a geometry: nothing to count
        return 0


def _bounds(places: Iterable) -> list | None:
    """Leaflet corners [[south, west], [north, east]] — (lat, lon) order — of the places."""
    from mapper.timeline import bounds_of

    b = bounds_of(places)
    return [[b[1], b[0]], [b[3], b[2]]] if b else None


def _csp(script_hashes: Sequence[str], tiles: dict | None) -> str:
    img = "data: blob:" + (f" {tiles['hosts']}" if tiles else "")
    scripts = " ".join(f"'sha256-{h}'" for h in script_hashes)
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src {img}; "
        "font-src 'none'; connect-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


class _Payload:
    """Builds the JSON the page reads: places, claims, steps, actors, claimants."""

    def __init__(self, tl: Timeline, *, t_from, t_to, at, view, title):
        self.tl = tl
        self.t_from = _aware(t_from) if t_from else None
        self.t_to = _aware(t_to) if t_to else None
        self.at = _aware(at) if at else None
        self.view = view
        self.title = title
        # Places drawn: every place with a claim, plus the districts of rolled-up provinces.
        keys = [k for k in tl.places if tl.claims_for(k)]
        extra = [c for kids in tl.children.values() for c in kids]
        seen = set()
        self.keys = [k for k in keys + extra if not (k in seen or seen.add(k))]
        # Units first (provinces under districts), points on top.
        order = {"country": 0, "admin1": 1, "admin2": 2, "admin3": 3}
        self.keys.sort(key=lambda k: (order.get(tl.places[k].kind, 9), tl.places[k].name))
        self.index = {k: i for i, k in enumerate(self.keys)}

    def geometries(self) -> list:
        out = []
        for k in self.keys:
            p = self.tl.places[k]
            if p.drawn_as == "unit" and p.geometry is not None and not p.geometry.is_empty:
                out.append(_Geo("unit", geom=p.geometry))
            elif p.lat is not None and p.lon is not None:
                kind = "approximate" if p.drawn_as in ("approximate", "unit") else "point"
                radius = p.radius_m if kind == "approximate" else None
                if kind == "approximate" and not radius:
                    radius = 5000.0
                out.append(_Geo(kind, lonlat=(p.lon, p.lat), radius_m=radius))
            else:
                out.append(_Geo("none"))
        return out

    def build_claims(self) -> dict:
        """Claims, claimants, actors, steps: everything that does not depend on geometry.

        Repeated text (time labels, sources, URLs, scopes, file names) goes into one string
        table (``strings``) and claims refer to it by index; quotes and ids stay inline.
        """
        tl = self.tl
        actors = list(tl.actors)
        actor_index = {a.name: i for i, a in enumerate(actors)}
        strings, string_index = [""], {"": 0}

        def intern(text) -> int:
            text = text or ""
            i = string_index.get(text)
            if i is None:
                i = string_index[text] = len(strings)
                strings.append(text)
            return i

        claimants, claimant_index = [], {}
        files, file_index = [], {}
        claims = []
        spans = []  # per claim: [latest instant - start, end without supersession - start or None] (minutes)
        label_cache = {}
        for e in tl.entries:
            t0 = minutes(e.start)
            spans.append([minutes(e.latest) - t0, None if e.natural_end is None else minutes(e.natural_end) - t0])
            if e.claimant_key not in claimant_index:  # first spelling of each claimant, in order of appearance
                claimant_index[e.claimant_key] = len(claimants)
                claimants.append((e.claimant, e.side))
            c = e.claim
            row = [
                self.index.get(e.place_key, -1),
                claimant_index[e.claimant_key],
                PARTIAL_CODE if e.partial else STATUS_CODES.get(c.status, 0),
                actor_index.get(e.actor, -1),
                minutes(e.start),
                minutes(e.end),
                e.derived_from if e.derived_from is not None else -1,
            ]
            if e.derived_from is None:
                path = c.origin.path or ""
                if path not in file_index:
                    file_index[path] = len(files)
                    files.append(os.path.basename(path))
                key = (c.time, c.time_end)
                label = label_cache.get(key)
                if label is None:
                    label = label_cache[key] = claim_time_label(c.time, show_tz=True) + (
                        f" to {claim_time_label(c.time_end, show_tz=True)}" if c.time_end else "")
                row += [
                    intern(label),
                    intern(c.status_raw if c.status_raw and c.status_raw.strip().lower() != c.status else ""),
                    intern(c.scope), c.quote, intern(c.source), intern(safe_url(c.url)),
                    intern(safe_url(c.archive_url)), c.id, file_index[path],
                    c.origin.row if c.origin.row is not None else -1, intern(c.place), intern(_unsafe_note(c)),
                    _scope_count(c.scope),
                ]
            claims.append(row)
        steps, window_ends = _claim_steps(tl, self.t_from, self.t_to)
        # Compact time: claim starts relative to the first one, ends as durations. Steps stay absolute
        # minutes (other tools read them: mapper.render.embed).
        base = min((r[4] for r in claims), default=0)
        for r in claims:
            if r[5] is not None:
                r[5] -= r[4]
            r[4] -= base
            while len(r) > 7 and not r[-1]:  # trailing empty fields (no note, no scope count)
                r.pop()

        initial = self.at or tl.default_time()
        if initial is not None:
            if self.t_from and initial < self.t_from:
                initial = self.t_from
            if self.t_to and initial > self.t_to:
                initial = self.t_to
        offsets = Counter(
            int((e.claim.time.earliest.utcoffset() or timedelta(0)).total_seconds() // 60)
            for e in tl.entries if e.derived_from is None and e.claim.time.earliest.tzinfo is not None
        )
        local = offsets.most_common(1)[0][0] if offsets else 0
        zone = _page_zone(tl, steps, minutes(initial))
        return {
            "version": 1,
            "local_offset_minutes": local,
            "zone": zone,
            "title": self.title,
            "view": self.view,
            "window_minutes": int(tl.window.total_seconds() // 60) if tl.window else None,
            "t_base": base,
            "steps": steps,
            "window_ends": window_ends,
            "initial": minutes(initial),
            "actors": [{"name": a.name, "colour": a.colour, "configured": a.configured} for a in actors],
            "claimants": [{"name": n, "side": s} for n, s in claimants],
            "files": files,
            "strings": strings,
            "claims": claims,
            "spans": spans,
            "rules": _page_rules(tl),
            "kinds": KIND_LABELS,
        }

    def build_places(self, geos: list, nd: int) -> list:
        tl = self.tl
        places = []
        for k, geo in zip(self.keys, geos):
            p = tl.places[k]
            item = {
                # "e": how many claims; the page rebuilds each place's list from the claims' place index.
                "n": p.name, "k": p.kind, "d": geo.kind, "e": len(tl.claims_for(k)),
                "a": ", ".join(x for x in (p.admin1 if p.admin1 != p.name else "", p.country) if x),
                "id": p.gazetteer_id, "note": p.note,
            }
            warnings = [str(w) for w in (getattr(p, "warnings", None) or ()) if str(w).strip()]
            if warnings:
                item["w"] = warnings
            if geo.kind == "unit":
                item["g"] = geo.encoded
                inner = _inside_point(geo.geom)
                if inner is not None:
                    item["c"] = [round(inner[1], max(nd, 4)), round(inner[0], max(nd, 4))]
            elif geo.kind in ("point", "approximate"):
                item["ll"] = [round(geo.lonlat[1], max(nd, 4)), round(geo.lonlat[0], max(nd, 4))]
                if geo.radius_m:
                    item["r"] = round(geo.radius_m)
            if p.parent_key and p.parent_key in self.index and p.kind in ("admin2", "admin3"):
                item["up"] = self.index[p.parent_key]
            kids = [self.index[c] for c in tl.children.get(k, ()) if c in self.index]
            if kids:
                item["ch"] = kids
            places.append(item)
        return places


def _claim_bounds(tl: Timeline, keys: Sequence[str]) -> list | None:
    """Leaflet corners of the places the claims are about (what the map opens on).

    Places with claims of their own come first; a country-wide claim frames the map only when no
    smaller place is claimed (it is context, and would zoom the map out to a whole country).
    """
    direct = [k for k in keys if any(e.derived_from is None for e in tl.claims_for(k))]
    smaller = [k for k in direct if tl.places[k].kind != "country"]
    for group in (smaller, direct, keys):
        b = _bounds(tl.places[k] for k in group)
        if b:
            return b
    return None


def _inside_point(geom) -> tuple | None:
    """(lon, lat) of a point inside the geometry (its largest part), for popups opened from the list."""
    from shapely.errors import ShapelyError

    try:
        if geom is None or geom.is_empty:
            return None
        if geom.geom_type == "MultiPolygon":
            geom = max(geom.geoms, key=lambda g: g.area)
        pt = geom.representative_point()
        return (pt.x, pt.y)
    except (ShapelyError, ValueError) as err:  # odd geometry: the page falls back to the bounds' centre
        log.debug("no inside point for a geometry: %s", err)
        return None


def _ceil_minutes(t: datetime) -> int:
    return math.ceil(_aware(t).timestamp() / 60)


def _claim_steps(tl: Timeline, t_from, t_to) -> tuple:
    """Slider steps in whole minutes, and the indices of those that only end a claim's window.

    The instants of :meth:`Timeline.steps` (claim starts, supersessions, ends), each on the
    minute it is reached: a claim stated for "afternoon" (12:00-18:00 local) ends at its last
    instant (17:59:59.999), so the step after it is 18:00 local, never "17:59" or "13:29 UTC".
    Steps that are not a claim's own time (a window running out) are listed so the page can say so.
    """
    t_from = _aware(t_from) if t_from else None
    t_to = _aware(t_to) if t_to else None
    given, ends = set(), set()
    for e in tl.entries:
        given.add(minutes(e.start))
        if e.end is not None:
            (given if e.claim.time_end is not None else ends).add(_ceil_minutes(e.end))
    lo = minutes(t_from) if t_from else None
    hi = minutes(t_to) if t_to else None
    out = sorted(m for m in given | ends if (lo is None or m >= lo) and (hi is None or m <= hi))
    if lo is not None and (not out or out[0] != lo):
        out.insert(0, lo)
    return out, [i for i, m in enumerate(out) if m in ends and m not in given]


def zone_label(key: str) -> str:
    """A readable name of an IANA zone: ``Asia/Kabul`` -> "Kabul time"; "" when it has none.

    Examples
    --------
    >>> zone_label("Asia/Kabul"), zone_label("America/Argentina/Buenos_Aires"), zone_label("Europe/Kyiv")
    ('Kabul time', 'Buenos Aires time', 'Kyiv time')
    >>> zone_label("UTC"), zone_label("Etc/GMT-3"), zone_label("")
    ('UTC', '', '')
    """
    key = (key or "").strip()
    if key.upper() in ("UTC", "ETC/UTC", "GMT", "ETC/GMT", "Z", "ZULU", "UNIVERSAL", "ETC/UNIVERSAL"):
        return "UTC"
    if "/" not in key or key.startswith("Etc/"):
        return ""  # "EST5EDT", "Etc/GMT-3": no place name to give
    city = key.rsplit("/", 1)[1].replace("_", " ").strip()
    return f"{city} time" if city and not re.search(r"\d", city) else ""


def _offset_changes(zone, lo: int, hi: int) -> list:
    """[[minute, offset minutes], ...] where the zone's UTC offset changes between lo and hi (minutes)."""
    def off(m):
        return int(datetime.fromtimestamp(m * 60, tz=timezone.utc).astimezone(zone).utcoffset().total_seconds() // 60)

    day = 1440
    out = [[lo, off(lo)]]
    m = lo
    while m < hi and len(out) < 2000:
        nxt = min(m + day, hi)
        if off(nxt) != out[-1][1]:
            a, b = m, nxt  # off(a) == out[-1][1] != off(b): bisect to the minute
            while b - a > 1:
                mid = (a + b) // 2
                if off(mid) == out[-1][1]:
                    a = mid
                else:
                    b = mid
            out.append([b, off(b)])
        m = nxt
    return out


def _page_zone(tl: Timeline, steps: Sequence[int], initial: int | None) -> dict:
    """The time zone the page shows times in: the zone most claims give, named when it has a name.

    ``{"name": "Kabul time", "key": "Asia/Kabul", "offsets": [[minute, +270], ...]}``; an offset
    without a zone name has ``name`` "" (the page writes "UTC+04:30"); all-UTC claims give "UTC".
    """
    zones = Counter()
    tzinfos = {}
    for e in tl.entries:
        if e.derived_from is not None:
            continue
        t = e.claim.time.earliest
        tzi = t.tzinfo
        if tzi is None:
            zones["UTC"] += 1
            continue
        key = getattr(tzi, "key", None)
        if not key:
            off = t.utcoffset() or timedelta(0)
            key = "UTC" if not off else f"offset:{int(off.total_seconds() // 60)}"
        zones[key] += 1
        tzinfos.setdefault(key, tzi)
    key = zones.most_common(1)[0][0] if zones else "UTC"
    if key == "UTC" or zone_label(key) == "UTC":
        return {"name": "UTC", "key": "UTC", "offsets": [[0, 0]]}
    if key.startswith("offset:"):
        return {"name": "", "key": "", "offsets": [[0, int(key.split(":", 1)[1])]]}
    known = [m for m in list(steps) + [initial] if m is not None]
    lo, hi = (min(known), max(known)) if known else (0, 0)
    return {"name": zone_label(key), "key": key,
            "offsets": _offset_changes(tzinfos[key], lo - 1440, hi + 1440)}


def _page_rules(tl: Timeline) -> dict:
    """The rule table the page's script applies (assets/assess.js), with this timeline's windows."""
    rules = dict(tl.rules)
    rules.pop("about", None)
    rules.pop("predicates", None)
    for key, value in (("dispute_window_minutes", tl.dispute_window), ("stale_after_minutes", tl.stale_after)):
        rules[key] = None if value is None else int(value.total_seconds() // 60)
    return rules


def _scope_count(text: str):
    from mapper.timeline import parse_scope

    sc = parse_scope(text)
    return [sc.n, sc.total] if sc.kind == "count" else 0


def _unsafe_note(c) -> str:
    bad = [name for name, url in (("source URL", c.url), ("archive URL", c.archive_url)) if url and not safe_url(url)]
    return f"{' and '.join(bad)} not linked (not an http(s) address)" if bad else ""


def render_html(
    state,
    output=None,
    *,
    view: str = "assessed",
    tiles: str = "none",
    metadata: Mapping | None = None,
    budget: int = DEFAULT_BUDGET,
    overwrite: bool = False,
    embed: bool = False,
    _lean: str = "",
) -> tuple:
    """Render a map state as one self-contained HTML page.

    Parameters
    ----------
    state
        A :class:`mapper.state.MapState` (:func:`mapper.state.prepare_state`, or
        :meth:`~mapper.state.MapState.from_timeline` for a timeline built by hand), the same
        value :func:`mapper.render.static.render_static` draws. The page shows its title,
        opens at ``state.at``, its slider spans ``state.t_from``..``state.t_to``, and it draws
        ``state.basemap`` outlines (country and admin-1 outlines from the gazetteer) under the
        data, crediting ``state.attribution`` and ``state.sources``.
    output
        Path to write (atomically), or None to only return the text.
    view
        ``assessed`` (claims of the ticked claimants combined) or
        ``claimant`` (one claimant's view at a time).
    tiles
        ``none`` (offline vector basemap only), ``osm`` or ``carto``.
    metadata
        Recorded in ``<script id="conflictmap-metadata">``.
    budget
        Target size in bytes; above it geometry is simplified further.
    embed
        The page's embed mode (``map --embed``, :mod:`mapper.render.embed`): its style sheet scoped
        under ``#cm-app.cm-embed`` with the embed rules, and the plain-language description of
        ``state.at`` (:func:`mapper.describe.describe`) in the metadata for ``conflictmap embed``.

    Returns
    -------
    (html text, RenderReport)
    """
    t0, c0 = time.perf_counter(), time.process_time()
    if view not in VIEWS:
        raise RenderError(f"view {view!r} is not one of {', '.join(VIEWS)}")
    if tiles not in TILES:
        raise RenderError(f"tiles {tiles!r} is not one of {', '.join(TILES)}")
    if output is not None:
        output = Path(output)
        if output.exists() and not overwrite:
            raise OutputExists(f"{output} exists; pass overwrite=True (--overwrite) to replace it")
    tile = TILES[tiles]
    timeline, basemap = state.timeline, state.basemap
    title = (state.title or "").strip() or default_title(timeline)
    payload = _Payload(timeline, t_from=state.t_from, t_to=state.t_to, at=state.at, view=view, title=title)
    geos = payload.geometries()
    actions = [_lean] if _lean else []  # _lean: the note of a second pass with a leaner basemap context

    # Fixed parts (assets) and the claim text do not depend on simplification.
    leaflet_script = leaflet_js()
    app_js = _inline_js(_asset("assess.js") + "\n" + _asset("conflictmap.js"))
    css = leaflet_css() + "\n" + css_variables() + "\n" + _asset("conflictmap.css")
    fixed = len(leaflet_script) + len(app_js) + len(css) + 6000
    data = payload.build_claims()
    probe = payload.build_places([_Geo(g.kind, lonlat=g.lonlat, radius_m=g.radius_m) for g in geos], 5)
    claims_bytes = (len(script_json(data["claims"])) + len(script_json(data["strings"])) + len(script_json(probe))
                    + len(script_json(data["steps"])))
    n_steps = len(data["steps"])
    unit_points = sum(_count_points(g.geom) for g in geos if g.kind == "unit")
    # Basemap outlines are context: coarse, measured exactly, coarsened first when over budget.
    finest_units = int(unit_points * (2 * (SIMPLIFY_LADDER[0][1] + 4) + 3))
    outlines, base_level = [], BASEMAP_LADDER[0]
    span = _span(basemap)
    # Detail follows the extent: about 1/1500 of the map's width is below what a screen shows.
    ladder = [lv for lv in BASEMAP_LADDER if lv[0] >= span / 1500] or [BASEMAP_LADDER[-1]]
    if span / 1500 > BASEMAP_LADDER[-1][0]:
        ladder = [(round(span / 1500, 3), 2)]
    # When the claims alone pass the budget, coarser outlines cannot bring the page under it:
    # geometry keeps a moderate level instead of being ruined for nothing.
    over = fixed + claims_bytes >= budget
    if over:
        ladder = ladder[:1]
        actions.append(f"the page's code and claims alone take {(fixed + claims_bytes) / 1e6:.2f} MB, over the "
                       f"{budget / 1e6:.1f} MB budget: claims are never dropped, geometry kept at moderate detail")
    context = getattr(state, "context", None)
    land = _encode_world_land(context)
    encoded_outlines: dict = {}  # (tolerance, decimals) -> encoded outlines, each level encoded once
    if context is not None and not _lean and not over:
        # The size estimate runs a few per cent low on big pages: when the page would come within
        # LEAN_MARGIN of the budget, the basemap context is thinned now rather than in a second pass.
        encoded_outlines[ladder[-1]] = _encode_basemap(basemap, *ladder[-1])
        full = (len(script_json(_encode_context(context, *ladder[-1], land=land)))
                + len(script_json(encoded_outlines[ladder[-1]])))
        if fixed + claims_bytes + full > LEAN_MARGIN * budget:
            from mapper.context import lean_context

            context, _lean = lean_context(context), LEAN_NOTE.format(budget=budget / 1e6, size="")
            actions.insert(0, _lean)
    if _lean:  # thinned: the coarsest outlines and world land too
        ladder = ladder[-1:]
        land = _encode_world_land(context, LEAN_WORLD_LAND_TOLERANCE)
    for base_level in ladder:
        outlines = encoded_outlines.get(base_level) or _encode_basemap(basemap, *base_level)
        context_data = _encode_context(context, *base_level, land=land)
        base_bytes = len(script_json(outlines)) + len(script_json(context_data))
        if fixed + claims_bytes + base_bytes + finest_units <= budget:
            break
    if base_level != ladder[0] and outlines:
        actions.append(f"basemap outlines simplified to {base_level[0]} deg ({base_bytes / 1e3:,.0f} kB) to fit the "
                       f"{budget / 1e6:.1f} MB budget")

    # Estimate before writing: pick the finest simplification of the claimed units that fits the budget.
    chosen = SIMPLIFY_LADDER[1] if over else SIMPLIFY_LADDER[-1]
    estimate = None
    for tol, nd in (SIMPLIFY_LADDER[:2] if over else SIMPLIFY_LADDER):
        # Roughly: simplification keeps ~ (1 - 60 * tol) of the vertices of detailed boundaries.
        keep = max(0.05, 1.0 - 60 * tol) if unit_points > 5000 else 1.0
        per_pair = 2 * (nd + 4) + 3
        est = fixed + claims_bytes + base_bytes + int(unit_points * keep * per_pair)
        if est <= budget:
            chosen, estimate = (tol, nd), est
            break
        estimate = est
    tol, nd = chosen
    if chosen != SIMPLIFY_LADDER[0] and not over:
        actions.append(
            f"geometry simplified to {tol} deg and {nd} decimals to fit the {budget / 1e6:.1f} MB budget "
            f"({unit_points:,} boundary vertices before)"
        )
    for g in geos:
        if g.kind == "unit":
            g.encoded = _encode_geom(g.geom, tol, nd)
            if g.encoded is None:
                g.kind = "none"
    data["places"] = payload.build_places(geos, nd)
    data["cluster"] = sum(1 for g in geos if g.kind == "point") > CLUSTER_THRESHOLD
    data["basemap"] = outlines
    data["bounds"] = _claim_bounds(timeline, payload.keys) or _basemap_bounds(
        [(n, k, g) for n, k, g in basemap if g is not None])
    data["context"] = context_data
    data["attribution"] = list(dict.fromkeys(a for a in (*state.attribution, *(context.attribution if context else ())) if a))
    data["sources"] = list(dict.fromkeys(s for s in state.sources if s))
    data["style"] = page_style()  # the style table (assets/style.json), shared with the static maps
    data["tiles"] = {"url": tile["url"], "attribution": tile["attribution"], "maxZoom": tile["maxZoom"]} if tile else None
    if data["cluster"]:
        actions.append(f"{sum(1 for g in geos if g.kind == 'point'):,} point places: drawn on canvas and "
                       "grouped into clusters when zoomed out")

    meta = dict(metadata or {})
    meta.setdefault("tool", "conflictmap")
    meta["render"] = {
        "budget_bytes": budget, "simplify_tolerance_deg": tol, "coordinate_decimals": nd,
        "places": len(payload.keys), "claims": len(timeline.entries), "time_steps": n_steps,
        "actions": actions,
    }
    if embed:
        if state.at is not None:  # an empty map has nothing to describe
            meta["description"] = describe(timeline, state.at).to_dict()
        css = embed_css("\n" + css + "\n")
    data_json = script_json(data)
    # Per-place data is shared across time steps; say what a per-step copy would have cost.
    per_step = len(payload.keys) * n_steps
    if per_step > 10 * max(1, len(timeline.entries)):
        actions.append(
            f"states stored once per place and claim ({len(timeline.entries):,} claims) instead of per time step "
            f"({len(payload.keys):,} places x {n_steps:,} steps = {per_step:,} states)"
        )

    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(ASSETS)), autoescape=select_autoescape(default=True))
    template = env.get_template("map.html.j2")
    hashes = [base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode("ascii")
              for s in (leaflet_script, app_js)]
    html = template.render(
        title=title,
        embed=embed,
        version=meta.get("version", ""),
        csp=_csp(hashes, tile),
        css=css,
        leaflet_js=leaflet_script,
        app_js=app_js,
        data_json=data_json,
        metadata_json=script_json(meta),
    )
    size = len(html.encode("utf-8"))
    context = getattr(state, "context", None)
    if size > budget and not over and context is not None and not _lean:
        # The estimate missed: the basemap context gives way first (claims never do).
        from dataclasses import replace

        from mapper.context import lean_context

        log.info("render: %.2f MB is over the %.1f MB budget; rendering again with a leaner basemap context",
                 size / 1e6, budget / 1e6)
        note = LEAN_NOTE.format(budget=budget / 1e6, size=f"; {size / 1e6:.2f} MB with all of it")
        return render_html(replace(state, context=lean_context(context)), output, view=view, tiles=tiles,
                           metadata=metadata, budget=budget, overwrite=overwrite, embed=embed, _lean=note)
    if size > budget and not over:
        actions.append(f"output is {size / 1e6:.2f} MB, over the {budget / 1e6:.1f} MB budget")
    if output is not None:
        # Written next to the target and renamed, with the user's umask (mapper.atomic).
        write_atomic(output, html)
    seconds = time.perf_counter() - t0
    report = RenderReport(
        path=str(output) if output is not None else None, bytes=size, estimated_bytes=estimate or size,
        budget=budget, places=len(payload.keys), claims=len(timeline.entries), steps=len(data["steps"]),
        tolerance=tol, decimals=nd, clustered=bool(data["cluster"]), seconds=seconds, actions=tuple(actions),
        cpu_seconds=time.process_time() - c0,
    )
    for a in actions:
        log.info("render: %s", a)
    log.info("render: %s places, %s claims, %s time steps, %.2f MB (estimated %.2f MB) in %.2f s",
             report.places, report.claims, report.steps, size / 1e6, report.estimated_bytes / 1e6, seconds)
    return html, report


def _span(basemap) -> float:
    """Largest side (degrees) of the basemap's extent, 0 when empty."""
    bounds = [g.bounds for _, _, g in basemap if g is not None and not g.is_empty]
    if not bounds:
        return 0.0
    return max(max(b[2] for b in bounds) - min(b[0] for b in bounds), max(b[3] for b in bounds) - min(b[1] for b in bounds))


def _encode_basemap(basemap, tolerance: float, nd: int) -> list:
    """Country fills and province lines (land first, lines over it)."""
    outlines = []
    for name, kind, g in basemap:
        if g is None or g.is_empty:
            continue
        enc = _encode_geom(g, tolerance, nd) if kind == "country" else _encode_geom(
            g.boundary if g.geom_type in ("Polygon", "MultiPolygon") else g, tolerance, nd)
        if enc is not None:
            outlines.append({"n": name, "k": kind, "g": enc, "fill": kind == "country"})
    outlines.sort(key=lambda o: o["k"] != "country")
    return outlines


#: World land outside the frame is only seen zoomed out: stored coarse (no more simplifying), 1 decimal.
WORLD_LAND_LEVEL = (0, 1)
#: Thin the basemap context up front when the estimate comes within this share of the budget.
LEAN_MARGIN = 0.92
LEAN_NOTE = ("basemap thinned to fit the {budget:.1f} MB budget (coarsest outlines and world land, named rivers "
             "and lakes, towns shown by zoom 7, a third of the label points{size})")
#: A page over budget draws the world outside its frame coarser still (degrees).
LEAN_WORLD_LAND_TOLERANCE = 0.35
#: Rivers and lakes (Natural Earth 1:50m): simplified at least this much (degrees, ~2 km).
WATER_MIN_TOLERANCE = 0.02
#: An unnamed lake narrower than this share of the frame's side (squared: of its area) is left out.
WATER_MIN_LAKE_SHARE = 0.01


def _frame_span(context) -> float:
    x0, y0, x1, y1 = context.frame
    return max(x1 - x0, y1 - y0)


def _encode_world_land(context, tolerance: float = 0):
    """World land outside the frame, encoded once (it does not follow the basemap's detail level)."""
    if context is None or not context.land:
        return None
    from shapely.geometry import MultiPolygon

    # Natural Earth's land polygons do not overlap: one MultiPolygon of their parts, no union needed.
    parts = [p for g in context.land for p in getattr(g, "geoms", [g]) if p.geom_type == "Polygon"]
    return _encode_geom(MultiPolygon(parts), tolerance or WORLD_LAND_LEVEL[0], WORLD_LAND_LEVEL[1]) if parts else None


def _encode_context(context, tolerance: float, nd: int, land=None) -> dict | None:
    """The locator context (:class:`mapper.context.MapContext`) as page data.

    ``land``: world land outside the frame (coarse); ``lakes``/``rivers``: ``{"n": name, "g": geometry}``
    at the basemap's detail; ``labels``: ``{"k": kind, "n": name, "z": min zoom, "c": candidates}``,
    each candidate ``[lat, lon, depth in degrees]`` (rivers: ``[lat, lon, 0, angle]``), in the order
    the page places them (countries, seas, capitals, towns by population, rivers, lakes).
    """
    if context is None:
        return None
    # Water is context at 1:50m: never finer than WATER_MIN_TOLERANCE; lakes too small to see at the
    # frame's scale are left out.
    wtol = max(tolerance, WATER_MIN_TOLERANCE)
    min_lake = (WATER_MIN_LAKE_SHARE * _frame_span(context)) ** 2
    lakes = [{"n": n, "g": e} for n, g in context.lakes
             if (n or g.area >= min_lake) and (e := _encode_geom(g, wtol, nd)) is not None]
    rivers = [{"n": n, "g": e} for n, g in context.rivers if (e := _encode_geom(g, wtol, nd)) is not None]
    labels = []
    for lab in context.labels:
        cands = [[round(c.lat, 2), round(c.lon, 2), round(c.depth, 2)] + ([c.angle] if lab.kind == "river" else [])
                 for c in lab.candidates] if lab.kind not in ("city", "capital") else [
                 [c.lat, c.lon, 0] for c in lab.candidates]
        labels.append({"k": lab.kind, "n": lab.name, "z": lab.min_zoom, "c": cands})
    return {"land": land, "lakes": lakes, "rivers": rivers, "labels": labels,
            "frame": [[context.frame[1], context.frame[0]], [context.frame[3], context.frame[2]]]}


def _basemap_bounds(base_geoms) -> list | None:
    if not base_geoms:
        return None
    xs, ys = [], []
    for _, _, g in base_geoms:
        x0, y0, x1, y1 = g.bounds
        xs += [x0, x1]
        ys += [y0, y1]
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


__all__ = ["render_html", "RenderReport", "script_json", "safe_url", "zone_label", "DEFAULT_BUDGET", "TILES", "VIEWS"]
