"""Helpers for the claims reader tests: write a claims file, take the one rejected row."""

from __future__ import annotations

from pathlib import Path


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
