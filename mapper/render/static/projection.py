"""Web Mercator (EPSG:3857), as the Leaflet map: (lon, lat) degrees to metres and back."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import cached_property

log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class MapView:
    """One map panel's view: a projected extent drawn in a rectangle of the page.

    ``extent`` is ``(x0, y0, x1, y1)`` in Web Mercator metres; ``rect`` is
    ``(x, y, w, h)`` in design units, y down (the page's axes).
    """

    extent: tuple
    rect: tuple

    @property
    def per_u(self) -> float:
        """Projected metres per design unit."""
        return (self.extent[2] - self.extent[0]) / self.rect[2]

    def to_u(self, x: float, y: float) -> tuple:
        """Page position (design units) of a projected point."""
        mx, my, _, _ = self.rect
        x0, _, _, y1 = self.extent
        per_u = self.per_u
        return (mx + (x - x0) / per_u, my + (y1 - y) / per_u)

    @property
    def to_u_matrix(self) -> list:
        """:func:`shapely.affinity.affine_transform` matrix of :meth:`to_u`."""
        mx, my, _, _ = self.rect
        x0, _, _, y1 = self.extent
        per_u = self.per_u
        return [1 / per_u, 0, 0, -1 / per_u, mx - x0 / per_u, my + y1 / per_u]

    @cached_property
    def extent_box(self):
        """The extent as a shapely box (projected metres)."""
        from shapely.geometry import box

        return box(*self.extent)

    @cached_property
    def clip_box(self):
        """The extent grown by 5% on each side: shapes are cut there, so their edges stay off the map."""
        from shapely.geometry import box

        x0, y0, x1, y1 = self.extent
        return box(
            x0 - (x1 - x0) * 0.05, y0 - (y1 - y0) * 0.05, x1 + (x1 - x0) * 0.05, y1 + (y1 - y0) * 0.05
        )

    def ground_km(self) -> float:
        """Width of the view on the ground at the latitude of its centre (km)."""
        x0, y0, x1, y1 = self.extent
        return (x1 - x0) * math.cos(math.radians(merc_to_lat((y0 + y1) / 2))) / 1000

    def prepare(self, geom):
        """A (lon, lat) geometry projected, cut to :attr:`clip_box` and simplified to half a
        design unit; None when it lies outside the view or cannot be drawn."""
        view = self.clip_box
        tol = self.per_u * 0.5
        try:
            pg = project_geometry(geom)
            if not pg.intersects(view):
                return None
            pg = pg.intersection(view) if not view.contains(pg) else pg
            return pg.simplify(tol, preserve_topology=True) if tol > 0 else pg
        except Exception as err:  # an invalid outline is skipped, never fatal
            log.debug("geometry skipped: %s", err)
            return None
