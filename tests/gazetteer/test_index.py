"""gazetteer.index: opening, version and lifecycle of the index file."""

import sqlite3

import pytest

from gazetteer import Gazetteer, IndexNotBuilt
from gazetteer.index import INDEX_FILENAME, GazetteerIndex, default_data_dir


def test_a_missing_index_says_how_to_build_it(tmp_path):
    with pytest.raises(IndexNotBuilt, match="conflictmap gazetteer build"):
        GazetteerIndex(tmp_path / INDEX_FILENAME)
    with pytest.raises(IndexNotBuilt, match="--data-dir"):
        GazetteerIndex.open(tmp_path, build=False)


def test_the_index_reports_itself_and_closes(small_gazetteer_dir):
    index = GazetteerIndex.open(small_gazetteer_dir, build=False)
    assert index.is_current()
    assert index.stats()["places"] > 0 and index.attribution()
    assert {s["name"] for s in index.sources()} and "normalize_version" in index.meta()
    index.close()
    with pytest.raises(sqlite3.ProgrammingError):
        index.meta()


def test_the_facade_shares_the_index_connection(small_gazetteer_dir):
    with Gazetteer(small_gazetteer_dir / INDEX_FILENAME) as gz:
        assert gz.path == small_gazetteer_dir / INDEX_FILENAME
        assert gz.stats() == gz._index.stats()


def test_default_data_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CONFLICTMAP_DATA_DIR", str(tmp_path))
    assert default_data_dir() == tmp_path
