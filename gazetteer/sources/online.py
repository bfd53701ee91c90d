"""Opt-in online geocoding for names the offline index cannot resolve.

The resolver never talks HTTP. :class:`OnlineGazetteer` wraps a
:class:`~gazetteer.Gazetteer`: it asks the local index first and consults an
online geocoder (any geopy service: ``nominatim``, ``geonames``, ``photon``,
``arcgis``...) only when the local answer is ``not_found`` and the call is not a
lookup of an admin unit by kind (row context such as a province column stays
local). Everything else is delegated unchanged, so the wrapper can stand in for
the Gazetteer wherever one is expected (``gazetteer.table.geocode_csv``).

Politeness and robustness
-------------------------
* every request goes through ``geopy.extra.rate_limiter.RateLimiter``
  (``min_delay_seconds``: 1 s by default and never less for the public
  Nominatim server, whose policy allows at most one request per second);
* a User-Agent naming the tool (``conflictmap/<version>``; add a contact with
  ``$CONFLICTMAP_CONTACT``), as Nominatim's policy requires;
* a configurable timeout; HTTP 429: geopy's default (requests) adapter already
  retries twice honouring ``Retry-After``; when it gives up (``GeocoderRateLimited``)
  this module waits ``Retry-After`` (else an exponential backoff) and tries up to
  three more times; timeouts and 5xx retry with backoff; 401/403 stop online
  lookups for the rest of the run with one warning;
* a persistent cache (SQLite, ``online-geocode.sqlite`` in the cache folder) keyed
  by normalized query + provider + service URL + parameters, holding negative
  answers too, so a name is never asked twice (geopy has no cache: geopy#375).

Results are stored in the index as their own source (``online:<provider>``,
place ids ``online:nominatim:way123``) with provenance in ``notes`` (provider,
query, parameters, the provider's display name and licence, time); the next run
resolves them offline. ``conflictmap gazetteer remove online:nominatim`` drops them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gazetteer._version import __version__
from gazetteer.errors import OnlineGeocodingError
from gazetteer.model import NOT_FOUND, RESOLVED, Candidate, Place, Resolution
from gazetteer.normalize import clean_text, normalize

log = logging.getLogger(__name__)

PUBLIC_NOMINATIM = "nominatim.openstreetmap.org"
DEFAULT_MIN_DELAY = 1.0
DEFAULT_TIMEOUT = 10.0
MAX_RETRIES = 3
BACKOFF_SECONDS = 2.0
MAX_RETRY_AFTER = 120.0
#: Score given to an online answer (below a good exact local match, above the not-found threshold).
ONLINE_SCORE = 0.6
CACHE_FILENAME = "online-geocode.sqlite"

LICENCES = {
    "nominatim": ("ODbL 1.0", "Geocoding: © OpenStreetMap contributors (Nominatim), ODbL 1.0"),
    "photon": ("ODbL 1.0", "Geocoding: © OpenStreetMap contributors (Photon), ODbL 1.0"),
    "geonames": ("CC BY 4.0", "Geocoding: GeoNames web services (geonames.org), CC BY 4.0"),
}
_NOMINATIM_KINDS = {
    "city": "populated_place", "town": "populated_place", "village": "populated_place", "hamlet": "populated_place",
    "suburb": "populated_place", "neighbourhood": "populated_place", "locality": "populated_place",
    "isolated_dwelling": "populated_place", "quarter": "populated_place", "municipality": "admin2",
    "state": "admin1", "province": "admin1", "region": "admin1", "county": "admin2", "district": "admin2",
    "state_district": "admin2", "country": "country",
}


def user_agent() -> str:
    """The User-Agent sent to online geocoders, with ``$CONFLICTMAP_CONTACT`` appended when set."""
    ua = f"conflictmap/{__version__} (offline conflict mapping tool)"
    contact = os.environ.get("CONFLICTMAP_CONTACT")
    return f"{ua[:-1]}; {contact})" if contact else ua


@dataclass(frozen=True)
class OnlineHit:
    """One online answer: the provider's place, in (lat, lon) as geopy gives it."""

    provider: str
    query: str
    name: str
    lat: float
    lon: float
    kind: str
    country_code: str | None
    ref: str  # provider's own id (osm way123, geonames 1129867) or ""
    display: str
    raw: dict


class OnlineCache:
    """Persistent answers, positive and negative, keyed by query + provider + service + parameters."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False)
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, provider TEXT, query TEXT, params TEXT, "
            "found INTEGER, hit TEXT, fetched TEXT)"
        )
        self._conn.commit()

    @staticmethod
    def key(provider: str, service: str, query: str, params: dict) -> str:
        """The cache key of one question: a SHA-256 of provider, service, normalised query and parameters."""
        blob = json.dumps([provider, service, normalize(query), params], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def get(self, key):
        """(True, hit-or-None) when cached, else (False, None)."""
        row = self._conn.execute("SELECT found, hit FROM answers WHERE key = ?", (key,)).fetchone()
        if row is None:
            return False, None
        return True, (OnlineHit(**json.loads(row[1])) if row[0] else None)

    def put(self, key, provider, query, params, hit: OnlineHit | None) -> None:
        """Store the answer to ``key`` (``hit`` None records "not found"), with the UTC time it was fetched."""
        from dataclasses import asdict

        self._conn.execute(
            "INSERT OR REPLACE INTO answers VALUES (?,?,?,?,?,?,?)",
            (key, provider, query, json.dumps(params, sort_keys=True), int(hit is not None),
             json.dumps(asdict(hit), ensure_ascii=False) if hit else None,
             time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
        )
        self._conn.commit()

    def close(self):
        """Close the cache's SQLite connection."""
        self._conn.close()


class OnlineGeocoder:
    """A geopy geocoder behind a RateLimiter, retries and the persistent cache.

    Parameters
    ----------
    provider : str
        A geopy service name (``nominatim``, ``geonames``, ``photon``...).
    geocoder : object, optional
        A ready geopy-like geocoder (tests pass a fake one); built from ``provider`` otherwise.
    url : str, optional
        Service base URL for self-hosted servers (``http://127.0.0.1:8080``).
    timeout, min_delay : float
        Seconds per request / between requests (at least 1 s for the public Nominatim).
    cache_path : Path, optional
        Cache file; default ``<cache folder>/online-geocode.sqlite``.
    """

    def __init__(self, provider: str, *, geocoder=None, url=None, timeout=DEFAULT_TIMEOUT, min_delay=None,
                 cache_path=None, max_retries=MAX_RETRIES, backoff=BACKOFF_SECONDS, sleep=time.sleep,
                 language="en", options=None):
        from geopy.extra.rate_limiter import RateLimiter

        self.provider = provider.lower().strip()
        self.url = url or os.environ.get("CONFLICTMAP_ONLINE_URL") or ""
        self.timeout = timeout
        self.language = language
        self._sleep = sleep
        self.max_retries = max_retries
        self.backoff = backoff
        self.geocoder = geocoder or self._build(options or {})
        domain = getattr(self.geocoder, "domain", "") or self.url
        if min_delay is None:
            env = os.environ.get("CONFLICTMAP_ONLINE_MIN_DELAY")
            min_delay = float(env) if env else DEFAULT_MIN_DELAY
        if self.provider == "nominatim" and (not domain or PUBLIC_NOMINATIM in str(domain)):
            min_delay = max(min_delay, DEFAULT_MIN_DELAY)  # the public server's usage policy
        self.min_delay = min_delay
        self.service = str(domain or self.provider)
        self._limited = RateLimiter(self.geocoder.geocode, min_delay_seconds=min_delay, max_retries=0,
                                    swallow_exceptions=False)
        from gazetteer.sources.fetch import cache_dir

        self.cache = OnlineCache(cache_path or cache_dir() / CACHE_FILENAME)
        self.stats = {"asked": 0, "cache_hits": 0, "requests": 0, "found": 0, "failed": 0}
        self.disabled: str | None = None

    def _build(self, options):
        from geopy.geocoders import get_geocoder_for_service

        try:
            cls = get_geocoder_for_service(self.provider)
        except Exception as err:  # geopy raises GeocoderNotFound
            raise OnlineGeocodingError(
                f"{self.provider!r} is not a geopy geocoding service; try nominatim, geonames, photon or arcgis"
            ) from err
        kwargs = {"user_agent": user_agent(), "timeout": self.timeout, **options}
        if self.provider == "geonames" and "username" not in kwargs:
            name = os.environ.get("CONFLICTMAP_GEONAMES_USERNAME")
            if not name:
                raise OnlineGeocodingError(
                    "the GeoNames web service needs an account name: set CONFLICTMAP_GEONAMES_USERNAME "
                    "(free at https://www.geonames.org/login)"
                )
            kwargs["username"] = name
        if self.url:
            from urllib.parse import urlsplit

            u = urlsplit(self.url if "://" in self.url else "https://" + self.url)
            kwargs["domain"] = u.netloc + u.path.rstrip("/")
            kwargs["scheme"] = u.scheme
        try:
            return cls(**kwargs)
        except TypeError as err:
            raise OnlineGeocodingError(f"cannot set up the {self.provider!r} geocoder: {err}") from err

    def params(self, country: str | None) -> dict:
        """The request parameters that make part of the cache key: country code ("" if none) and language."""
        return {"country": country or "", "language": self.language}

    def lookup(self, query: str, *, country: str | None = None) -> OnlineHit | None:
        """The provider's answer for ``query`` (cache first), or None."""
        query = clean_text(query)
        params = self.params(country)
        key = OnlineCache.key(self.provider, self.service, query, params)
        self.stats["asked"] += 1
        cached, hit = self.cache.get(key)
        if cached:
            self.stats["cache_hits"] += 1
            self.stats["found"] += hit is not None
            return hit
        if self.disabled:
            return None
        from geopy.exc import GeopyError

        try:
            location = self._request(query, country)
        except OnlineGeocodingError as err:
            self.disabled = str(err)
            log.warning("%s; no more online lookups in this run", err)
            self.stats["failed"] += 1
            return None
        except (GeopyError, OSError, ValueError) as err:  # after retries: stays not found, not cached
            self.stats["failed"] += 1
            log.warning("online lookup of %r with %s failed: %s", query, self.provider, err)
            return None
        hit = self._to_hit(query, location) if location is not None else None
        self.cache.put(key, self.provider, query, params, hit)
        self.stats["found"] += hit is not None
        return hit

    def _request(self, query, country):
        from geopy.exc import (
            GeocoderAuthenticationFailure,
            GeocoderInsufficientPrivileges,
            GeocoderRateLimited,
            GeocoderServiceError,
            GeocoderTimedOut,
            GeocoderUnavailable,
        )

        kwargs = {"exactly_one": True}
        if self.provider == "nominatim":
            kwargs.update(addressdetails=True, language=self.language)
            if country:
                kwargs["country_codes"] = country.lower()
        elif self.provider == "geonames" and country:
            kwargs["country"] = country
        for attempt in range(self.max_retries + 1):
            self.stats["requests"] += 1
            try:
                return self._limited(query, **kwargs)
            except (GeocoderAuthenticationFailure, GeocoderInsufficientPrivileges) as err:
                raise OnlineGeocodingError(
                    f"{self.provider} refused service ({err}); check the User-Agent/account and the usage policy"
                ) from err
            except GeocoderRateLimited as err:
                if attempt == self.max_retries:
                    raise
                wait = err.retry_after if err.retry_after is not None else self.backoff * 2 ** attempt
                wait = min(float(wait), MAX_RETRY_AFTER)
                log.warning("%s asked to slow down (HTTP 429); waiting %.0f s", self.provider, wait)
                self._sleep(wait)
            except (GeocoderTimedOut, GeocoderUnavailable, GeocoderServiceError):
                if attempt == self.max_retries:
                    raise
                self._sleep(self.backoff * 2 ** attempt)
        return None  # pragma: no cover

    def _to_hit(self, query, location) -> OnlineHit | None:
        raw = dict(getattr(location, "raw", None) or {})
        lat, lon = float(location.latitude), float(location.longitude)  # geopy: (lat, lon)
        display = str(getattr(location, "address", "") or raw.get("display_name") or query)
        kind, cc, ref, name = "other", None, "", display.split(",")[0].strip() or query
        if self.provider == "nominatim":
            kind = _NOMINATIM_KINDS.get(raw.get("addresstype") or raw.get("type") or "", "other")
            cc = ((raw.get("address") or {}).get("country_code") or "").upper() or None
            if raw.get("osm_type") and raw.get("osm_id"):
                ref = f"{raw['osm_type']}{raw['osm_id']}"
            name = raw.get("name") or name
        elif self.provider == "geonames":
            from gazetteer.sources.geonames import kind_of

            kind = kind_of(raw.get("fcl", ""), raw.get("fcode", ""))
            cc = raw.get("countryCode") or None
            ref = str(raw.get("geonameId") or "")
            name = raw.get("name") or name
        return OnlineHit(self.provider, query, name, lat, lon, kind, cc, ref, display, _small(raw))

    def summary(self) -> str:
        """One line of counts: names asked, cache hits, requests made, found and failed."""
        s = self.stats
        text = (f"online ({self.provider}): {s['asked']} names not found offline, {s['cache_hits']} answered from "
                f"the cache, {s['requests']} requests, {s['found']} found")
        if s["failed"]:
            text += f", {s['failed']} failed"
        return text

    def close(self):
        """Close the answer cache."""
        self.cache.close()


def _small(raw: dict) -> dict:
    keep = ("place_id", "osm_type", "osm_id", "class", "type", "addresstype", "display_name", "licence",
            "geonameId", "fcl", "fcode", "countryCode", "name", "address")
    return {k: raw[k] for k in keep if k in raw}


class OnlineGazetteer:
    """A Gazetteer that consults an online geocoder for names the index cannot resolve.

    Examples
    --------
    >>> gz = OnlineGazetteer(Gazetteer.open(), OnlineGeocoder("nominatim"))     # doctest: +SKIP
    >>> gz.resolve("Chahar Dara bazaar", country="AF").best.match             # doctest: +SKIP
    'online'
    """

    def __init__(self, gz, geocoder: OnlineGeocoder, *, store_results=True, progress=False):
        self.gz = gz
        self.geocoder = geocoder
        self.store_results = store_results
        self._bar: Any = None
        self._progress = progress
        self._stored: dict = {}  # place id -> Place stored during this run (the Gazetteer memo still says not found)

    def __getattr__(self, name):
        return getattr(self.gz, name)

    def resolve(self, name, *, country=None, within=None, context=(), limit=5, kind=None) -> Resolution:
        """Resolve offline first; ask the online geocoder only for a name the index does not find.

        An online answer in another country than ``country`` is ignored. Found places are stored in
        the index when ``store_results`` is set. Same parameters and result as ``Gazetteer.resolve``.
        """
        res = self.gz.resolve(name, country=country, within=within, context=context, limit=limit, kind=kind)
        if res.status != NOT_FOUND or kind is not None or not isinstance(name, str) or res.message.startswith(
            ("empty", "place name")
        ) or not any(ch.isalpha() for ch in name):
            return res
        cc = self.gz.country_code(country) if country else None
        hit = self.geocoder.lookup(name, country=cc)
        self._tick()
        if hit is None or (cc and hit.country_code and hit.country_code != cc):
            return res
        place = self._stored.get(_place_id(hit))
        if place is None:
            place = self._store(hit) if self.store_results else _transient_place(hit)
            self._stored[place.id] = place
        cand = Candidate(place=place, score=ONLINE_SCORE, reason=f"online {hit.provider}: {hit.display}",
                         match="online", quality=ONLINE_SCORE)
        return Resolution(query=res.query, status=RESOLVED, best=cand, candidates=(cand, *res.candidates[: limit - 1]),
                          message=f"found online ({hit.provider})")

    def resolve_many(self, names, **kwargs) -> list:
        """``resolve`` on each name, in order (same keyword arguments)."""
        return [self.resolve(n, **kwargs) for n in names]

    def _tick(self):
        if not self._progress:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(desc=f"online ({self.geocoder.provider})", unit="name", leave=False, position=1)
        s = self.geocoder.stats
        self._bar.update(1)
        self._bar.set_postfix(cached=s["cache_hits"], requests=s["requests"], found=s["found"], refresh=False)

    def _store(self, hit: OnlineHit) -> Place:
        from gazetteer.sources._common import index_path

        path = index_path(self.gz)
        place_id = store_hit(path, hit, self.geocoder.params(hit.country_code), self.geocoder.service)
        from gazetteer import store

        conn = store.connect(path)
        try:
            rows = store.select_places(conn, "p.id = ?", (place_id,))
        finally:
            conn.close()
        return store.row_to_place(rows[0]) if rows else _transient_place(hit)

    def summary(self) -> str:
        """The online geocoder's counts (see ``OnlineGeocoder.summary``)."""
        return self.geocoder.summary()

    def close(self):
        """Close the progress bar and the geocoder's cache (not the wrapped gazetteer)."""
        if self._bar is not None:
            self._bar.close()
        self.geocoder.close()


def _place_id(hit: OnlineHit) -> str:
    ref = hit.ref or hashlib.sha1(f"{hit.query}|{hit.lat:.5f}|{hit.lon:.5f}".encode()).hexdigest()[:12]
    return f"online:{hit.provider}:{ref}"


def _transient_place(hit: OnlineHit) -> Place:
    return Place(id=_place_id(hit), name=hit.name, kind=hit.kind, lat=hit.lat, lon=hit.lon,
                 country_code=hit.country_code, feature_code="ONLINE", bbox=(hit.lon, hit.lat, hit.lon, hit.lat),
                 source=f"online:{hit.provider}")


def store_hit(index, hit: OnlineHit, params: dict, service: str) -> str:
    """Add one online answer to the index as source ``online:<provider>`` (one transaction); returns its id."""
    from gazetteer import store
    from gazetteer.importance import online_importance
    from gazetteer.names import rows_for_names
    from gazetteer.sources._common import index_path, now
    from gazetteer.sources._spatial import admin_links

    path = index_path(index)
    src = f"online:{hit.provider}"
    pid_id = _place_id(hit)
    licence, attribution = LICENCES.get(hit.provider, ("see the provider's terms", f"Geocoding: {hit.provider}"))
    with store.write_transaction(path) as conn:
        row = conn.execute("SELECT pid FROM places WHERE id = ?", (pid_id,)).fetchone()
        if row is not None:
            pid = row[0]
            have = {k for (k,) in conn.execute("SELECT key FROM names WHERE pid = ?", (pid,))}
            store.insert_rows(conn, name_rows=[r for r in rows_for_names(pid, [hit.query], hit.name) if r[0] not in have])
        else:
            pid = store.next_pid(conn)
            links = admin_links(conn, hit.lon, hit.lat, hit.country_code)
            cc = links["country_code"]
            a1, a2 = links["admin1"], links["admin2"]
            cname = conn.execute("SELECT name FROM places WHERE id = ?", (f"country:{cc}",)).fetchone()
            store.insert_rows(conn, [store.place_row(
                pid, pid_id, hit.name, hit.kind, hit.lat, hit.lon, cc, cname[0] if cname else None,
                a1[1] if a1 else None, a2[1] if a2 else None, a1[0] if a1 else None, a2[0] if a2 else None, 0,
                "ONLINE", (hit.lon, hit.lat, hit.lon, hit.lat), False, src, online_importance(hit.kind),
            )], list(rows_for_names(pid, [hit.query], hit.name)))
        note = {"provider": hit.provider, "service": service, "query": hit.query, "params": params,
                "display_name": hit.display, "ref": hit.ref, "licence": hit.raw.get("licence") or licence,
                "fetched": now()}
        conn.execute("INSERT INTO notes VALUES (?,?,?)", (pid, src, json.dumps(note, ensure_ascii=False)))
        info = store.source_info(conn, src) or {
            "name": src, "removable": True, "kind": "online", "description": f"answers of the {hit.provider} "
            "geocoder for names the offline index could not resolve", "licence": licence,
            "attribution": attribution,
        }
        info["count"] = conn.execute("SELECT COUNT(*) FROM places WHERE source = ?", (src,)).fetchone()[0]
        info["loaded"] = now()
        store.register_source(conn, info)
    return pid_id
