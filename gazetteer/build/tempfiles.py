"""The build's temporary file: written beside the index, renamed over it when complete, and
cleaned up after builds that were killed."""

from __future__ import annotations

import logging
import time
from pathlib import Path

log = logging.getLogger(__name__)


#: Temporary index files: ``.index-<random>.tmp`` next to the index, renamed over it when complete.
TEMP_PREFIX, TEMP_SUFFIX = ".index-", ".tmp"
#: Where file locks are unavailable, a temporary index untouched this long is left over from a killed build.
STALE_TEMP_SECONDS = 3600


def cannot_write(target: Path, err: BaseException) -> str:
    """The message for an index that cannot be written to ``target``, naming the options that fix it."""
    what = getattr(err, "strerror", None) or str(err)
    where = getattr(err, "filename", None) or target.parent
    return (
        f"cannot write the gazetteer index {target} ({where}: {what}); choose a writable folder with "
        "--data-dir or CONFLICTMAP_DATA_DIR"
    )


def hold(fd: int) -> None:
    """Lock the open temporary file so that :func:`remove_stale_temp_files` leaves it alone."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the age rule applies
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # pragma: no cover - a file system without flock: the age rule applies
        pass


def remove_stale_temp_files(folder: Path) -> list:
    """Delete the temporary index files that killed builds left in ``folder``; return their paths.

    A running build holds a lock on its temporary file (see :func:`hold`), so only files no
    live process holds are removed. Without file locks (Windows), a file counts as stale when
    untouched for :data:`STALE_TEMP_SECONDS`. Files that cannot be removed are logged, not raised.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        fcntl = None  # type: ignore[assignment]
    removed = []
    for path in Path(folder).glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        try:
            if not path.is_file() or path.is_symlink():
                continue
            if fcntl is None:
                if time.time() - path.stat().st_mtime < STALE_TEMP_SECONDS:
                    continue
                path.unlink()
            else:
                with open(path, "rb") as fh:
                    try:
                        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue  # a build in progress
                    path.unlink()
            removed.append(path)
        except OSError as err:
            log.warning("could not remove the stale temporary index %s: %s", path, err.strerror or err)
    if removed:
        log.info("removed %d temporary index file(s) left by interrupted builds in %s", len(removed), folder)
    return removed
