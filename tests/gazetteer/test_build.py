import os
import sqlite3

import pytest

from gazetteer import Gazetteer, IndexBuildError
from gazetteer.build import build_index


def test_interrupted_build_leaves_nothing_behind(tmp_path, monkeypatch):
    target = tmp_path / "gazetteer.sqlite"
    import gazetteer.store as store

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "insert", boom)
    with pytest.raises(KeyboardInterrupt):
        build_index(target, countries=["TJ"])
    assert os.listdir(tmp_path) == []


def test_failed_build_keeps_the_previous_index(tmp_path, monkeypatch):
    target = tmp_path / "gazetteer.sqlite"
    build_index(target, countries=["TJ"])
    before = target.stat().st_mtime_ns
    import gazetteer.store as store

    monkeypatch.setattr(store, "write_meta", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(IndexBuildError, match="disk full"):
        build_index(target, countries=["TJ"])
    assert target.stat().st_mtime_ns == before
    assert sorted(os.listdir(tmp_path)) == ["gazetteer.sqlite"]
    with Gazetteer(target) as gz:
        assert gz.resolve("Dushanbe").best.place.country_code == "TJ"


def test_open_builds_on_first_use(tmp_path):
    gz = Gazetteer.open(tmp_path, build=True, countries=["TJ"])
    assert (tmp_path / "gazetteer.sqlite").exists()
    assert gz.stats()["by_kind"]["populated_place"] > 100
    conn = sqlite3.connect(tmp_path / "gazetteer.sqlite")
    assert conn.execute("SELECT v FROM meta WHERE k='countries_filter'").fetchone()[0] == "TJ"


@pytest.mark.parametrize("key", ["normalize_version", "data_version"])
def test_index_from_an_older_normalizer_or_data_is_rebuilt(tmp_path, key):
    import sqlite3

    build_index(tmp_path / "gazetteer.sqlite", countries=["TJ"])
    con = sqlite3.connect(tmp_path / "gazetteer.sqlite")
    con.execute("UPDATE meta SET v = 'old' WHERE k = ?", (key,))
    con.commit()
    con.close()
    gz = Gazetteer.open(tmp_path, build=True)
    assert gz.is_current()
    assert gz.meta()["countries_filter"] == "TJ"  # rebuilt with the same scope
