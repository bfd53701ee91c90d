"""The installed distribution's version, read from its metadata.

The gazetteer is the lowest layer: it must not import :mod:`mapper` (which loads the claims
readers) just to learn a version string, so both packages' version is the one of the
``conflictmap`` distribution.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("conflictmap")
except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"
