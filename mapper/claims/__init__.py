"""Read claims from tables and datasets; write them back in the canonical schema.

Inputs: the containers CSV/TSV, JSON (a list of objects, ``{"claims": [...]}``), JSON Lines and
GeoJSON Features (``properties`` hold the columns; for canonical claims the ``geometry``, in
lon, lat order, overrides place resolution). Each file's format is detected from its header or
keys by the formats registry (:mod:`mapper.claims.formats`): the canonical claims table
(``place``, ``time``, ``status`` ...; see :data:`CANONICAL_COLUMNS` and the README), ACLED
exports (``acled``, ``acled-2019``, ``acled-legacy``) and UCDP GED event files
(``ucdp-ged-23.1``, ``ucdp-ged-19.1``).

Bad rows never stop a load and are never dropped silently: each becomes a :class:`RowIssue`
(file, row, line, column, reason) in the :class:`LoadReport` that :func:`read_claims` returns
with the claims. ``strict=True`` raises :class:`~mapper.errors.ClaimsFileError` at the first
one instead.

Modules: :mod:`~mapper.claims.schema` (canonical columns and aliases),
:mod:`~mapper.claims.report` (the load report), :mod:`~mapper.claims.cells` (cell validation),
:mod:`~mapper.claims.readers` (containers), :mod:`~mapper.claims.writer` (canonical CSV) and
:mod:`~mapper.claims.formats` (one module per input format, and the registry: a new format is
a :class:`ClaimsFormat` passed to :func:`register_format`).
"""

from mapper.claims import cells
from mapper.claims.formats import (
    FORMATS,
    ClaimsFormat,
    detect_format,
    get_format,
    register_format,
    registered_formats,
)
from mapper.claims.readers import read_claims, read_claims_csv, read_claims_json, read_claims_jsonl
from mapper.claims.report import FileReport, LoadReport, RowIssue, StatusMapping
from mapper.claims.schema import CANONICAL_COLUMNS, REQUIRED_COLUMNS
from mapper.claims.writer import claim_to_record, write_claims_csv

__all__ = [
    "CANONICAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "FORMATS",
    "LoadReport",
    "RowIssue",
    "StatusMapping",
    "FileReport",
    "read_claims",
    "read_claims_csv",
    "read_claims_json",
    "read_claims_jsonl",
    "detect_format",
    "ClaimsFormat",
    "register_format",
    "get_format",
    "registered_formats",
    "write_claims_csv",
    "claim_to_record",
    "cells",
]
