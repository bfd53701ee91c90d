"""folium pages that need no network: conflictmap's vendored Leaflet and jQuery, and its attribution.

Used by :meth:`mapper.notebook.Map.to_folium`. folium links Leaflet, jQuery, Bootstrap and Font
Awesome from CDNs; :func:`inline_assets` replaces those links on one map by inlined copies of the
files in ``mapper/render/assets`` (Leaflet's images as ``data:`` URLs) and drops the rest.
"""

from __future__ import annotations

import json

import folium
from folium.template import Template

from mapper.render.html import jquery_js, leaflet_css, leaflet_image, leaflet_js

#: Leaflet's default marker images, by the ``L.Icon.Default`` option that names each.
_DEFAULT_ICON = {"iconUrl": "marker-icon.png", "iconRetinaUrl": "marker-icon-2x.png",
                 "shadowUrl": "marker-shadow.png"}


class Attribution(folium.MacroElement):
    """Lines added to the map's own attribution control. ``lines`` are HTML: pass escaped text."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {% for line in this.lines %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ line|tojson }});
        {% endfor %}
        {% endmacro %}
    """)

    def __init__(self, lines):
        super().__init__()
        self._name = "ConflictmapAttribution"
        self.lines = list(lines)


def inline_assets(fm: folium.Map) -> None:
    """Swap folium's CDN links on ``fm`` for inlined copies of the Leaflet and jQuery conflictmap ships."""
    # Instance attributes shadow folium.Map's class lists, which folium reads when rendering.
    fm.default_js = []
    fm.default_css = []
    icons = {option: leaflet_image(name) for option, name in _DEFAULT_ICON.items()}
    header = fm.get_root().header
    header.add_child(folium.Element(f"<style>{leaflet_css(images='inline')}</style>"), name="leaflet_css")
    # Leaflet finds the default icon's folder from the stylesheet; with data: URLs there is no
    # folder, so the icon URLs are set whole (an imagePath string stops the detection).
    header.add_child(folium.Element(f"<script>{leaflet_js()}\nL.Icon.Default.imagePath = '';"
                                    f"L.Icon.Default.mergeOptions({json.dumps(icons)});</script>"),
                     name="leaflet")
    header.add_child(folium.Element(f"<script>{jquery_js()}</script>"), name="jquery")  # folium's popups use it


__all__ = ["Attribution", "inline_assets"]
