"""Static types are part of the test suite where mypy is installed (the dev extra; ``make typecheck``):
the packages listed in ``[tool.mypy] files`` of pyproject.toml type-check clean."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_mypy_finds_nothing(tmp_path):
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[dev]'); types not checked")
    # A private cache: the run must not depend on (or write) the checkout's .mypy_cache.
    out = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache")],
                         cwd=REPO, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, "mypy (run `make typecheck`):\n" + out.stdout + out.stderr
