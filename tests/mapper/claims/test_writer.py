"""Tests for mapper.claims.writer: canonical CSV output."""

from __future__ import annotations

import pytest

from mapper.claims import (
    CANONICAL_COLUMNS,
    read_claims_csv,
    write_claims_csv,
)
from mapper.errors import OutputExists
from mapper.model import Claim
from mapper.timespan import format_time, parse_time


# ---- writing ---------------------------------------------------------------------------------
def test_write_refuses_to_overwrite(tmp_path):
    claim = Claim(
        "Qala-e-Naw", parse_time("2021-07-06 afternoon", tz="Asia/Kabul"), "controlled", id="x"
    )
    out = tmp_path / "o.csv"
    write_claims_csv([claim], out)
    with pytest.raises(OutputExists):
        write_claims_csv([claim], out)
    write_claims_csv([claim], out, overwrite=True)
    text = out.read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    assert header == list(CANONICAL_COLUMNS)
    assert "2021-07-06 afternoon,,Asia/Kabul,controlled" in text
    (again,), _ = read_claims_csv(out)
    assert (
        again.time.earliest == claim.time.earliest
        and format_time(again.time) == "6 Jul 2021, afternoon"
    )


