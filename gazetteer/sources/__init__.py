"""Add sources to the gazetteer index: GeoNames dumps, boundary files, analyst aliases,
downloads from the official locations, and opt-in online geocoding.

Every loader adds to the same SQLite index the embedded build created, in ONE
transaction: a failed or interrupted load leaves the index exactly as before,
and the error names the file, line and field. Each load is a named *source*
(``boundaries:geoBoundaries-AFG-ADM2``, ``geonames:AF``, ``aliases:my-names``)
derived from the file name, so re-adding a file replaces its previous load and
:func:`remove_source` undoes it. Malformed rows are counted and the first few
reported in the :class:`LoadReport`; ``strict=True`` makes them fatal.

>>> from gazetteer.sources import add_boundaries, add_aliases, remove_source   # doctest: +SKIP
>>> add_boundaries(data_dir, "geoBoundaries-AFG-ADM2.geojson", level=2).summary()   # doctest: +SKIP
'boundaries:geoBoundaries-AFG-ADM2: 398 rows read, 398 places added, ...'

Modules: :mod:`~gazetteer.sources.boundaries`, :mod:`~gazetteer.sources.geonames`,
:mod:`~gazetteer.sources.aliases`, :mod:`~gazetteer.sources.fetch`,
:mod:`~gazetteer.sources.online` (the only one that talks HTTP besides fetch).
"""

from gazetteer.sources._common import LoadReport, remove_source, summary

__all__ = [
    "LoadReport",
    "add_aliases",
    "add_boundaries",
    "add_geonames",
    "remove_source",
    "summary",
]


def __getattr__(name):  # lazy: geopandas and friends load only when a loader is used
    if name == "add_boundaries":
        from gazetteer.sources.boundaries import add_boundaries

        return add_boundaries
    if name == "add_geonames":
        from gazetteer.sources.geonames import add_geonames

        return add_geonames
    if name == "add_aliases":
        from gazetteer.sources.aliases import add_aliases

        return add_aliases
    raise AttributeError(name)
