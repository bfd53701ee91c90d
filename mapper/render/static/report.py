"""What :func:`mapper.render.static.render_static` wrote, with numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timezone


@dataclass(frozen=True)
class StaticReport:
    """What :func:`render_static` wrote, with numbers."""

    path: str | None
    format: str
    width_px: int
    height_px: int
    dpi: int
    bytes: int
    seconds: float
    times: tuple = ()
    labels_placed: int = 0
    labels_hidden: int = 0
    extent: tuple = ()  # (min_lon, min_lat, max_lon, max_lat) shown
    #: Pixel geometry, for tests and image maps (x0, y0, x1, y1 from the top left):
    map_boxes: tuple = ()  # one box per panel
    label_boxes: tuple = ()  # per panel, the boxes of the labels placed
    anchors: tuple = ()  # per panel, {place name: (x, y)} a point inside each drawn place
    scalebar: tuple = ()  # (km, bar length in pixels) per scale bar drawn
    labels: tuple = ()  # per panel, a LabelPlacement per label placed
    markers: tuple = ()  # per panel, {place name: town marker radius in projected metres}
    min_text_px: float = 0.0  # smallest text drawn, in pixels of the image

    def summary(self) -> str:
        """One line for the log: file, size, panels and their times, labels placed and hidden, seconds."""
        when = ", ".join(t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ") for t in self.times)
        return (
            f"Static map: {self.path} ({self.format.upper()}, {self.width_px} x {self.height_px} px at "
            f"{self.dpi} dpi, {self.bytes / 1e3:.0f} kB, {len(self.times)} panel{'s' if len(self.times) != 1 else ''}"
            f"{': ' + when if when else ''}; {self.labels_placed} labels placed, {self.labels_hidden} hidden "
            f"to avoid overlaps) in {self.seconds:.2f} s"
        )
