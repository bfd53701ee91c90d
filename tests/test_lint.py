"""Lint is part of the test suite: ``ruff check`` (rules in pyproject.toml, as ``make lint``) finds
nothing, except in the files of :data:`KNOWN_PENDING`, whose list may only shrink."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Paths (files or folders, relative to the repository) that still have findings, each with its
#: owner. Remove an entry once its findings are fixed; the test below says when.
KNOWN_PENDING: dict[str, str] = {}


def _ruff() -> list[str]:
    """The ruff command of this environment (the test extra installs it), or skip."""
    beside = Path(sys.executable).with_name("ruff")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ruff")
    if found:
        return [found]
    pytest.skip("ruff is not installed (pip install -e '.[test]' installs it); lint not checked")


def _findings() -> list[dict]:
    out = subprocess.run([*_ruff(), "check", "--output-format", "json", "--no-cache", "."],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    if out.returncode not in (0, 1):  # 2: ruff itself failed (bad configuration...)
        pytest.fail(f"ruff failed: {out.stderr.strip()}")
    return json.loads(out.stdout or "[]")


def _pending(path: str) -> str | None:
    return next((p for p in KNOWN_PENDING if path == p or (p.endswith("/") and path.startswith(p))), None)


@pytest.fixture(scope="module")
def findings():
    return [{**f, "path": Path(f["filename"]).resolve().relative_to(REPO).as_posix()} for f in _findings()]


def test_ruff_finds_nothing_outside_the_known_pending_files(findings):
    new = [f"{f['path']}:{f['location']['row']}: {f['code']} {f['message']}"
           for f in findings if _pending(f["path"]) is None]
    assert not new, "ruff findings (run `ruff check .`):\n" + "\n".join(new)


def test_the_pending_list_only_shrinks(findings):
    still = {_pending(f["path"]) for f in findings} - {None}
    exists = {p for p in KNOWN_PENDING if (REPO / p).exists()}
    done = exists - still
    assert not done, f"no ruff findings left in {sorted(done)}: remove them from KNOWN_PENDING"
