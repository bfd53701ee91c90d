"""JSON for ``<script type="application/json">`` blocks of a map page (a leaf module: the page
writer, :mod:`mapper.render.html`, and the embed mode, :mod:`mapper.render.embed`, both use it)."""

from __future__ import annotations

import json


def script_json(obj) -> str:
    """JSON safe to embed in ``<script>``: ``<``, ``>``, ``&``, U+2028/U+2029 escaped.

    Examples
    --------
    >>> script_json({"q": "</script><b>&"})
    '{"q":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


__all__ = ["script_json"]
