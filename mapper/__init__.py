"""conflictmap's mapper: claims model, timeline, renderers and the CLI.

Public API::

    from mapper import read_claims, parse_time, format_time
    claims, report = read_claims(["claims.csv"])
"""

from mapper._version import __version__
from mapper.claims import LoadReport, read_claims, write_claims_csv
from mapper.errors import MapperError
from mapper.model import STATUSES, Claim, Origin, TimeSpan
from mapper.status import normalize_status
from mapper.timespan import format_time, parse_time


def __getattr__(name):  # make_map / Map load geopandas and folium only when asked for
    if name in ("make_map", "Map"):
        from mapper import notebook

        return getattr(notebook, name)
    raise AttributeError(f"module 'mapper' has no attribute {name!r}")


__all__ = [
    "Claim",
    "Origin",
    "TimeSpan",
    "STATUSES",
    "MapperError",
    "LoadReport",
    "read_claims",
    "write_claims_csv",
    "normalize_status",
    "parse_time",
    "format_time",
    "__version__",
    "make_map",
    "Map",
]
