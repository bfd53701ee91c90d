"""Helpers for the claims reader tests: the worked example, write a claims file, take the one
rejected row."""

from __future__ import annotations

from datetime import timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: The worked example's claims (Qala-e-Naw, 2021).
EXAMPLE = REPO / "examples" / "qala-e-naw-2021" / "claims.csv"
UTC = timezone.utc


def write(tmp_path: Path, name: str, content, mode: str = "w") -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8", newline="")
    return p


def only_issue(report):
    assert len(report.rejected) == 1, report.summary()
    return report.rejected[0]
