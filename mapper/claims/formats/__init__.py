"""Input formats of claims: which schema a header belongs to and how its rows become claims."""

from __future__ import annotations

from collections.abc import Iterable

from mapper.claims.formats import acled, canonical, ucdp
from mapper.claims.schema import REQUIRED_COLUMNS, canonical_names, clean_names
from mapper.errors import ClaimsFileError

__all__ = ["FORMATS", "Schema", "detect_format"]

#: Input schemas :func:`detect_format` can name.
FORMATS = {
    "canonical": "conflictmap claims (place, time, status, ...)",
    "acled": "ACLED export, current layout (31 columns, disorder_type)",
    "acled-2019": "ACLED export, older layout (30 columns, event_id_no_cnty, gwcode)",
    "acled-legacy": "ACLED R-processed legacy layout (Actor1, Location, Notes, Sub_type)",
    "ucdp-ged-23.1": "UCDP GED event data, v23.1 layout (where_description, relid)",
    "ucdp-ged-19.1": "UCDP GED event data, v19.1 layout",
}


def detect_format(header: Iterable[str]) -> str:
    """Name the input schema from a CSV header or JSON keys.

    Returns one of :data:`FORMATS`.

    Raises
    ------
    ClaimsFileError
        When the columns match no known schema; the message lists what is missing.

    Examples
    --------
    >>> detect_format(["place", "time", "status", "quote"])
    'canonical'
    >>> detect_format(["event_date", "Year", "Type", "Sub_type", "Actor1", "Actor2", "Location", "latitude", "longitude"])
    'acled-legacy'
    >>> detect_format(["place", "date"])
    Traceback (most recent call last):
    ...
    mapper.errors.ClaimsFileError: columns place, date match no known format: a claims table needs place, time, status (missing: status); ACLED needs event_date, actor1, location, latitude, longitude; UCDP GED needs type_of_violence, where_coordinates, date_start, date_end, side_a, side_b
    """
    names = clean_names(header)
    low = {n.lower() for n in names}
    if set(ucdp.CORE) <= low:
        return "ucdp-ged-23.1" if ({"where_description", "relid"} & low) else "ucdp-ged-19.1"
    if set(acled.CORE) <= low and ({"event_type", "type"} & low):
        if "sub_type" in low or any(
            n in ("Actor1", "Location", "Notes", "Sub_type") for n in names
        ):
            return "acled-legacy"
        if "disorder_type" not in low and ({"event_id_no_cnty", "gwcode"} & low):
            return "acled-2019"
        return "acled"
    mapped = set(canonical_names(names).values())
    missing = [c for c in REQUIRED_COLUMNS if c not in mapped]
    if not missing:
        return "canonical"
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    raise ClaimsFileError(
        f"columns {shown or '(none)'} match no known format: a claims table needs place, time, status "
        f"(missing: {', '.join(missing)}); ACLED needs {', '.join(sorted(set(acled.CORE), key=_acled_order))}; "
        f"UCDP GED needs {', '.join(sorted(set(ucdp.CORE), key=_ucdp_order))}"
    )


def _acled_order(name: str) -> int:
    return ["event_date", "actor1", "location", "latitude", "longitude"].index(name)


def _ucdp_order(name: str) -> int:
    return [
        "type_of_violence",
        "where_coordinates",
        "date_start",
        "date_end",
        "side_a",
        "side_b",
    ].index(name)




class Schema:
    """How records of one format become claims."""

    def __init__(self, fmt: str, header: list):
        self.fmt = fmt
        names = clean_names(header)
        if fmt == "canonical":
            mapping = canonical_names(names)
            self.keys = [mapping.get(n) for n in names]
            self.build = canonical.build_claim
        else:
            low = [n.lower() for n in names]
            if fmt.startswith("acled"):
                low = [acled.LEGACY_NAMES.get(n, n) for n in low]
                used, self.build = acled.COLUMNS, acled.build_claim
            else:
                used, self.build = ucdp.COLUMNS, ucdp.build_claim
            self.keys = [n if n in used else None for n in low]
        self.names = names

    def split(self, values: list) -> tuple:
        """(record of known fields, [(column, value) of other columns])."""
        rec: dict = {}
        extra: list = []
        for key, name, value in zip(self.keys, self.names, values):
            if key is None:
                if value not in ("", None):
                    extra.append((name, value))
            elif key not in rec:
                rec[key] = value
        return rec, extra

