"""Write claims back as a canonical claims CSV that :func:`mapper.claims.read_claims` reads again."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path

from mapper.claims.schema import CANONICAL_COLUMNS, COLUMN_ALIASES, WRITTEN_IF_USED
from mapper.errors import OutputExists
from mapper.model import Claim, TimeSpan
from mapper.timespan import span_to_iso, span_tz_name

__all__ = ["claim_to_record", "write_claims_csv"]


def _num(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def claim_to_record(claim: Claim) -> dict:
    """The canonical fields of a claim as strings (``time`` in its own zone, ``tz`` naming it)."""
    tz_name = span_tz_name(claim.time)
    end = ""
    if claim.time_end is not None:
        e = claim.time_end
        tzi = claim.time.earliest.tzinfo
        if e.earliest.tzinfo is not tzi:
            e = TimeSpan(e.earliest.astimezone(tzi), e.latest.astimezone(tzi), e.precision, e.text)
        end = span_to_iso(e)
    return {
        "id": claim.id,
        "place": claim.place,
        "time": span_to_iso(claim.time),
        "time_end": end,
        "tz": tz_name,
        "status": claim.status,
        "actor": claim.actor,
        "claimant": claim.claimant,
        "source": claim.source,
        "url": claim.url,
        "archive_url": claim.archive_url,
        "quote": claim.quote,
        "scope": claim.scope,
        "confidence": _num(claim.confidence),
        "country": claim.country,
        "admin1": claim.admin1,
        "admin2": claim.admin2,
        "place_id": claim.place_id,
        "lat": _num(claim.lat),
        "lon": _num(claim.lon),
        "notes": claim.notes,
        "status_raw": claim.status_raw
        if claim.status_raw and claim.status_raw != claim.status
        else "",
        "location_precision": ""
        if claim.location_precision is None
        else str(claim.location_precision),
        "geometry": json.dumps(claim.geometry, separators=(",", ":")) if claim.geometry else "",
    }


def write_claims_csv(
    claims: Iterable[Claim], path, *, overwrite: bool = False, extra: bool = True
) -> int:
    """Write claims as canonical CSV (UTF-8, RFC 4180 quoting). Returns the number of rows.

    Columns are :data:`CANONICAL_COLUMNS`, then ``status_raw``, ``location_precision``
    and ``geometry`` when some claim has them, then (``extra=True``) the columns
    outside the schema that the inputs carried. Reading the file back with
    :func:`read_claims` gives the same claims (``origin`` aside).

    Raises
    ------
    OutputExists
        When ``path`` exists and ``overwrite`` is False.
    """
    claims = list(claims)
    records = [claim_to_record(c) for c in claims]
    columns = list(CANONICAL_COLUMNS)
    columns += [c for c in WRITTEN_IF_USED if any(r[c] for r in records)]
    extra_cols: list = []
    if extra:
        seen = set(columns)
        for c in claims:
            for k, _ in c.extra:
                if k not in extra_cols:
                    extra_cols.append(k)
        renamed = {}
        for k in extra_cols:
            out = k
            # Rename only what would be read back as a schema column: a written column, or an
            # alias whose target column is not written (aliases never replace a present column).
            while out.lower() in seen or (COLUMN_ALIASES.get(out.lower()) or "") in (
                set(WRITTEN_IF_USED) - seen
            ):
                out = f"extra_{out}"
            renamed[k] = out
            seen.add(out.lower())
        for rec, c in zip(records, claims):
            for k, v in c.extra:
                rec[renamed[k]] = v
        columns += [renamed[k] for k in extra_cols]

    def emit(fh) -> None:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(records)

    if hasattr(path, "write"):
        emit(path)
        return len(records)
    p = Path(path)
    if p.exists() and not overwrite:
        raise OutputExists(
            f"{p} exists: choose another name or allow overwriting (overwrite=True / --overwrite)"
        )
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", encoding="utf-8", newline="") as fh:
        emit(fh)
    return len(records)
