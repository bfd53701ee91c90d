"""Extract claims from an article file (text or HTML)."""

from __future__ import annotations

from mapper.extract.claims import extract_claims
from mapper.geoparse.text import DEFAULT_MAX_CHARS, load_article


def extract_article(path, *, published, source: str = "", url: str = "", tz=None, geoparser=None, actors=None,
                    max_chars: int = DEFAULT_MAX_CHARS) -> list:
    """Read one article file and return its draft claims (see :func:`extract_claims`).

    Raises
    ------
    mapper.errors.ArticleError
        When the file is unreadable, empty, binary or too long.
    """
    article = load_article(path, max_chars=max_chars)
    return extract_claims(article.text, published=published, source=source, url=url, tz=tz,
                          geoparser=geoparser, actors=actors, name=str(path))
