"""Optional dependencies: imported when a job needs them, with the install hint when missing.

Every import of a dependency that ``install_requires`` does not hold goes through :func:`require`,
so the hint is worded once and names the extra that really installs the module (a test checks each
call against ``setup.cfg``).

Examples
--------
>>> require("json", "parquet", purpose="reading JSON").__name__
'json'
>>> require("no_such_module", "parquet", purpose="GeoParquet export")   # doctest: +ELLIPSIS
Traceback (most recent call last):
...
mapper.errors.OptionalDependencyMissing: GeoParquet export needs no_such_module, which is not installed; install it with: pip install 'conflictmap[parquet]'
"""

from __future__ import annotations

import importlib
from types import ModuleType

from mapper.errors import OptionalDependencyMissing


def install_hint(extra: str) -> str:
    """The command that installs the ``extra`` of conflictmap."""
    return f"pip install 'conflictmap[{extra}]'"


def require(module: str, extra: str, *, purpose: str,
            error: type[OptionalDependencyMissing] = OptionalDependencyMissing) -> ModuleType:
    """Import ``module`` (``"pyarrow"``, ``"dask.dataframe"``) and return it.

    Raises ``error`` (an :class:`~mapper.errors.OptionalDependencyMissing`; a package may pass its
    own subclass) when it is not installed, naming ``purpose`` (the job that needs it) and the
    ``extra`` that installs it (when the module is there but one of its own imports is not, the
    message names that one). Errors other than ImportError propagate unchanged.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        top = module.split(".")[0]
        # The package itself (also when a submodule was asked for), or what it failed to import.
        missing = top if (err.name or top).split(".")[0] == top else str(err.name)
        raise error(
            f"{purpose} needs {missing}, which is not installed; install it with: {install_hint(extra)}",
            name=missing, extra=extra,
        ) from err
