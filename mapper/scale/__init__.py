"""Past one machine: corpus jobs and event aggregation on a Dask cluster (issue 16).

Aggregation of event tables: :mod:`mapper.scale.aggregate` (``conflictmap aggregate``).

Public API::

    from mapper.scale import geoparse_corpus, extract_corpus
    result = geoparse_corpus("archive/*.jsonl.gz", "out/toponyms", scheduler="local:4")
    result.ok, result.documents, result.failed_documents

Inputs are JSON Lines (plain or gzip), Parquet with ``id``/``text`` columns, or a Dask
bag / dataframe; the output is one file per partition plus ``manifest.json``, and a
rerun resumes (:mod:`mapper.scale.corpus`). ``scheduler=None`` runs in this process;
``"local[:N]"`` starts a LocalCluster; ``"tcp://HOST:PORT"`` joins a running cluster.
Dask itself is optional (``pip install 'conflictmap[scale]'``) and imported only when
a cluster or a Dask collection is used; nothing here imports it at import time.
"""

from mapper.scale.corpus import (
    MANIFEST_NAME,
    CorpusResult,
    PartitionResult,
    extract_corpus,
    geoparse_corpus,
)
from mapper.scale.scheduler import SchedulerSpec, dask_client, parse_scheduler

__all__ = ["MANIFEST_NAME", "CorpusResult", "PartitionResult", "SchedulerSpec", "dask_client",
           "extract_corpus", "geoparse_corpus", "parse_scheduler"]
