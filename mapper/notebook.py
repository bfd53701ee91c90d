"""conflictmap in notebooks: an inline map, folium layers and GeoDataFrames.

>>> from mapper import make_map                                   # doctest: +SKIP
>>> m = make_map("examples/qala-e-naw-2021/claims.csv", at="2021-07-07T18:00", tz="Asia/Kabul")  # doctest: +SKIP
>>> m                       # Jupyter shows the offline page in a sandboxed iframe   # doctest: +SKIP
>>> fm = m.to_folium()      # a folium.Map with one layer per assessed status; add your own layers
>>> m.assessment_frame()    # GeoDataFrame: per place the intervals, status, claim ids, claimants
>>> m.save("outputs/qala.html")

The inline page is the same self-contained page ``conflictmap map`` writes (the same code path,
:func:`mapper.pipeline.build_map`), put into the ``srcdoc`` of an ``<iframe sandbox="allow-scripts">``
(HTML-escaped, so nothing of it runs in the notebook's own page). ``to_folium`` builds its layers
from the same timeline; every text from the claims is HTML-escaped in the popups (and the
characters that would end folium's JavaScript template string are encoded).
"""

from __future__ import annotations

import html
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from mapper.errors import MapperError
from mapper.export import assessment_records, claim_records, to_frame
from mapper.state import MapOptions, MapState, prepare_state
from mapper.timelabels import claim_time_label, parse_when

#: Fill colours for states without an actor colour (controlled / partial take the actor's colour).
STATUS_COLOURS = {"disputed": "#7f7f7f", "contested": "#b8860b", "attacked": "#000000", "denied": "#a0a0a0",
                  "unknown": "#c8c8c8"}


def _text(value) -> str:
    """HTML-escaped text that is also safe inside folium's JavaScript template literals."""
    return html.escape(str(value), quote=True).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


@dataclass
class Map:
    """A conflictmap map of some claims, for notebooks (build with :func:`make_map`)."""

    claims: tuple
    gazetteer: object
    options: MapOptions
    state: MapState = field(repr=False)
    view: str = "assessed"
    tiles: str = "none"
    owns_gazetteer: bool = False
    _page: str | None = field(default=None, repr=False)

    # -- the page ---------------------------------------------------------
    def save(self, path, *, overwrite: bool = False):
        """Write the self-contained HTML page (as ``conflictmap map``); returns the :class:`MapResult`."""
        from mapper.pipeline import build_map

        return build_map(list(self.claims), gazetteer=self.gazetteer, output=path, options=self.options,
                         view=self.view, tiles=self.tiles, overwrite=overwrite)

    def html(self) -> str:
        """The page's HTML text (made once, through a temporary file)."""
        if self._page is None:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "map.html"
                self.save(out)
                self._page = out.read_text(encoding="utf-8")
        return self._page

    def _repr_html_(self) -> str:
        title = _text(self.options.title or "conflictmap map")
        return (f'<iframe title="{title}" sandbox="allow-scripts allow-popups" style="width:100%;height:520px;'
                f'border:0" srcdoc="{html.escape(self.html(), quote=True)}"></iframe>')

    # -- tables -----------------------------------------------------------
    def claims_frame(self, at=None):
        """Every placed claim with its place's geometry and provenance (id, claimant, source, url, file, row)."""
        return to_frame(claim_records(self.state, at=self._when(at)), "claims")

    def assessment_frame(self, at=None, every: timedelta | None = None):
        """Per place, the intervals of one assessed state with the claim ids, claimants and sources behind it."""
        return to_frame(assessment_records(self.state, at=self._when(at), every=every), "assessment")

    def _when(self, at):
        if at is None:
            return None
        if hasattr(at, "tzinfo"):
            return at
        return parse_when(str(at), tz=self.options.tz)

    # -- folium -----------------------------------------------------------
    def to_folium(self, at=None, *, tiles: str | None = None, offline: bool = True, **map_kwargs):
        """A :class:`folium.Map` with one layer per assessed state at ``at`` (default: where the map opens).

        Each place is drawn with the geometry the HTML map uses (a town's circle, a unit's polygon)
        and a popup listing its current claims (time, claimant, status, the source's word, actor,
        quote, source), escaped. ``tiles=None`` (default) adds no online tiles; pass ``"OpenStreetMap"``
        for a basemap. A layer control lets users toggle the layers next to their own.

        ``offline=True`` (default) makes the page need no network, as ``conflictmap map``'s: folium's
        CDN links are replaced by the Leaflet and jQuery copies shipped with conflictmap, inlined
        (Leaflet's marker and layers-control images as ``data:`` URLs, so the ``folium.Marker`` and
        ``folium.Popup`` layers users add still work). folium's Bootstrap and Font Awesome links
        (for ``folium.Icon`` glyphs) are dropped; plugins users add bring their own links (to their
        CDN), as in plain folium.
        """
        import folium
        from shapely.geometry import mapping

        from mapper.render.folium_assets import Attribution, inline_assets

        tl = self.state.timeline
        t = self._when(at) or self.state.at
        if t is None:
            raise MapperError("no claims were placed: nothing to draw")
        groups = {}
        bounds = []
        for key, place in tl.places.items():
            st = tl.state_at(key, t)
            if not st.entries:
                continue
            geom = place.geometry
            if geom is None and place.lon is not None and place.lat is not None:
                from shapely.geometry import Point

                geom = Point(place.lon, place.lat)
            if geom is None:
                continue
            minx, miny, maxx, maxy = geom.bounds
            bounds += [(miny, minx), (maxy, maxx)]
            label = st.label
            group = groups.get(label)
            if group is None:
                group = groups[label] = folium.FeatureGroup(name=label)
            colour = self.state.actors.colour(st.actor) if st.actor else STATUS_COLOURS.get(st.status, "#7f7f7f")
            popup = folium.Popup(folium.Html(self._popup(place, st, tl), script=True), max_width=340)
            if geom.geom_type == "Point":
                folium.CircleMarker(location=(geom.y, geom.x), radius=7, color=colour, fill=True, fill_opacity=0.8,
                                    popup=popup, tooltip=_text(place.name)).add_to(group)
            else:
                style = {"color": colour, "fillColor": colour, "weight": 2, "fillOpacity": 0.35,
                         "dashArray": "6 4" if place.drawn_as == "approximate" or st.status == "disputed" else None}
                gj = folium.GeoJson(mapping(geom), name=label, style_function=lambda _f, s=style: s,
                                    tooltip=_text(place.name))
                popup.add_to(gj)
                gj.add_to(group)
        fm = folium.Map(tiles=tiles, **map_kwargs)
        if offline:
            inline_assets(fm)
        for group in groups.values():
            group.add_to(fm)
        folium.LayerControl(collapsed=False).add_to(fm)
        if bounds:  # [[south, west], [north, east]]
            fm.fit_bounds([[min(b[0] for b in bounds), min(b[1] for b in bounds)],
                           [max(b[0] for b in bounds), max(b[1] for b in bounds)]])
        if self.state.attribution:
            fm.add_child(Attribution([_text(line) for line in self.state.attribution]))
        return fm

    @staticmethod
    def _popup(place, st, tl) -> str:
        rows = []
        for i in st.entries:
            e = tl.entries[i]
            c = e.claim
            word = f" ({_text(c.status_raw)})" if c.status_raw and c.status_raw != c.status else ""
            rows.append(
                f"<li><b>{_text(claim_time_label(c.time, show_tz=True))}</b> — {_text(e.claimant or 'unknown claimant')}: "
                f"{_text(c.status)}{word}{' by ' + _text(e.actor) if e.actor else ''}"
                + (f"<br><q>{_text(c.quote)}</q>" if c.quote else "")
                + (f"<br><small>{_text(c.source)} · {_text(c.id)}</small>" if c.source or c.id else "")
                + "</li>"
            )
        warn = "".join(f"<p><em>{_text(w)}</em></p>" for w in place.warnings)
        return f"<h4>{_text(place.name)}: {_text(st.label)}</h4>{warn}<ul>{''.join(rows)}</ul>"

    def close(self) -> None:
        """Close the gazetteer if this map opened it."""
        if self.owns_gazetteer:
            self.gazetteer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def make_map(claims, *, at=None, title: str | None = None, gazetteer=None, data_dir=None, window=None,
             actors=None, tz=None, dispute_window=None, stale_after=None, t_from=None, t_to=None,
             view: str = "assessed", tiles: str = "none", strict: bool = False) -> Map:
    """Read ``claims`` (a path or a list of paths, any format ``conflictmap map`` reads) into a :class:`Map`.

    ``gazetteer`` is an opened :class:`gazetteer.Gazetteer`; else the index in ``data_dir`` (or the
    default data folder) is opened (and built on first use).
    """
    import os

    if isinstance(claims, (str, os.PathLike)):
        claims = [claims]
    claims = tuple(claims)
    owns = gazetteer is None
    if owns:
        from gazetteer import Gazetteer

        gazetteer = Gazetteer.open(data_dir)
    opts = MapOptions(at=at, title=title, window=window, actors=actors, tz=tz, dispute_window=dispute_window,
                      stale_after=stale_after, t_from=t_from, t_to=t_to, strict=strict)
    state = prepare_state(list(claims), gazetteer=gazetteer, options=opts)
    return Map(claims=claims, gazetteer=gazetteer, options=opts, state=state, view=view, tiles=tiles,
               owns_gazetteer=owns)


__all__ = ["Map", "make_map"]
