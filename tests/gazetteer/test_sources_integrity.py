"""Every add/remove is one transaction: an interrupted load leaves the index byte-for-byte as before."""

import hashlib

import pytest

from gazetteer import Gazetteer, SourceDataError, store
from gazetteer.sources import geonames, remove_source, summary


def _digest(folder) -> str:
    return hashlib.sha256((folder / "gazetteer.sqlite").read_bytes()).hexdigest()


def _dump(path, n, first=80_000_000):
    lines = []
    for i in range(n):
        cols = [str(first + i), f"Interrupted Place {i}", f"Interrupted Place {i}", "", "35.0", "63.0", "P",
                "PPL", "AF", "", "02", "", "", "", "0", "", "900", "Asia/Kabul", "2024-01-15"]
        lines.append("\t".join(cols))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_interrupted_geonames_load_changes_nothing(gz_dir, tmp_path, monkeypatch):
    dump = _dump(tmp_path / "AF.txt", 500)
    before = _digest(gz_dir)
    calls = {"n": 0}
    real_flush = geonames._DumpLoader.flush

    def flaky_flush(self):
        calls["n"] += 1
        if calls["n"] == 3:  # two batches are already written inside the transaction
            raise KeyboardInterrupt
        return real_flush(self)

    monkeypatch.setattr(geonames._DumpLoader, "flush", flaky_flush)
    with pytest.raises(KeyboardInterrupt):
        geonames.add_geonames(gz_dir, [dump], batch_size=100)
    assert calls["n"] == 3
    assert _digest(gz_dir) == before
    assert not (gz_dir / "gazetteer.sqlite-journal").exists()
    monkeypatch.setattr(geonames._DumpLoader, "flush", real_flush)
    (report,) = geonames.add_geonames(gz_dir, [dump], batch_size=100)  # and the index still takes the load
    assert report.added == 500


def test_interrupted_boundary_load_changes_nothing(gz_dir, shared_data, monkeypatch):
    from gazetteer.sources.boundaries import add_boundaries

    before = _digest(gz_dir)
    calls = {"n": 0}
    real = store.set_fields

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 50:
            raise OSError("disk full (simulated)")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "set_fields", failing)
    with pytest.raises(OSError, match="simulated"):
        add_boundaries(gz_dir, shared_data / "boundaries" / "afg" / "geoBoundaries-AFG-ADM2.geojson", level=2)
    assert _digest(gz_dir) == before


def test_a_reader_sees_the_load_after_it_commits(gz_dir, tmp_path):
    gz = Gazetteer.open(gz_dir, build=False)
    assert gz.resolve("Interrupted Place 7", country="AF").status == "not_found"
    geonames.add_geonames(gz_dir, [_dump(tmp_path / "AF.txt", 20)])
    gz2 = Gazetteer.open(gz_dir, build=False)
    assert gz2.resolve("Interrupted Place 7", country="AF").status == "resolved"
    gz.close()
    gz2.close()


def test_remove_unknown_or_embedded_source(gz_dir):
    with pytest.raises(SourceDataError, match="loaded sources: conflictmap-physical, conflictmap-regions, geonames-cities500, natural-earth-admin"):
        remove_source(gz_dir, "boundaries:nothing")
    with pytest.raises(SourceDataError, match="embedded"):
        remove_source(gz_dir, "geonames-cities500")


def test_summary_counts_by_country_and_kind(gz_dir, tmp_path):
    geonames.add_geonames(gz_dir, [_dump(tmp_path / "AF.txt", 30)])
    s = summary(gz_dir)
    assert s["by_country"]["AF"]["admin1"] == 34
    assert s["by_source"]["geonames:AF"] == 30
    assert any(src["name"] == "geonames:AF" and src["count"] == 30 for src in s["sources"])


def test_removing_a_big_source_rebuilds_the_indexes(gz_dir, tmp_path, monkeypatch):
    import sqlite3

    def snapshot():
        conn = sqlite3.connect(gz_dir / "gazetteer.sqlite")
        try:
            return (conn.execute("SELECT * FROM places ORDER BY pid").fetchall(),
                    conn.execute("SELECT key, pid, flag FROM names ORDER BY rowid").fetchall(),
                    {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")})
        finally:
            conn.close()

    geonames.add_geonames(gz_dir, [_dump(tmp_path / "seed.txt", 5, first=70_000_000)])  # source tables and indexes exist
    before = snapshot()
    geonames.add_geonames(gz_dir, [_dump(tmp_path / "AF.txt", 200)])
    monkeypatch.setattr(store, "BULK_REMOVE_PLACES", 100)
    out = remove_source(gz_dir, "geonames:AF")
    assert out["places"] == 200
    assert snapshot() == before
