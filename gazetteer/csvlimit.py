"""The csv module's cell limit, raised only while a table is read.

:func:`csv.field_size_limit` is one value for the whole process. Readers of tables with long
cells (``conflictmap geocode``, the claims readers of :mod:`mapper.claims`, ``conflictmap
aggregate``) raise it inside :func:`csv_field_limit` so that nothing else in the process
inherits their limit. It lives here, in a leaf of the lowest package, so that the gazetteer's
table reader and the mapper share one owner.
"""

from __future__ import annotations

import csv
import threading
from contextlib import contextmanager

__all__ = ["csv_field_limit"]

# csv.field_size_limit is one value for the whole process. Readers raise it only while they
# read, and the last of several concurrent readers (threads) puts back what it found.
_limit_lock = threading.Lock()
_limit_users = 0
_limit_saved: int | None = None
_limit_set: int | None = None


@contextmanager
def csv_field_limit(limit: int):
    """Raise :func:`csv.field_size_limit` to at least ``limit`` for the ``with`` block only.

    The csv module's limit (131,072 characters by default) is process-wide: a claims file with
    a longer cell needs a higher one, but other code in the process must not inherit it. Nested
    and concurrent blocks share one raise; the last to leave restores the earlier value, unless
    something else changed the limit meanwhile (then that value is kept).

    Examples
    --------
    >>> import csv
    >>> before = csv.field_size_limit()
    >>> with csv_field_limit(10 * before):
    ...     csv.field_size_limit() == 10 * before
    True
    >>> csv.field_size_limit() == before
    True
    """
    global _limit_users, _limit_saved, _limit_set
    with _limit_lock:
        if _limit_users == 0:
            _limit_saved, _limit_set = csv.field_size_limit(), None
        if csv.field_size_limit() < limit:
            csv.field_size_limit(limit)
            _limit_set = limit
        _limit_users += 1
    try:
        yield
    finally:
        with _limit_lock:
            _limit_users -= 1
            if (_limit_users == 0 and _limit_set is not None and _limit_saved is not None
                    and csv.field_size_limit() == _limit_set):
                csv.field_size_limit(_limit_saved)
