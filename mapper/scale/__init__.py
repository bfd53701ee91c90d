"""Jobs past one machine, on Dask: aggregation of event tables (:mod:`mapper.scale.aggregate`).

Dask, distributed and dask-geopandas are optional (``pip install 'conflictmap[scale]'``) and
imported only when a job runs, so importing this package costs nothing.
"""
