"""Errors raised by the mapper package (claims, timeline, renderers).

Every error derives from :class:`MapperError`.
"""

from __future__ import annotations


class MapperError(Exception):
    """Root of every error raised by :mod:`mapper`."""


class ClaimsFileError(MapperError, ValueError):
    """Raised when a claims file (or one of its rows) cannot be read.

    ``path``, ``row`` (1-based data row, header is row 0) and ``column`` say where.
    """

    def __init__(self, message: str, *, path=None, row=None, column=None):
        super().__init__(message)
        self.path = path
        self.row = row
        self.column = column


class CellError(ClaimsFileError):
    """Raised by a claims format's row builder (and the cell validators of
    :mod:`mapper.claims.cells`) when one cell makes its row unusable.

    ``column`` names the cell, ``reason`` says why and what was expected. The loader turns it
    into a rejected row of the :class:`~mapper.claims.LoadReport` (with the file and row), or,
    with ``strict=True``, into a :class:`ClaimsFileError` that carries them.
    """

    def __init__(self, column: str, reason: str):
        super().__init__(reason, column=column)
        self.reason = reason


class ClaimsFormatError(MapperError, ValueError):
    """Raised when a claims format cannot be registered (not a ``ClaimsFormat``, no name,
    ``detect`` or ``build``, or a name already taken) by
    :func:`mapper.claims.formats.register_format`."""


class UnknownFormat(ClaimsFormatError, LookupError):
    """Raised by :func:`mapper.claims.formats.get_format` for a name no format is registered
    under; the message lists the registered formats."""


class TimeParseError(MapperError, ValueError):
    """Raised when a time value cannot be parsed into a :class:`~mapper.timespan.TimeSpan`."""


class UnknownStatus(MapperError, ValueError):
    """Raised when a status is neither in the vocabulary nor a known synonym."""


class UnresolvedPlaces(MapperError, LookupError):
    """Raised in ``strict`` mode when any claim's place could not be resolved.

    ``unresolved`` lists the offending claims with their suggestions.
    """

    def __init__(self, message: str, *, unresolved=()):
        super().__init__(message)
        self.unresolved = list(unresolved)


class OutputExists(MapperError, FileExistsError):
    """Raised when an output file exists and overwriting was not asked for."""


class RenderError(MapperError, RuntimeError):
    """Raised when a map cannot be rendered."""


class OptionalDependencyMissing(MapperError, ImportError):
    """Raised by :func:`mapper._optional.require` when a job needs an optional dependency that is
    not installed (pyarrow for GeoParquet, dask for the scale jobs...).

    ``name`` is the missing module, ``extra`` the ``setup.cfg`` extra that installs it; the message
    says which job needs it and carries the install hint ``pip install 'conflictmap[EXTRA]'``.
    """

    def __init__(self, message: str, *, name: str | None = None, extra: str | None = None):
        super().__init__(message, name=name)
        self.extra = extra


class ArticleError(MapperError, ValueError):
    """Raised when an article cannot be read as text: unreadable, empty, binary or too long.

    ``path`` names the file (or ``<stdin>``).
    """

    def __init__(self, message: str, *, path=None):
        super().__init__(message)
        self.path = path


class EmbedError(MapperError, ValueError):
    """Raised when an embed option (size, address) or a map file is not usable."""


class ActorConfigError(MapperError, ValueError):
    """Raised when an ``--actors`` file (or the default table) cannot be read or has an invalid entry."""


class EvaluationInputError(MapperError, ValueError):
    """Raised when a gold or prediction file is not in the expected JSON Lines format.

    ``path`` and ``line`` (1-based) say where.
    """

    def __init__(self, message: str, *, path=None, line=None):
        super().__init__(message)
        self.path = path
        self.line = line


class ScaleError(MapperError):
    """Root of the errors of :mod:`mapper.scale` (corpus jobs and aggregation on Dask)."""


class ScaleDependencyMissing(ScaleError, OptionalDependencyMissing):
    """Raised when an optional dependency of :mod:`mapper.scale` (dask, distributed, dask-geopandas,
    pyarrow) is missing: an :class:`OptionalDependencyMissing` (raised through
    :func:`mapper._optional.require`) that is also a :class:`ScaleError`.

    The message carries the install hint ``pip install 'conflictmap[scale]'``.
    """


class CorpusInputError(ScaleError, ValueError):
    """Raised when a corpus input cannot be used: no file matches a pattern, an unknown format,
    a Parquet file without a ``text`` column. ``path`` names the input."""

    def __init__(self, message: str, *, path=None):
        super().__init__(message)
        self.path = path


class ManifestMismatch(ScaleError, ValueError):
    """Raised when an output folder holds the manifest of another job (other inputs, options,
    format or gazetteer), so its partitions cannot be resumed. ``path`` is the manifest."""

    def __init__(self, message: str, *, path=None):
        super().__init__(message)
        self.path = path


class WorkerIndexMismatch(ScaleError, RuntimeError):
    """Raised when a Dask worker's gazetteer index is missing or is not the client's (another
    build, other sources): every worker must read the same index. ``worker`` is its address."""

    def __init__(self, message: str, *, worker: str = ""):
        super().__init__(message)
        self.worker = worker
