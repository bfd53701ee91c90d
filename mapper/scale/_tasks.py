"""The per-document work of a corpus job, as frozen values sent to the workers.

:class:`GeoparseTask` turns a document into one ``{"id", "toponyms"}`` row (the
``conflictmap geoparse --format jsonl`` line); :class:`ExtractTask` turns it into one
row per draft claim (the ``conflictmap extract --format json`` record, plus ``doc_id``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from mapper._optional import require
from mapper.errors import ScaleDependencyMissing

#: Columns of a geoparse toponym in Parquet output (the keys of :meth:`Mention.to_dict`).
TOPONYM_FIELDS = (("start", "int64"), ("end", "int64"), ("name", "string"), ("lat", "float64"),
                  ("lon", "float64"), ("id", "string"), ("kind", "string"), ("score", "float64"))


@dataclass(frozen=True)
class GeoparseTask:
    """Options of ``conflictmap geoparse`` that change its output."""

    country: str | None = None
    span_filter: bool = True
    resolve_only: bool = False
    with_text: bool = False

    command = "geoparse"
    count_name = "toponyms"
    needs_index = True

    def options(self) -> dict:
        return {"country": self.country, "span_filter": self.span_filter, "resolve_only": self.resolve_only,
                "with_text": self.with_text}

    def process(self, doc: dict, state) -> list:
        """The output rows of one document (raises on a bad document)."""
        from mapper.geoparse import geoparse_documents

        gp = state.geoparser(country=self.country, span_filter=self.span_filter)
        (row,) = geoparse_documents([doc], gp, resolve_only=self.resolve_only)
        if self.with_text:
            row["text"] = doc.get("text") or ""
        return [row]

    def count(self, rows: list) -> int:
        return sum(len(r["toponyms"]) for r in rows)

    def parquet_schema(self):
        pa = require("pyarrow", "scale", purpose="Parquet output", error=ScaleDependencyMissing)

        toponym = pa.struct([(name, getattr(pa, kind)()) for name, kind in TOPONYM_FIELDS])
        fields = [("id", pa.string()), ("toponyms", pa.list_(toponym))]
        if self.with_text:
            fields.append(("text", pa.string()))
        return pa.schema(fields)

    def parquet_row(self, row: dict) -> dict:
        return {**row, "id": None if row["id"] is None else str(row["id"])}


@dataclass(frozen=True)
class ExtractTask:
    """Options of ``conflictmap extract``; a document's own ``published``, ``source``, ``url``
    and ``tz`` fields win over these defaults."""

    published: str | None = None
    source: str = ""
    url: str = ""
    tz: str | None = None
    use_gazetteer: bool = True
    max_chars: int = 2_000_000
    actors: object = field(default=None, compare=False)
    actors_name: str = ""

    command = "extract"
    count_name = "claims"

    @property
    def needs_index(self) -> bool:
        return self.use_gazetteer

    def options(self) -> dict:
        return {"published": self.published, "source": self.source, "url": self.url, "tz": self.tz,
                "use_gazetteer": self.use_gazetteer, "max_chars": self.max_chars, "actors": self.actors_name}

    def process(self, doc: dict, state) -> list:
        from mapper.errors import ArticleError
        from mapper.extract import extract_claims

        text = doc.get("text") or ""
        if len(text) > self.max_chars:
            raise ArticleError(f"{len(text)} characters, more than max_chars={self.max_chars}")
        published = doc.get("published") or self.published
        if not published:
            raise ValueError("no publication date: give the document a 'published' field, or a default "
                             "(--published)")
        # Claims need recall: every place next to control language counts, so no span filter (as the CLI).
        gp = state.geoparser(span_filter=False) if self.use_gazetteer else None
        claims = extract_claims(text, published=str(published), source=str(doc.get("source") or self.source),
                                url=str(doc.get("url") or self.url), tz=doc.get("tz") or self.tz,
                                geoparser=gp, actors=self.actors, name=str(doc.get("id")))
        return [claim_row(c, doc.get("id")) for c in claims]

    def count(self, rows: list) -> int:
        return len(rows)

    def parquet_schema(self):
        pa = require("pyarrow", "scale", purpose="Parquet output", error=ScaleDependencyMissing)

        from mapper.claims.schema import CANONICAL_COLUMNS, WRITTEN_IF_USED

        cols = ["doc_id", *CANONICAL_COLUMNS, *WRITTEN_IF_USED, "flags", "extra"]
        return pa.schema([(c, pa.string()) for c in dict.fromkeys(cols)])

    def parquet_row(self, row: dict) -> dict:
        from mapper.claims.schema import CANONICAL_COLUMNS, WRITTEN_IF_USED

        known = {"doc_id", *CANONICAL_COLUMNS, *WRITTEN_IF_USED}
        out = {k: (None if row.get(k) is None else str(row[k])) for k in known}
        out["flags"] = ";".join(row.get("flags") or ())
        rest = {k: v for k, v in row.items() if k not in known and k != "flags"}
        out["extra"] = json.dumps(rest, ensure_ascii=False) if rest else None
        return out


def claim_row(claim, doc_id) -> dict:
    """A claim as the ``conflictmap extract --format json`` record, with the document's id first."""
    from mapper.claims import claim_to_record

    rec = {"doc_id": None if doc_id is None else str(doc_id)}
    rec.update({k: v for k, v in claim_to_record(claim).items() if v not in ("", None)})
    for k, v in claim.extra:
        rec[k] = [f for f in v.split(";") if f] if k == "flags" else v
    return rec
