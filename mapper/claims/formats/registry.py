"""The table of claims formats: one frozen :class:`ClaimsFormat` per input schema.

A format says how to recognise its header (``detect``), which columns it reads (``columns``),
how one row becomes a :class:`~mapper.model.Claim` (``build``), how its dataset precision codes
become the radius of an approximate area (``precision_radius``) and how its status mappings are
labelled in the load report (``status_mapping``). The readers, the pipeline and the errors ask
this table; nothing else names a format. Adding one is a module with its record plus one
:func:`register_format` call (the built-in ones are registered in
:mod:`mapper.claims.formats`), in the spirit of geopy's ``SERVICE_TO_GEOCODER``. The public
names are listed (``__all__``) and imported from :mod:`mapper.claims.formats`, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from mapper.claims.schema import clean_names
from mapper.errors import ClaimsFileError, ClaimsFormatError, UnknownFormat

#: Detection order of a format registered without one: after the datasets, before the
#: canonical table (which accepts any table with place, time and status).
DEFAULT_PRIORITY = 100
#: Header columns shown in the "match no known format" error.
_SHOWN_COLUMNS = 12


@dataclass(frozen=True)
class ClaimsFormat:
    """One input schema of claims: how to recognise it and how its rows become claims.

    Parameters
    ----------
    name : str
        Unique name (``"acled-2019"``); it goes into ``FileReport.format`` and
        ``Claim.origin.format``.
    description : str
        One line for humans ("ACLED export, older layout ...").
    build : callable
        ``build(record, extra, ctx) -> Claim``: ``record`` maps the columns the format reads
        (see ``columns``) to the row's values, ``extra`` lists ``(column, value)`` of the other
        non-empty columns (keep them with :func:`mapper.claims.cells.extras`), ``ctx`` is the
        row's :class:`~mapper.claims.cells.RowContext`. Read cells through
        :mod:`mapper.claims.cells`; raise :class:`~mapper.errors.CellError` for a bad cell.
    detect : callable, optional
        ``detect(names) -> bool`` for the header's column names (stripped, byte-order mark
        removed, case kept; for JSON the keys of the first records). Default: every
        ``requires`` column is there (``renames`` applied).
    columns : frozenset of str
        Columns the format reads, lower-cased; record keys are these names.
    renames : mapping
        Other (lower-cased) names of those columns in some layouts (``{"sub_type": "sub_event_type"}``).
    column_keys : callable, optional
        ``column_keys(names) -> [key or None, ...]``, one per header column, instead of
        ``columns``/``renames`` (the canonical table's case-insensitive aliases).
    label : str
        Name of the format's family in messages ("ACLED"); default ``name``.
    requires : tuple of str
        Columns named in the "match no known format" error ("ACLED needs event_date, ...").
    list_missing : bool
        Also name the required columns the header lacks in that error.
    precision_radius : mapping
        ``location_precision`` code -> radius in metres of the approximate area drawn for
        coordinates that are only a unit's centroid (UCDP ``where_prec`` 5 -> 60 km).
    status_mapping : str
        How the report labels this format's status mappings (``"acled"``): the ``how`` of
        :class:`~mapper.claims.StatusMapping`.
    geometry : bool
        A GeoJSON Feature's geometry is given to ``build`` (as ``ctx.geometry``); when False it
        is ignored with a note (datasets carry their own coordinates).
    priority : int
        Detection order, lowest first; equal priorities keep the order of registration.
    """

    name: str
    description: str
    build: Callable
    detect: Callable[[Sequence[str]], bool] | None = None
    columns: frozenset = frozenset()
    renames: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    column_keys: Callable[[Sequence[str]], list] | None = None
    label: str = ""
    requires: tuple = ()
    list_missing: bool = False
    precision_radius: Mapping[int, float] = field(default_factory=lambda: MappingProxyType({}))
    status_mapping: str = ""
    geometry: bool = False
    priority: int = DEFAULT_PRIORITY

    def __post_init__(self):
        # Frozen all the way down: a record's tables cannot be changed after registration.
        object.__setattr__(self, "columns", frozenset(self.columns))
        object.__setattr__(self, "renames", MappingProxyType(dict(self.renames)))
        object.__setattr__(self, "requires", tuple(self.requires))
        object.__setattr__(self, "precision_radius", MappingProxyType(dict(self.precision_radius)))

    def keys_for(self, names: Sequence[str]) -> list:
        """The record key of each header column (None: kept as an extra column)."""
        if self.column_keys is not None:
            return list(self.column_keys(names))
        low = [self.renames.get(n.lower(), n.lower()) for n in names]
        return [n if n in self.columns else None for n in low]

    def matches(self, names: Sequence[str]) -> bool:
        """True when a header with these column names is in this format."""
        if self.detect is not None:
            return bool(self.detect(names))
        return bool(self.requires) and not self.missing(names)

    def missing(self, names: Sequence[str]) -> list:
        """The ``requires`` columns that the header lacks."""
        keys = set(self.keys_for(names))
        return [c for c in self.requires if c not in keys]

    def radius_m(self, location_precision: int | None) -> float | None:
        """Radius (metres) of the approximate area for a precision code, None when the point is exact."""
        if location_precision is None:
            return None
        return self.precision_radius.get(location_precision)


_REGISTRY: dict = {}  # name -> ClaimsFormat, in registration order
_DESCRIPTIONS: dict = {}
_ORDER: list = []  # detection order
#: Registered formats, name -> description (a live, read-only view).
FORMATS = MappingProxyType(_DESCRIPTIONS)


def register_format(fmt: ClaimsFormat, *, replace: bool = False) -> ClaimsFormat:
    """Add a claims format to the table, so that every reader detects and reads it.

    Parameters
    ----------
    fmt : ClaimsFormat
    replace : bool
        Replace a format registered under the same name (otherwise that is an error).

    Returns
    -------
    ClaimsFormat
        ``fmt``, so a module can write ``MY_FORMAT = register_format(ClaimsFormat(...))``.

    Raises
    ------
    ClaimsFormatError
        When ``fmt`` is not a :class:`ClaimsFormat`, has no name, no ``build``, neither
        ``detect`` nor ``requires``, or its name is taken and ``replace`` is False.

    Examples
    --------
    >>> from dataclasses import replace
    >>> from mapper.claims.formats.canonical import CANONICAL
    >>> register_format(CANONICAL) is CANONICAL  # registering the same record again changes nothing
    True
    >>> register_format(replace(CANONICAL, description="my table"))
    Traceback (most recent call last):
    ...
    mapper.errors.ClaimsFormatError: a claims format named 'canonical' is already registered (pass replace=True to replace it)
    """
    if not isinstance(fmt, ClaimsFormat):
        raise ClaimsFormatError(f"expected a ClaimsFormat, got {type(fmt).__name__}")
    if not fmt.name or not callable(fmt.build) or not (callable(fmt.detect) or fmt.requires):
        raise ClaimsFormatError(
            f"claims format {fmt.name!r} needs a name, a build function, and a detect function or "
            "required columns"
        )
    if fmt.name in _REGISTRY:
        if _REGISTRY[fmt.name] is fmt:
            return fmt
        if not replace:
            raise ClaimsFormatError(
                f"a claims format named {fmt.name!r} is already registered (pass replace=True to replace it)"
            )
        _ORDER.remove(_REGISTRY[fmt.name])
    _REGISTRY[fmt.name] = fmt
    _DESCRIPTIONS[fmt.name] = fmt.description
    _ORDER.append(fmt)
    _ORDER.sort(key=lambda f: f.priority)  # stable: equal priorities keep registration order
    return fmt


def unregister_format(name: str) -> ClaimsFormat:
    """Remove a format from the table (tests, plugins that replace a built-in one). Returns it."""
    fmt = get_format(name)
    del _REGISTRY[name]
    del _DESCRIPTIONS[name]
    _ORDER.remove(fmt)
    return fmt


def get_format(name: str) -> ClaimsFormat:
    """The format registered as ``name``.

    Raises
    ------
    UnknownFormat
        When no format has that name; the message lists the registered ones.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownFormat(
            f"no claims format is named {name!r} (registered: {', '.join(_REGISTRY) or 'none'})"
        ) from None


def registered_formats() -> tuple:
    """Every registered :class:`ClaimsFormat`, in detection order."""
    return tuple(_ORDER)


def format_for_header(header: Iterable) -> ClaimsFormat:
    """The first format, in detection order, whose ``detect`` accepts the header.

    Raises
    ------
    ClaimsFileError
        When no format does; the message shows the columns and what each registered format
        family needs.
    """
    names = clean_names(header)
    for fmt in _ORDER:
        if fmt.matches(names):
            return fmt
    raise ClaimsFileError(_no_format_message(names))


def detect_format(header: Iterable) -> str:
    """Name the input format of a CSV header or JSON keys, by asking the registered formats.

    Returns
    -------
    str
        The name of a registered format (see :data:`FORMATS`).

    Raises
    ------
    ClaimsFileError
        When the columns match no registered format; the message lists what each needs.

    Examples
    --------
    >>> detect_format(["place", "time", "status", "quote"])
    'canonical'
    >>> detect_format(["event_date", "Year", "Type", "Sub_type", "Actor1", "Actor2", "Location", "latitude", "longitude"])
    'acled-legacy'
    >>> detect_format(["place", "date"])
    Traceback (most recent call last):
    ...
    mapper.errors.ClaimsFileError: columns place, date match no known format: a claims table needs place, time, status (missing: status); ACLED needs event_date, actor1, location, latitude, longitude; UCDP GED needs type_of_violence, where_coordinates, date_start, date_end, side_a, side_b
    """
    return format_for_header(header).name


def _no_format_message(names: list) -> str:
    shown = ", ".join(names[:_SHOWN_COLUMNS]) + (", ..." if len(names) > _SHOWN_COLUMNS else "")
    parts: list = []
    seen: set = set()
    for fmt in _REGISTRY.values():  # registration order: the canonical table first
        label = fmt.label or fmt.name
        if (label, fmt.requires) in seen:
            continue
        seen.add((label, fmt.requires))
        if not fmt.requires:
            parts.append(f"{label}: {fmt.description}")
            continue
        part = f"{label} needs {', '.join(fmt.requires)}"
        missing = fmt.missing(names) if fmt.list_missing else []
        if missing:
            part += f" (missing: {', '.join(missing)})"
        parts.append(part)
    needs = "; ".join(parts) or "no claims format is registered"
    return f"columns {shown or '(none)'} match no known format: {needs}"


class Schema:
    """How the records under one header become claims: the format and each column's key."""

    __slots__ = ("format", "names", "keys")

    def __init__(self, fmt: ClaimsFormat, header: Iterable):
        self.format = fmt
        self.names = clean_names(header)
        self.keys = fmt.keys_for(self.names)

    @property
    def name(self) -> str:
        """The format's name."""
        return self.format.name

    def split(self, values: list) -> tuple:
        """(record of known fields, [(column, value) of other non-empty columns])."""
        rec: dict = {}
        extra: list = []
        for key, name, value in zip(self.keys, self.names, values):
            if key is None:
                if value not in ("", None):
                    extra.append((name, value))
            elif key not in rec:
                rec[key] = value
        return rec, extra

    def build(self, rec: dict, extra: list, ctx):
        """The format's claim (or None) from a split record: see ``ClaimsFormat.build``."""
        return self.format.build(rec, extra, ctx)
