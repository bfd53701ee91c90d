"""Geoparsing: find place mentions in text and resolve them in context.

Public API::

    from mapper.geoparse import Geoparser, Mention, geoparse_documents
    gp = Geoparser(Gazetteer.open())
    gp.parse(text)                       # -> [Mention(start, end, name, kind, place, score, form)]
    gp.resolve_spans(text, [(0, 5)])     # resolve given spans in the document's context
"""

from mapper.geoparse.mention import Mention
from mapper.geoparse.parser import Geoparser
from mapper.geoparse.stream import geoparse_documents

__all__ = ["Geoparser", "Mention", "geoparse_documents"]
