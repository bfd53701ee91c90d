"""Tests for mapper.claims.report: the load report's summary and JSON form."""

from __future__ import annotations

import json

from claims_files import write

from mapper.claims import (
    read_claims,
)


def test_report_summary_and_dict(tmp_path):
    p = write(tmp_path, "c.csv", "place,time,status\nA,2021,captured\nB,2021-13-01,controlled\n")
    _, report = read_claims(p)
    text = str(report)
    assert text.splitlines()[0] == "Read 2 rows from 1 file: 1 accepted, 1 rejected."
    assert "c.csv: canonical (csv), 2 rows, 1 accepted, 1 rejected" in text
    assert "Rejected rows:\n  c.csv row 2 (line 3), column `time`" in text
    d = json.loads(json.dumps(report.to_dict()))
    assert (d["read"], d["accepted"], d["rejected"]) == (2, 1, 1)
    assert d["rejected_rows"][0]["column"] == "time" and d["mappings"][0]["rows"] == [
        {"path": str(p), "row": 1}
    ]

