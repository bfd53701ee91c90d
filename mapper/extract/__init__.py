"""Draft claims from articles: control language, actors, attribution, scope and time.

Public API::

    from mapper.extract import extract_claims, extract_article
    claims = extract_article("article.html", published="2021-07-07", source="Khaama Press")
"""

from mapper.extract.api import extract_article
from mapper.extract.claims import extract_claims

__all__ = ["extract_claims", "extract_article"]
