"""conflictmap's gazetteer: an offline place index and a resolver that survives transliteration.

Public API::

    from gazetteer import Gazetteer
    gz = Gazetteer.open()            # builds the embedded index on first use
    gz.resolve("Qal-e-Naw", country="AF")
"""

from gazetteer._geo import haversine_km
from gazetteer._version import __version__
from gazetteer.errors import (
    AmbiguousPlace,
    GazetteerError,
    IndexBuildError,
    IndexNotBuilt,
    InvalidQuery,
    PlaceNotFound,
    SourceDataError,
)
from gazetteer.model import AMBIGUOUS, NOT_FOUND, RESOLVED, Candidate, Place, Resolution
from gazetteer.normalize import normalize, skeleton
from gazetteer.resolver import Gazetteer, default_data_dir

__all__ = [
    "Gazetteer",
    "Place",
    "Candidate",
    "Resolution",
    "RESOLVED",
    "AMBIGUOUS",
    "NOT_FOUND",
    "normalize",
    "skeleton",
    "default_data_dir",
    "haversine_km",
    "GazetteerError",
    "PlaceNotFound",
    "AmbiguousPlace",
    "IndexNotBuilt",
    "IndexBuildError",
    "InvalidQuery",
    "SourceDataError",
    "__version__",
]
