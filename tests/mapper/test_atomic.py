"""Atomic output files: renamed into place, the user's umask, nothing left behind on errors."""

from __future__ import annotations

import os

import pytest

from mapper.atomic import write_atomic


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_mode_follows_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        path = write_atomic(tmp_path / "sub" / "map.html", "<p>café</p>")
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == mode
    assert path.read_text(encoding="utf-8") == "<p>café</p>"


def test_replaces_and_cleans_up_on_error(tmp_path):
    target = tmp_path / "map.png"
    write_atomic(target, b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    with pytest.raises(TypeError):
        write_atomic(target, 12345)  # not bytes: the write fails
    assert target.read_bytes() == b"new", "the old file is kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png"], "no temporary file left"
