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
    """Latitude in degrees of a Web Mercator y in metres."""
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


@dataclass(frozen=True)
class LonLatBox:
    """An area to show, in degrees, longitudes first (as GeoJSON and shapely).

    Values are stored as floats. Raises ValueError when a value is not finite, a latitude
    is outside -85..85 (Web Mercator stops there), a longitude outside -180..180, or a
    minimum is not less than its maximum.

    Examples
    --------
    >>> LonLatBox(60.5, 29.3, 75, 38.5)
    LonLatBox(min_lon=60.5, min_lat=29.3, max_lon=75.0, max_lat=38.5)
    >>> LonLatBox(min_lon=29.3, min_lat=95, max_lon=38.5, max_lat=75)
    Traceback (most recent call last):
    ...
    ValueError: latitudes 95.0 and 75.0 are not both in -85..85
    """

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def __post_init__(self):
        for name in ("min_lon", "min_lat", "max_lon", "max_lat"):
            object.__setattr__(self, name, float(getattr(self, name)))
        x0, y0, x1, y1 = self.min_lon, self.min_lat, self.max_lon, self.max_lat
        if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
            raise ValueError("a value is not finite")
        if not (-85 <= y0 <= 85 and -85 <= y1 <= 85):
            raise ValueError(f"latitudes {y0} and {y1} are not both in -85..85")
        if not (-180 <= x0 <= 180 and -180 <= x1 <= 180):
            raise ValueError(f"longitudes {x0} and {x1} are not both in -180..180")
        if x0 >= x1 or y0 >= y1:
            raise ValueError("min must be less than max on both axes")

    @property
    def corners_lonlat(self) -> tuple:
        """((min_lon, min_lat), (max_lon, max_lat))."""
        return ((self.min_lon, self.min_lat), (self.max_lon, self.max_lat))


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
        """The extent grown by 5% on each side: shapes are cut there, their edges off the map."""
        from shapely.geometry import box

        x0, y0, x1, y1 = self.extent
        dx, dy = (x1 - x0) * 0.05, (y1 - y0) * 0.05
        return box(x0 - dx, y0 - dy, x1 + dx, y1 + dy)

    def ground_km(self) -> float:
        """Width of the view on the ground at the latitude of its centre (km)."""
        x0, y0, x1, y1 = self.extent
        return (x1 - x0) * math.cos(math.radians(merc_to_lat((y0 + y1) / 2))) / 1000

    def prepare(self, geom):
        """A (lon, lat) geometry projected, made valid, cut to :attr:`clip_box` and simplified
        to half a design unit; None when it lies outside the view or cannot be drawn.

        An invalid outline (a claims file's self-intersecting polygon) is repaired with
        :func:`shapely.make_valid` first: labels and the locator cut every drawn shape again.
        """
        import shapely
        from shapely.errors import ShapelyError

        view = self.clip_box
        tol = self.per_u * 0.5
        try:
            pg = project_geometry(geom)
            if not pg.is_valid:
                pg = shapely.make_valid(pg)
            if not pg.intersects(view):
                return None
            pg = pg.intersection(view) if not view.contains(pg) else pg
            return pg.simplify(tol, preserve_topology=True) if tol > 0 else pg
        except ShapelyError as err:  # GEOSException on an invalid outline: skipped, never fatal
            log.debug("geometry skipped: %s", err)
            return None
