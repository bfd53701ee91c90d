"""gazetteer.candidates: frozen records from the index's reads (on the small test index)."""

import dataclasses

import pytest

from gazetteer.candidates import (
    EXACT_MAX_ROWS,
    MAX_HYDRATE,
    CandidateReader,
    ExactHit,
    IndexedName,
    NameRows,
    PlaceRecord,
)
from gazetteer.index import INDEX_FILENAME, GazetteerIndex
from gazetteer.names import PRIMARY
from gazetteer.normalize import normalize, skeleton


@pytest.fixture(scope="module")
def reader(small_gazetteer_dir):
    with GazetteerIndex(small_gazetteer_dir / INDEX_FILENAME) as index:
        yield CandidateReader(index)


def test_exact_hits_are_frozen_records_with_their_place(reader):
    hits = reader.exact(normalize("Kabul"), "AF")
    assert hits and all(isinstance(h, ExactHit) for h in hits)
    assert len(hits) <= EXACT_MAX_ROWS + MAX_HYDRATE
    best = hits[0]
    assert best.place().name == "Kabul" and best.place().country_code == best.country_code == "AF"
    with pytest.raises(dataclasses.FrozenInstanceError):
        best.pid = 0  # type: ignore[misc]
    assert reader.exact(normalize("Xyzzyville"), None) == []


def test_name_rows_are_records_on_demand(reader):
    rows = reader.by_skeleton(skeleton(normalize("Ghazni")), "AF")
    assert isinstance(rows, NameRows) and len(rows) == len(rows.keys) > 0
    first = rows[0]
    assert isinstance(first, IndexedName) and first.key == rows.keys[0] and first.country_code == "AF"
    assert all(r.flag == PRIMARY for r in rows.with_flag(PRIMARY))
    assert len(rows + rows) == 2 * len(rows)


def test_prefilter_reads_the_neighbouring_skeletons_once(reader):
    key = normalize("Ghanzi")
    rows = reader.prefilter(key, "AF")
    assert normalize("Ghazni") in rows.keys  # one swap away
    assert reader.prefilter(key, "AF") is rows  # the last answer is kept


def test_place_reads(reader):
    kabul = reader.exact(normalize("Kabul"), "AF")[0].place()
    assert reader.place(kabul.id) == kabul
    assert reader.place("nowhere:0") is None
    assert reader.country_place("AF").kind == "country"
    assert reader.country_place("ZZ") is None
    record = reader.places_by_pids([reader.exact(normalize("Kabul"), "AF")[0].pid])
    assert all(isinstance(r, PlaceRecord) for r in record.values())
