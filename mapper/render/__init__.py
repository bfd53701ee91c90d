"""Renderers: the interactive HTML map (:mod:`mapper.render.html`).

Public API::

    from mapper.render import render_html
"""

from mapper.render.html import DEFAULT_BUDGET, RenderReport, render_html, safe_url, script_json

__all__ = ["render_html", "RenderReport", "DEFAULT_BUDGET", "safe_url", "script_json"]
