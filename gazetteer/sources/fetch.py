"""Download sources from their official locations, then add them.

* GeoNames: ``https://download.geonames.org/export/dump/`` - ``<CC>.zip`` or
  ``allCountries.zip``, ``admin1CodesASCII.txt``, ``admin2Codes.txt``,
  ``countryInfo.txt`` and optionally ``alternatenames/<CC>.zip`` /
  ``alternateNamesV2.zip``.
* geoBoundaries: the API ``https://www.geoboundaries.org/api/current/gbOpen/<ISO3>/ADM<N>/``
  returns JSON whose ``gjDownloadURL`` is the GeoJSON; the API answer is kept
  beside it as ``<name>-metaData.json`` (licence, producer, year).

Base URLs are configurable (``CONFLICTMAP_GEONAMES_URL``,
``CONFLICTMAP_GEOBOUNDARIES_URL`` or the ``base_url`` argument), which is how
the tests serve fixture files from 127.0.0.1. Downloads go to a cache
(``$CONFLICTMAP_CACHE_DIR`` or ``platformdirs.user_cache_dir("conflictmap")``
/ ``downloads/<host>/<path>``) and are reused unless ``refresh``; each is
streamed to a ``.part`` file with a progress bar, checked (size against
``Content-Length``, format: zip archive with the expected member, tab-separated
columns, JSON) and only then renamed into place. Transient failures (network
errors, HTTP 429/5xx, short reads) are retried with exponential backoff,
honouring ``Retry-After``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from gazetteer._version import __version__
from gazetteer.errors import DownloadError, SourceDataError

log = logging.getLogger(__name__)

GEONAMES_URL = "https://download.geonames.org/export/dump/"
GEOBOUNDARIES_URL = "https://www.geoboundaries.org/api/current/"
RETRIES = 4
BACKOFF_SECONDS = 2.0
MAX_WAIT_SECONDS = 120.0
TIMEOUT_SECONDS = 60.0
CHUNK = 1 << 20


def user_agent() -> str:
    """The User-Agent header sent with gazetteer downloads (names the tool and its version)."""
    return f"conflictmap/{__version__} (gazetteer download; https://pypi.org/project/conflictmap/)"


def cache_dir(override=None) -> Path:
    """The download cache folder: ``override``, else ``$CONFLICTMAP_CACHE_DIR``, else the user cache folder."""
    if override:
        return Path(override)
    env = os.environ.get("CONFLICTMAP_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("conflictmap", appauthor=False))


def _cache_path(url: str, root: Path) -> Path:
    u = urllib.parse.urlsplit(url)
    parts = [re.sub(r"[^A-Za-z0-9._-]", "_", p) for p in (u.netloc, *u.path.split("/")) if p and p not in (".", "..")]
    return root.joinpath("downloads", *parts)


# ---------------------------------------------------------------------------- format checks
def check_file(path: Path, expect: str, url: str = "") -> None:
    """Raise DownloadError unless ``path`` looks like ``expect``.

    ``zip`` (a readable archive holding a .txt), ``tsv:<n>`` (first data line has n
    tab-separated columns), ``json``, ``geojson`` (a FeatureCollection with features).
    """
    try:
        if expect == "zip":
            if not zipfile.is_zipfile(path):
                raise DownloadError(f"{url or path} is not a zip archive (got {path.stat().st_size:,} bytes); "
                                    "the server may have sent an error page", url=url)
            with zipfile.ZipFile(path) as z:
                if not any(n.lower().endswith(".txt") for n in z.namelist()):
                    raise DownloadError(f"{url or path}: the archive holds no .txt file ({z.namelist()[:5]})", url=url)
        elif expect.startswith("tsv:"):
            want = int(expect[4:])
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    if line.startswith("#") or not line.strip():
                        continue
                    got = line.rstrip("\r\n").count("\t") + 1
                    if got < want:
                        raise DownloadError(f"{url or path}: {got} tab-separated columns, expected {want}", url=url)
                    break
                else:
                    raise DownloadError(f"{url or path} is empty", url=url)
        elif expect in ("json", "geojson"):
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            if expect == "geojson" and (data.get("type") != "FeatureCollection" or not data.get("features")):
                raise DownloadError(f"{url or path} is not a GeoJSON FeatureCollection with features", url=url)
    except (UnicodeDecodeError, ValueError) as err:
        raise DownloadError(f"{url or path} is not valid {expect} ({err})", url=url) from err


# ---------------------------------------------------------------------------- download
def download(url: str, *, expect: str | None = None, dest: Path | None = None, cache=None, refresh=False,
             progress=False, retries=RETRIES, backoff=BACKOFF_SECONDS, timeout=TIMEOUT_SECONDS,
             sleep=time.sleep) -> Path:
    """Fetch ``url`` into the cache (or ``dest``) and return the local path.

    A cached copy that passes the format check is reused unless ``refresh``.
    """
    dest = Path(dest) if dest else _cache_path(url, cache_dir(cache))
    if dest.exists() and not refresh:
        try:
            if expect:
                check_file(dest, expect, url)
            log.info("using cached %s", dest)
            return dest
        except DownloadError:
            log.warning("cached %s is damaged; downloading again", dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    last: Exception | None = None
    for attempt in range(retries + 1):
        wait = min(MAX_WAIT_SECONDS, backoff * (2 ** attempt))
        try:
            _fetch_once(url, part, progress=progress, timeout=timeout)
            if expect:
                check_file(part, expect, url)
            os.replace(part, dest)
            return dest
        except urllib.error.HTTPError as err:
            last = err
            if err.code == 429 or err.code >= 500:
                ra = err.headers.get("Retry-After") if err.headers else None
                if ra and ra.strip().isdigit():
                    wait = min(MAX_WAIT_SECONDS, float(ra))
            else:
                part.unlink(missing_ok=True)
                hint = " (check the country code / level)" if err.code == 404 else ""
                raise DownloadError(f"{url}: HTTP {err.code} {err.reason}{hint}", url=url) from err
        except (urllib.error.URLError, OSError, DownloadError) as err:  # network, short read, bad format
            last = err
        part.unlink(missing_ok=True)
        if attempt < retries:
            log.warning("download of %s failed (%s); retry %d/%d in %.0f s", url, last, attempt + 1, retries, wait)
            sleep(wait)
    raise DownloadError(f"downloading {url} failed after {retries + 1} attempts: {last}", url=url) from last


def _fetch_once(url: str, part: Path, *, progress: bool, timeout: float) -> None:
    from tqdm import tqdm

    req = urllib.request.Request(url, headers={"User-Agent": user_agent()})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        total = resp.headers.get("Content-Length")
        total = int(total) if total and total.isdigit() else None
        got = 0
        with open(part, "wb") as fh, tqdm(total=total, desc=f"downloading {url.rsplit('/', 1)[-1]}", unit="B",
                                          unit_scale=True, disable=not progress, leave=False) as bar:
            while True:
                chunk = resp.read(CHUNK)
                if not chunk:
                    break
                fh.write(chunk)
                got += len(chunk)
                bar.update(len(chunk))
    if total is not None and got != total:
        raise DownloadError(f"{url}: received {got:,} of {total:,} bytes", url=url)
    if got == 0:
        raise DownloadError(f"{url}: empty response", url=url)


# ---------------------------------------------------------------------------- GeoNames
def _base(url: str | None, env: str, default: str) -> str:
    b = url or os.environ.get(env) or default
    return b if b.endswith("/") else b + "/"


def geonames_files(code: str, *, base_url=None, alternates=False, cache=None, refresh=False, progress=False,
                   sleep=time.sleep) -> list:
    """Download the GeoNames files for a country code (or ``all``); return their local paths."""
    code = (code or "").strip()
    if code.lower() == "all":
        dump = "allCountries.zip"
        alt = "alternateNamesV2.zip"
    elif len(code) == 2 and code.isalpha():
        dump = f"{code.upper()}.zip"
        alt = f"alternatenames/{code.upper()}.zip"
    else:
        raise SourceDataError(f"{code!r} is not an ISO 3166 alpha-2 country code or 'all' (e.g. AF)")
    base = _base(base_url, "CONFLICTMAP_GEONAMES_URL", GEONAMES_URL)
    wanted = [("countryInfo.txt", "tsv:17"), ("admin1CodesASCII.txt", "tsv:4"), ("admin2Codes.txt", "tsv:4"),
              (dump, "zip")]
    if alternates:
        wanted.append((alt, "zip"))
    return [download(base + name, expect=expect, cache=cache, refresh=refresh, progress=progress, sleep=sleep)
            for name, expect in wanted]


def fetch_geonames(index, code: str, *, base_url=None, alternates=False, cache=None, refresh=False, progress=False,
                   strict=False, sleep=time.sleep):
    """Download and add GeoNames data for a country (``AF``) or ``all``; returns the LoadReports."""
    from gazetteer.sources._common import index_path
    from gazetteer.sources.geonames import add_geonames

    index_path(index)  # fail before downloading when there is no index
    paths = geonames_files(code, base_url=base_url, alternates=alternates, cache=cache, refresh=refresh,
                           progress=progress, sleep=sleep)
    return add_geonames(index, paths, strict=strict, progress=progress)


# ---------------------------------------------------------------------------- geoBoundaries
def _iso3(code: str) -> str:
    import pycountry

    c = (code or "").strip().upper()
    hit = pycountry.countries.get(alpha_3=c) if len(c) == 3 else pycountry.countries.get(alpha_2=c) if len(c) == 2 else None
    if hit is None:
        raise SourceDataError(f"{code!r} is not an ISO 3166 country code (expected e.g. AFG or AF)")
    return hit.alpha_3


def geoboundaries_file(iso: str, level: int, *, base_url=None, release="gbOpen", cache=None, refresh=False,
                       progress=False, simplified=False, sleep=time.sleep) -> Path:
    """Ask the geoBoundaries API for ``<ISO3>/ADM<level>``, download the GeoJSON it names, keep its metadata."""
    iso3 = _iso3(iso)
    if level not in (1, 2, 3):
        raise SourceDataError(f"level {level!r} is not supported; expected ADM level 1, 2 or 3")
    base = _base(base_url, "CONFLICTMAP_GEOBOUNDARIES_URL", GEOBOUNDARIES_URL)
    api_url = f"{base}{release}/{iso3}/ADM{level}/"
    meta_path = download(api_url, expect="json", dest=_cache_path(api_url, cache_dir(cache)) / "index.json",
                         cache=cache, refresh=refresh, progress=False, sleep=sleep)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if isinstance(meta, list):
        meta = meta[0] if meta else {}
    url = meta.get("simplifiedGeometryGeoJSON" if simplified else "gjDownloadURL") or meta.get("gjDownloadURL")
    if not url:
        raise DownloadError(f"{api_url}: the answer names no GeoJSON (no gjDownloadURL)", url=api_url)
    url = urllib.parse.urljoin(api_url, url)
    name = url.rsplit("/", 1)[-1] or f"geoBoundaries-{iso3}-ADM{level}.geojson"
    dest = meta_path.parent / name
    path = download(url, expect="geojson", dest=dest, cache=cache, refresh=refresh, progress=progress, sleep=sleep)
    stem = name.split(".")[0].replace("_simplified", "")
    (path.parent / f"{stem}-metaData.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return path


def fetch_geoboundaries(index, iso: str, level: int, *, base_url=None, release="gbOpen", cache=None,
                        refresh=False, progress=False, simplified=False, strict=False, sleep=time.sleep):
    """Download geoBoundaries ``<ISO3>`` ADM``level`` and add it; returns the LoadReport."""
    from gazetteer.sources._common import index_path
    from gazetteer.sources.boundaries import add_boundaries

    index_path(index)
    path = geoboundaries_file(iso, level, base_url=base_url, release=release, cache=cache, refresh=refresh,
                              progress=progress, simplified=simplified, sleep=sleep)
    return add_boundaries(index, path, level=level, strict=strict, progress=progress)
