"""Web Mercator (EPSG:3857), as the Leaflet map: (lon, lat) degrees to metres and back."""

from __future__ import annotations

import math

EARTH_RADIUS = 6378137.0


def lonlat_to_merc(lon: float, lat: float) -> tuple:
    """Web Mercator (EPSG:3857) metres of a (lon, lat) point; latitude clamped to +-85."""
    lat = max(-85.0, min(85.0, lat))
    return (
        math.radians(lon) * EARTH_RADIUS,
        math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * EARTH_RADIUS,
    )


def merc_to_lat(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y / EARTH_RADIUS)) - math.pi / 2)


def project_geometry(geom):
    """Shapely geometry (lon, lat) -> Web Mercator metres."""
    import numpy as np
    import shapely

    def fwd(coords):
        lon = coords[:, 0]
        lat = np.clip(coords[:, 1], -85.0, 85.0)
        return np.column_stack(
            [
                np.radians(lon) * EARTH_RADIUS,
                np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * EARTH_RADIUS,
            ]
        )

    return shapely.transform(geom, fwd)


def parse_bbox(text: str) -> tuple:
    """``"min_lon,min_lat,max_lon,max_lat"`` -> floats; raises ValueError with the fix.

    Examples
    --------
    >>> parse_bbox("60.5, 29.3, 75, 38.5")
    (60.5, 29.3, 75.0, 38.5)
    >>> parse_bbox("29.3,95,38.5,75")
    Traceback (most recent call last):
    ...
    ValueError: bbox '29.3,95,38.5,75': latitudes 95.0 and 75.0 are not both in -85..85 (order is min_lon,min_lat,max_lon,max_lat, e.g. 60.5,29.3,75,38.5)
    """
    parts = [p.strip() for p in str(text).split(",")]
    hint = "(order is min_lon,min_lat,max_lon,max_lat, e.g. 60.5,29.3,75,38.5)"
    if len(parts) != 4:
        raise ValueError(f"bbox {text!r} has {len(parts)} numbers, expected 4 {hint}")
    try:
        x0, y0, x1, y1 = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"bbox {text!r} is not four numbers {hint}") from None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        raise ValueError(f"bbox {text!r} has a value that is not finite {hint}")
    if not (-85 <= y0 <= 85 and -85 <= y1 <= 85):
        raise ValueError(f"bbox {text!r}: latitudes {y0} and {y1} are not both in -85..85 {hint}")
    if not (-180 <= x0 <= 180 and -180 <= x1 <= 180):
        raise ValueError(
            f"bbox {text!r}: longitudes {x0} and {x1} are not both in -180..180 {hint}"
        )
    if x0 >= x1 or y0 >= y1:
        raise ValueError(f"bbox {text!r}: min must be less than max on both axes {hint}")
    return (x0, y0, x1, y1)
