"""Paths to ../shared for tests that import them outside fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def seeds_dir() -> Path:
    folder = REPO.parent / "shared" / "seeds"
    if not folder.is_dir():
        pytest.skip(f"seed articles not found at {folder}")
    return folder
