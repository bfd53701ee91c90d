"""The installed distribution's version, read from its metadata (as :mod:`gazetteer._version`).

Both packages ship in the ``conflictmap`` distribution, so ``setup.cfg``'s ``version`` is the one
owner of the string; neither package hard-codes it, and importing :mod:`mapper` does not load the
gazetteer just to learn it.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("conflictmap")
except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"
