"""Geoparse many documents in bounded memory (JSON Lines in, one result per document out)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def geoparse_documents(docs: Iterable[dict], geoparser, *, resolve_only: bool = False) -> Iterator[dict]:
    """Yield ``{"id", "toponyms": [...]}`` for each ``{"id", "text", ["toponyms"]}`` document.

    Documents are handled one at a time, so memory stays flat whatever the
    input size. With ``resolve_only`` the document's own ``toponyms`` spans
    (``start``/``end``) are resolved instead of detected.
    """
    for doc in docs:
        text = doc.get("text") or ""
        if resolve_only:
            spans = [(int(t["start"]), int(t["end"])) for t in doc.get("toponyms") or ()]
            mentions = geoparser.resolve_spans(text, spans)
        else:
            mentions = geoparser.parse(text)
        yield {"id": doc.get("id"), "toponyms": [m.to_dict() for m in mentions]}
