"""Input formats of claims, one module each, and the registry that the readers ask.

Built in: :mod:`~mapper.claims.formats.canonical` (conflictmap's own table),
:mod:`~mapper.claims.formats.acled` (three ACLED layouts) and
:mod:`~mapper.claims.formats.ucdp` (two UCDP GED layouts). A new format is a module that
defines a :class:`ClaimsFormat` and one :func:`register_format` call (below for a built-in
one, in the user's code for a plugin); :func:`mapper.claims.read_claims` then detects and
reads it, and the "match no known format" error names it.

Examples
--------
>>> from mapper.claims.formats import get_format, registered_formats
>>> [f.name for f in registered_formats()]
['ucdp-ged-23.1', 'ucdp-ged-19.1', 'acled-legacy', 'acled-2019', 'acled', 'canonical']
>>> get_format("ucdp-ged-19.1").radius_m(5)
60000
"""

from mapper.claims.formats import acled, canonical, ucdp
from mapper.claims.formats.registry import (
    FORMATS,
    ClaimsFormat,
    Schema,
    detect_format,
    format_for_header,
    get_format,
    register_format,
    registered_formats,
    unregister_format,
)

__all__ = [
    "BUILTIN_FORMATS",
    "FORMATS",
    "ClaimsFormat",
    "Schema",
    "detect_format",
    "format_for_header",
    "get_format",
    "register_format",
    "registered_formats",
    "unregister_format",
]

#: The built-in formats, in registration order (the order of the "match no known format" message;
#: detection follows each format's ``priority``).
BUILTIN_FORMATS = (
    canonical.CANONICAL,
    acled.ACLED,
    acled.ACLED_2019,
    acled.ACLED_LEGACY,
    ucdp.UCDP_GED_23_1,
    ucdp.UCDP_GED_19_1,
)
for _fmt in BUILTIN_FORMATS:
    register_format(_fmt)
