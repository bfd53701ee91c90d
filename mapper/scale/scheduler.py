"""Where a Dask job runs: the ``--scheduler`` value, parsed once, and the client it gives.

``--scheduler`` takes

* nothing (the default): in-process, no cluster, plain pandas/geopandas;
* ``local`` or ``local:N``: a :class:`distributed.LocalCluster` on this machine with N worker
  processes of one thread each (default: one per CPU), started and stopped with the job;
* ``tcp://HOST:PORT`` (also ``tls://``, ``ws://``): an existing scheduler (``dask scheduler`` +
  ``dask worker``, dask-jobqueue, dask-kubernetes ...); the job only connects to it.

Examples
--------
>>> parse_scheduler(None)
SchedulerSpec(kind='inprocess', workers=None, address='')
>>> parse_scheduler("local:2")
SchedulerSpec(kind='local', workers=2, address='')
>>> parse_scheduler("tcp://10.0.0.5:8786").address
'tcp://10.0.0.5:8786'
>>> parse_scheduler("local:0")
Traceback (most recent call last):
...
mapper.errors.ScaleError: --scheduler 'local:0': the number of workers must be a whole number >= 1; expected local, local:N (N worker processes on this machine, e.g. local:4) or the address of a running scheduler, e.g. tcp://10.0.0.5:8786
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass

from mapper._optional import require
from mapper.errors import ScaleDependencyMissing, ScaleError

__all__ = ["SchedulerSpec", "parse_scheduler", "dask_client"]

_ADDRESS_RE = re.compile(r"^(tcp|tls|ws|wss|inproc)://\S+$")
#: The accepted forms, quoted in every rejection.
_ACCEPTED = ("expected local, local:N (N worker processes on this machine, e.g. local:4) or the address "
             "of a running scheduler, e.g. tcp://10.0.0.5:8786")


@dataclass(frozen=True)
class SchedulerSpec:
    """A parsed ``--scheduler``: ``kind`` is ``inprocess``, ``local`` or ``address``."""

    kind: str
    workers: int | None = None
    address: str = ""

    @property
    def in_process(self) -> bool:
        """True when no cluster is asked for (the job runs in this process)."""
        return self.kind == "inprocess"

    def __str__(self) -> str:
        if self.kind == "local":
            return f"local:{self.workers}" if self.workers else "local"
        return self.address or "in-process"


def parse_scheduler(value) -> SchedulerSpec:
    """Parse a ``--scheduler`` value (see the module docstring); raises :class:`ScaleError`."""
    if value is None or str(value).strip() in ("", "inprocess", "in-process", "none"):
        return SchedulerSpec("inprocess")
    text = str(value).strip()
    if text == "local":
        return SchedulerSpec("local")
    if text.startswith("local:"):
        n = text[len("local:"):]
        if not n.isdigit() or int(n) < 1:
            raise ScaleError(f"--scheduler {text!r}: the number of workers must be a whole number >= 1; "
                             f"{_ACCEPTED}")
        return SchedulerSpec("local", workers=int(n))
    if _ADDRESS_RE.match(text):
        return SchedulerSpec("address", address=text)
    raise ScaleError(f"--scheduler {text!r} is not a scheduler; {_ACCEPTED}")


@contextmanager
def dask_client(spec: SchedulerSpec, *, memory_limit: str | None = None):
    """A :class:`distributed.Client` for ``spec`` (None in-process), closed on exit.

    A ``local`` cluster is started with one-thread worker processes (the work is pure Python
    and pandas, which holds the GIL) and shut down afterwards; the scheduler, its HTTP endpoint
    and the workers listen on 127.0.0.1 only.
    """
    if spec.in_process:
        yield None
        return
    distributed = require("distributed", "scale", purpose=f"--scheduler {spec}",
                          error=ScaleDependencyMissing)
    Client, LocalCluster = distributed.Client, distributed.LocalCluster

    if spec.kind == "local":
        n = spec.workers or os.cpu_count() or 1
        kwargs = {"memory_limit": memory_limit} if memory_limit else {}
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None, **kwargs) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(spec.address, timeout="20s")
    except OSError as err:
        raise ScaleError(f"--scheduler {spec.address}: no Dask scheduler answered ({err})") from err
    try:
        yield client
    finally:
        client.close()
