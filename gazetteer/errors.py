"""Errors raised by the gazetteer package.

Every error derives from :class:`GazetteerError`, so callers can catch the
whole family at once; each also mixes in the closest builtin so generic
handlers (``except LookupError``) keep working.
"""

from __future__ import annotations


class GazetteerError(Exception):
    """Root of every error raised by :mod:`gazetteer`."""


class IndexNotBuilt(GazetteerError, FileNotFoundError):
    """Raised when the index file is missing and building was not allowed."""


class IndexBuildError(GazetteerError, RuntimeError):
    """Raised when building the index fails; the previous index is left untouched."""


class IndexAccessError(GazetteerError, OSError):
    """Raised when the index file cannot be opened, or written (read-only file or folder, disk
    full, a locked or damaged file); a write is rolled back, so the index is unchanged.
    Carries ``path``."""

    def __init__(self, message: str, *, path=None):
        super().__init__(message)
        self.path = path

    def __str__(self):  # OSError would format its args; the message is the whole story
        return self.args[0]


class SourceDataError(GazetteerError, ValueError):
    """Raised when a source file (boundaries, GeoNames dump, aliases) cannot be read.

    Carries ``path``, ``line`` and ``field`` when known.
    """

    def __init__(self, message: str, *, path=None, line=None, field=None):
        super().__init__(message)
        self.path = path
        self.line = line
        self.field = field


class InvalidQuery(GazetteerError, ValueError):
    """Raised when a query cannot be a place name at all (empty, binary junk, too long)."""


class PlaceNotFound(GazetteerError, LookupError):
    """Raised by :meth:`Gazetteer.get` / strict lookups when nothing matches.

    ``suggestions`` holds "did you mean" names (possibly empty).
    """

    def __init__(self, message: str, *, query: str = "", suggestions=()):
        super().__init__(message)
        self.query = query
        self.suggestions = list(suggestions)


class AmbiguousPlace(GazetteerError, LookupError):
    """Raised by strict lookups when the two best candidates score too closely.

    ``candidates`` holds the competing :class:`~gazetteer.model.Candidate` objects.
    """

    def __init__(self, message: str, *, query: str = "", candidates=()):
        super().__init__(message)
        self.query = query
        self.candidates = list(candidates)


class OnlineGeocodingError(GazetteerError, RuntimeError):
    """Raised by :mod:`gazetteer.sources.online` when an online geocoder cannot be set up
    (unknown provider, missing account name) or refuses service (HTTP 401/403).

    Lookups that merely fail (timeouts, no result) never raise: the name stays not found.
    """


class DownloadError(GazetteerError, OSError):
    """Raised by :mod:`gazetteer.sources.fetch` when a download fails after its retries, or the
    file received is not what the official location serves (size, format). Carries ``url``."""

    def __init__(self, message: str, *, url: str = ""):
        super().__init__(message)
        self.url = url
