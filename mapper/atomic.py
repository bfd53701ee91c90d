"""Writing output files atomically, with the user's usual permissions.

Maps, images and tables are written to a temporary file next to the target
and renamed over it, so a reader (a web server, a newsroom's CMS watcher)
never sees half a file. The temporary file is created with mode 0666 minus
the umask, as ``open()`` would: ``tempfile.mkstemp`` makes 0600 files, and a
rename keeps that mode, which left published images unreadable to a web
server (``-rw-------``).

Examples
--------
>>> import os, tempfile
>>> d = tempfile.mkdtemp()
>>> old = os.umask(0o022)
>>> path = write_atomic(os.path.join(d, "map.svg"), b"<svg/>")
>>> oct(os.stat(path).st_mode & 0o777)
'0o644'
>>> _ = os.umask(old)
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def open_atomic(path, mode: str = "wb", **kwargs):
    """Open a temporary file next to ``path`` for writing (``mode`` and ``kwargs`` as for
    :func:`open`); at the end of the ``with`` block it is renamed over ``path``.

    The file gets mode 0666 & ~umask (like any file the user creates). On any error, in the
    block or in the rename, the temporary file is removed and ``path`` is left as it was. The
    folder must exist.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_atomic(path, data) -> Path:
    """Write ``data`` (bytes, or str as UTF-8) to ``path`` through a temporary file and a rename.

    The file gets mode 0666 & ~umask (like any file the user creates); the
    folder is created when missing. On any error the temporary file is
    removed and the target is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open_atomic(path) as fh:
        fh.write(data)
    return path


__all__ = ["open_atomic", "write_atomic"]
