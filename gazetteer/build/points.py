"""Where the build puts a unit's point, and which first-level unit holds a place (all (lon, lat))."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


#: A published country point farther than this (degrees) from the country's polygon is not used.
REFERENCE_POINT_MAX_DEGREES = 0.5


def country_reference_points() -> dict:
    """ISO alpha-2 -> (lon, lat): each country's conventional reference point.

    Gazetteers give a country one agreed point (the CIA World Factbook's
    "geographic coordinates": Russia 60N 100E, China 35N 105E), which is where
    GeoNames puts countries too and where readers and annotated corpora expect
    a country mention to be. Read from PyPI ``countryinfo`` (``latlng``).
    Returns {} if the package is missing (the polygon's own point is used then).
    """
    try:
        from countryinfo import CountryInfo
    except ImportError:  # optional at build time: fall back to the polygon's point
        log.warning("countryinfo is not installed: countries get their polygon's centroid as point")
        return {}
    out: dict = {}
    for info in CountryInfo.all().values():
        iso = (info.get("ISO") or {}).get("alpha2")
        latlng = info.get("latlng")
        if iso and latlng and len(latlng) >= 2:
            out.setdefault(iso.upper(), (float(latlng[1]), float(latlng[0])))
    return out


def country_point(geom, reference):
    """(lon, lat) of a country: halfway between its reference point and :func:`unit_point`
    (the centroid of its main part), when the reference lies in (or within
    :data:`REFERENCE_POINT_MAX_DEGREES` of) the polygon and the midpoint is inside it.

    Neither convention alone matches where gazetteers and annotators put a country
    (India: GeoNames 22N 79E, Factbook 20N 77E; Canada: GeoNames 60.1N 113.6W, Factbook 60N 95W); on the
    development corpora (2,531 country mentions annotated with the country's GeoNames id)
    the midpoint is within 161 km of the annotated point for 92% of them, the centroid for
    77%, the reference for 79% (``benchmarks/bench_points.py``). Otherwise the centroid is used.
    """
    centroid = unit_point(geom, None)
    if reference is None or geom is None or geom.is_empty:
        return centroid
    from shapely.geometry import Point

    if geom.distance(Point(reference)) > REFERENCE_POINT_MAX_DEGREES:
        return centroid
    mid = ((centroid[0] + reference[0]) / 2, (centroid[1] + reference[1]) / 2)
    return mid if geom.contains(Point(mid)) else centroid


def unit_point(geom, fallback):
    """(lon, lat) of a unit's point: the centroid of its largest part when that lies inside it
    (close to where GeoNames puts countries and provinces: the US mainland, not an arbitrary
    interior point), else a representative point inside it."""
    if geom is None or geom.is_empty:
        return fallback if fallback else (None, None)
    part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
    p = part.centroid
    if not part.contains(p):
        p = part.representative_point()
    return (p.x, p.y)


def link_by_containment(place_rows, indexes, admin1_geoms):
    """Set admin1 for populated places (row positions ``indexes``) by point in polygon."""
    if not indexes or not admin1_geoms:
        return {}
    import numpy as np
    import shapely

    tree = shapely.STRtree([g for g, *_ in admin1_geoms])
    pts = shapely.points(
        np.array([place_rows[i][5] for i in indexes]), np.array([place_rows[i][4] for i in indexes])
    )
    pairs = tree.query(pts, predicate="within")
    linked = {}
    for pi, gi in zip(*pairs):
        idx = indexes[pi]
        _g, a_pid, aid, aname, acc = admin1_geoms[gi]
        if acc != place_rows[idx][6] or idx in linked:
            continue
        row = list(place_rows[idx])
        row[8], row[10] = aname, aid
        place_rows[idx] = tuple(row)
        linked[idx] = (a_pid, aid, aname)
    return linked
