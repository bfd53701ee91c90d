"""Fixtures of the claims tests."""

from __future__ import annotations

import pytest
from claims_files import write

from mapper.claims import read_claims


@pytest.fixture
def read_file(tmp_path):
    """``read_file(name, content)``: write a claims file in ``tmp_path`` and read it -> (claims, report)."""

    def read(name: str, content):
        return read_claims(write(tmp_path, name, content))

    return read
