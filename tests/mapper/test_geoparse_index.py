"""The geoparser's scanning index: what it finds and ranks, and its on-disk cache next to the gazetteer."""

from __future__ import annotations

import logging

import pytest

from gazetteer import Gazetteer
from gazetteer.sources import remove_source
from gazetteer.sources.aliases import add_aliases
from mapper.geoparse import Geoparser
from mapper.geoparse import index as ix

TEXT = ("Fighting near Qala-e-Naw, the capital of Badghis, spread to Kunduz and Mazar-i-Sharif; "
        "officials in Kabul and Dushanbe (Tajikistan) said the Pamir Highway was closed. De Musa Qaleh fell.")


def _open(folder):
    """A fresh open of the cached index (not the per-process memo of :func:`ix.index_for`)."""
    gz = Gazetteer.open(folder, build=False)
    builds = ix.builds
    idx = ix.open_index(gz)
    return gz, idx, ix.builds - builds


def _found(idx, text):
    norm, _ = ix.normalize_with_offsets(text)
    return [key for _, _, key in idx.find(norm)]


def _reference(gz):
    """key -> ranked (place_id, kind) straight from the gazetteer, the way the index must rank them."""
    raw = {}
    for key, pid, pop, kind, _cc in gz.name_entries():
        if len(key) < ix.MIN_KEY_LENGTH or not key.isascii() or key.replace(" ", "").isdigit():
            continue
        kind = "continent" if pid.startswith(ix.CONTINENT_PREFIX) else kind
        raw.setdefault(key, {}).setdefault(pid, (pid, pop or 0, kind))
    return {k: [(p, kd) for p, pop, kd in sorted(v.values(), key=lambda e: (-ix.prior(e[2], e[1]), -e[1], e[0]))]
            [:ix.MAX_CANDIDATES] for k, v in raw.items()}


def test_finds_every_key_on_word_boundaries_with_ranked_candidates(gz_dir):
    gz, idx, _ = _open(gz_dir)
    ref = _reference(gz)
    norm, _ = ix.normalize_with_offsets(TEXT)
    # Brute force: every run of whole words that is a key, by end offset then longest first.
    words = [(m, m + len(w)) for m, w in _word_spans(norm)]
    expected = sorted(((e, s, norm[s:e]) for i, (s, _) in enumerate(words) for _, e in words[i:]
                       if norm[s:e] in ref), key=lambda t: (t[0], t[1]))
    assert [(s, e, k) for s, e, k in idx.find(norm)] == [(s, e, k) for e, s, k in expected]
    assert {"kabul", "kunduz", "badghis", "tajikistan", "dushanbe"} <= set(_found(idx, TEXT))
    found = _found(idx, TEXT)  # a name inside a longer one comes first when it ends first
    assert found.index("musa") < found.index("de musa qaleh")
    for key in {k for _, _, k in expected}:
        assert [(e.place_id, e.kind) for e in idx.entries[key]] == ref[key]
        assert idx.entries.get(key) == idx.entries[key] and key in idx.entries
        assert all(e.prior == ix.prior(e.kind, e.population) for e in idx.entries[key])
    # Word prefixes of longer names are not names themselves; unknown strings are absent.
    multi = next(k for k in ref if k.count(" ") == 1 and k.split()[0] not in ref)
    for absent in (multi.split()[0], "xyzzyville", "", "ab"):
        assert absent not in idx.entries and idx.entries.get(absent, ()) == ()
        with pytest.raises(KeyError):
            idx.entries[absent]
    assert len(idx.entries) == len(ref)


def _word_spans(norm):
    pos = 0
    for w in norm.split(" "):
        if w:
            yield pos, w
        pos += len(w) + 1


def test_cache_is_written_once_then_reused(gz_dir):
    gz, idx, built = _open(gz_dir)
    cache = ix.cache_path(gz)
    assert built == 1 and cache == gz_dir / "gazetteer.geoparse-cache.sqlite" and cache.is_file()
    assert idx.location == str(cache)
    first = _found(idx, TEXT)
    _, again, built = _open(gz_dir)
    assert built == 0 and _found(again, TEXT) == first
    assert not list(gz_dir.glob("*.tmp"))


def test_added_source_invalidates_the_cache_and_its_names_are_found(gz_dir, tmp_path):
    _, idx, _ = _open(gz_dir)
    text = "Shelling hit Zarghun Qalatak overnight, near Kabul."
    assert "zarghun qalatak" not in _found(idx, text)
    csv = tmp_path / "field.csv"
    csv.write_text("name,lat,lon,kind,country\nZarghun Qalatak,34.91,63.02,populated_place,AF\n", encoding="utf-8")
    add_aliases(gz_dir, csv)
    gz, idx, built = _open(gz_dir)
    assert built == 1
    assert "zarghun qalatak" in _found(idx, text)
    assert idx.entries["zarghun qalatak"][0].place_id.startswith("alias:")
    gp = Geoparser(gz, filter_model=None)
    gp._index = idx
    assert "Zarghun Qalatak" in [m.name for m in gp.parse(text)]
    # ... and removing it again invalidates it too.
    remove_source(gz_dir, "aliases:field")
    _, idx, built = _open(gz_dir)
    assert built == 1 and "zarghun qalatak" not in _found(idx, text)


def test_index_for_follows_a_changed_gazetteer_in_the_same_process(gz_dir, tmp_path):
    gz = Gazetteer.open(gz_dir, build=False)
    assert "zarghun qalatak" not in ix.index_for(gz).entries
    csv = tmp_path / "field.csv"
    csv.write_text("name,lat,lon\nZarghun Qalatak,34.91,63.02\n", encoding="utf-8")
    add_aliases(gz_dir, csv)
    assert "zarghun qalatak" in ix.index_for(Gazetteer.open(gz_dir, build=False)).entries


def test_changed_rules_invalidate_the_cache(gz_dir, monkeypatch):
    _, idx, _ = _open(gz_dir)
    assert max(len(idx.entries[k]) for k in _found(idx, TEXT)) > 1
    monkeypatch.setattr(ix, "MAX_CANDIDATES", 1)
    _, idx, built = _open(gz_dir)
    assert built == 1 and max(len(idx.entries[k]) for k in _found(idx, TEXT)) == 1


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_corrupt_cache_is_rebuilt(gz_dir, damage, caplog):
    gz, idx, _ = _open(gz_dir)
    expected = _found(idx, TEXT)
    cache = ix.cache_path(gz)
    data = cache.read_bytes()
    cache.write_bytes({"garbage": b"not a database at all" * 100, "truncated": data[: len(data) // 2],
                       "empty": b""}[damage])
    with caplog.at_level(logging.WARNING, logger="mapper.geoparse.index"):
        _, idx, built = _open(gz_dir)
    assert built == 1 and _found(idx, TEXT) == expected
    assert "unreadable" in caplog.text and str(cache) in caplog.text
    _, _, built = _open(gz_dir)
    assert built == 0  # the rebuilt file is good


def test_cache_damaged_while_in_use_is_rebuilt_on_the_next_lookup(gz_dir, caplog):
    gz, idx, _ = _open(gz_dir)
    cache = ix.cache_path(gz)
    with open(cache, "r+b") as f:  # same file, overwritten in place: pages not read yet are garbage
        f.seek(4096)
        f.write(b"\xff" * (cache.stat().st_size - 4096))
    with caplog.at_level(logging.WARNING, logger="mapper.geoparse.index"):
        builds = ix.builds
        found = _found(idx, TEXT)
    assert ix.builds == builds + 1 and "rebuilding" in caplog.text
    assert {"kabul", "kunduz", "badghis"} <= set(found)
    _, _, built = _open(gz_dir)
    assert built == 0


def test_read_only_data_dir_builds_in_memory(gz_dir, monkeypatch, caplog):
    def refuse(path, rows, identity):
        raise PermissionError(13, "Permission denied", str(path.parent))

    monkeypatch.setattr(ix, "_write_cache", refuse)  # chmod cannot stop root, which CI may be
    with caplog.at_level(logging.WARNING, logger="mapper.geoparse.index"):
        gz, idx, built = _open(gz_dir)
    assert built == 1 and idx.location == ":memory:" and not ix.cache_path(gz).exists()
    assert "in memory" in caplog.text and str(gz_dir) in caplog.text
    assert {"kabul", "kunduz", "badghis"} <= set(_found(idx, TEXT))


def test_read_only_data_dir_with_a_valid_cache_reads_it(gz_dir):
    _open(gz_dir)
    for p in (gz_dir, *gz_dir.iterdir()):
        p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        _, idx, built = _open(gz_dir)
        assert built == 0 and "kabul" in _found(idx, TEXT)
    finally:
        gz_dir.chmod(0o755)
