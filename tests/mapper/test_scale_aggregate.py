"""mapper.scale.aggregate: counts per unit and period, the same in-process and on a 2-worker
LocalCluster, with mapper.claims' rules for every row and nothing dropped silently."""

from __future__ import annotations

import csv
import sys
from collections import Counter

import pandas as pd
import pytest

from mapper.claims import claim_to_record, read_claims
from mapper.errors import (
    ClaimsFileError,
    OptionalDependencyMissing,
    ScaleDependencyMissing,
    ScaleError,
)
from mapper.scale.aggregate import (
    METHOD_NAME,
    METHOD_POINT,
    OUTPUT_COLUMNS,
    AggregateSpec,
    aggregate,
    aggregate_frame,
    load_units,
)
from mapper.scale.scheduler import dask_client, parse_scheduler

ACLED_HEADER = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                "sub_event_type", "actor1", "actor2", "country", "admin1", "admin2", "location",
                "latitude", "longitude", "geo_precision", "source", "notes", "fatalities"]

#: (date, event_type, sub_event_type, actor1, admin1, location, lat, lon, fatalities)
EVENTS = [
    ("2021-07-06", "Battles", "Armed clash", "Taliban", "Badghis", "Qala i Naw", "34.9874", "63.1289", "4"),
    ("2021-07-07", "Battles", "Non-state actor overtakes territory", "Taliban", "Badghis", "Qala i Naw",
     "34.9874", "63.1289", "0"),
    ("2021-07-28", "Explosions/Remote violence", "Air/drone strike", "Military Forces of Afghanistan (2014-)",
     "Kunduz", "Kunduz", "36.7290", "68.8570", "7"),
    ("2021-08-02", "Battles", "Armed clash", "Taliban", "Kunduz", "Kunduz", "36.7290", "68.8570", ""),
    # no coordinates, but a province name: counted by name
    ("2021-08-09", "Violence against civilians", "Attack", "Taliban", "Herat", "Herat", "", "", "1"),
    # neither coordinates nor a province: unassigned, with its row number
    ("2021-08-10", "Battles", "Armed clash", "Taliban", "", "Somewhere", "", "", "2"),
    # an impossible date: rejected with mapper.claims' reason
    ("2021-13-07", "Battles", "Armed clash", "Taliban", "Kunduz", "Kunduz", "36.7290", "68.8570", "0"),
    # swapped coordinates (outside Afghanistan, inside it once swapped): rejected
    ("2021-08-11", "Battles", "Armed clash", "Taliban", "Kunduz", "Kunduz", "68.8570", "36.7290", "0"),
    # Dushanbe, Tajikistan, another country
    ("2021-08-12", "Protests", "Peaceful protest", "Protesters (Tajikistan)", "Dushanbe", "Dushanbe",
     "38.5358", "68.7791", ""),
]


def _write_acled(path, events=EVENTS, country_of=None):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(ACLED_HEADER)
        for i, (d, et, sub, a1, adm1, loc, lat, lon, fat) in enumerate(events, start=1):
            country = (country_of or {}).get(adm1, "Tajikistan" if adm1 == "Dushanbe" else "Afghanistan")
            w.writerow([f"SYN{i}", d, d[:4], "1", "Political violence", et, sub, a1, "", country, adm1, "", loc,
                        lat, lon, "1", "Test Wire", f"Event {i}.", fat])
    return path


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of 2 single-threaded worker processes, shared by the module's tests."""
    pytest.importorskip("distributed", reason="distributed is not installed (pip install 'conflictmap[scale]')")
    pytest.importorskip("dask_geopandas", reason="dask-geopandas is not installed (pip install 'conflictmap[scale]')")
    from mapper.scale.scheduler import dask_client

    with dask_client(parse_scheduler("local:2")) as client:
        yield client


@pytest.fixture
def acled_csv(tmp_path):
    return _write_acled(tmp_path / "events.csv")


def _by(result, *cols):
    return {tuple(r[c] for c in cols): r["events"] for r in result.counts.to_dict("records")}


def test_counts_per_province_and_month_with_method_and_reports(acled_csv, small_gazetteer):
    res = aggregate(acled_csv, AggregateSpec(by="admin1", every="month"), gazetteer=small_gazetteer)
    assert list(res.counts.columns) == list(OUTPUT_COLUMNS)
    got = {(r["place_id"], r["time"], r["status"], r["method"]): (r["events"], r["fatalities"])
           for r in res.counts.to_dict("records")}
    badghis = small_gazetteer.resolve("Badghis", country="AF", kind="admin1").best.place.id
    kunduz = small_gazetteer.resolve("Kunduz province", country="AF", kind="admin1").best.place.id
    herat = small_gazetteer.resolve("Herat province", country="AF", kind="admin1").best.place.id
    dushanbe = small_gazetteer.resolve("Dushanbe", country="TJ", kind="admin1").best.place.id
    assert got == {
        (badghis, "2021-07", "contested", METHOD_POINT): (1, 4),
        (badghis, "2021-07", "controlled", METHOD_POINT): (1, 0),
        (kunduz, "2021-07", "attacked", METHOD_POINT): (1, 7),
        (kunduz, "2021-08", "contested", METHOD_POINT): (1, None),
        (herat, "2021-08", "attacked", METHOD_NAME): (1, 1),
        (dushanbe, "2021-08", "attacked", METHOD_POINT): (1, None),
    }
    assert res.rows == len(EVENTS)
    assert [(u.row, u.reason) for u in res.unassigned] == [(6, "no coordinates and no admin1 name")]
    assert [i.row for i in res.rejected] == [7, 8]
    assert res.events + len(res.unassigned) + len(res.rejected) == res.rows


def test_rejections_read_as_mapper_claims_reports_them(acled_csv, small_gazetteer):
    res = aggregate(acled_csv, AggregateSpec(by="country"), gazetteer=small_gazetteer)
    _, report = read_claims(acled_csv)
    assert [(i.row, i.column, i.reason) for i in res.rejected] == \
        [(i.row, i.column, i.reason) for i in report.rejected]
    assert "month 13" in res.rejected[0].reason and "swapped" in res.rejected[1].reason


def test_weeks_days_breakdowns_and_filters(acled_csv, small_gazetteer):
    weekly = aggregate(acled_csv, AggregateSpec(by="country", every="week", per=("actor",)),
                       gazetteer=small_gazetteer)
    assert _by(weekly, "place_id", "time", "actor")[("country:AF", "2021-W27", "Taliban")] == 2
    assert set(weekly.counts["status"]) == {""}  # no status breakdown asked for
    daily = aggregate(acled_csv, AggregateSpec(by="country", every="day", statuses=("controlled",)),
                      gazetteer=small_gazetteer)
    assert _by(daily, "place_id", "time", "status") == {("country:AF", "2021-07-07", "controlled"): 1}
    assert daily.filtered == 6  # valid rows of other statuses (filters come before the units)
    assert daily.unassigned == ()
    taliban = aggregate(acled_csv, AggregateSpec(by="country", actors=("taliban",), per=()),
                        gazetteer=small_gazetteer)
    assert (taliban.events, taliban.unassigned, taliban.filtered) == (5, (), 2)  # row 6 by its country name


def test_parts_of_any_size_give_the_same_counts_and_row_numbers(tmp_path, small_gazetteer):
    many = EVENTS * 7
    path = _write_acled(tmp_path / "many.csv", many)
    spec = AggregateSpec(by="admin1", every="week", per=("status", "actor"))
    whole = aggregate(path, spec, gazetteer=small_gazetteer)
    parts = aggregate(path, spec, gazetteer=small_gazetteer, chunk_rows=4)
    assert parts.parts == 16 and whole.parts == 1
    pd.testing.assert_frame_equal(whole.counts, parts.counts)
    assert whole.unassigned == parts.unassigned and whole.rejected == parts.rejected
    assert [u.row for u in parts.unassigned] == [6 + 9 * k for k in range(7)]


def test_parquet_input_counts_as_the_csv(tmp_path, small_gazetteer):
    pytest.importorskip("pyarrow", reason="pyarrow is not installed (pip install 'conflictmap[scale]')")
    path = _write_acled(tmp_path / "e.csv", EVENTS * 3)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["latitude"] = pd.to_numeric(frame["latitude"])
    frame["longitude"] = pd.to_numeric(frame["longitude"])
    folder = tmp_path / "pq"
    folder.mkdir()
    frame.iloc[:10].to_parquet(folder / "a.parquet", row_group_size=4, index=False)
    frame.iloc[10:].to_parquet(folder / "b.parquet", row_group_size=4, index=False)
    spec = AggregateSpec(by="admin1")
    from_csv = aggregate(path, spec, gazetteer=small_gazetteer)
    from_pq = aggregate(folder, spec, gazetteer=small_gazetteer, chunk_rows=4)
    pd.testing.assert_frame_equal(from_csv.counts, from_pq.counts)
    assert [u.row for u in from_csv.unassigned] == [6, 15, 24]
    # Parquet rows are numbered per file (b.parquet starts at the CSV's row 11)
    assert [(u.path[-9:], u.row) for u in from_pq.unassigned] == [("a.parquet", 6), ("b.parquet", 5),
                                                                   ("b.parquet", 14)]
    assert [(i.path[-9:], i.row, i.column) for i in from_pq.rejected] == [
        ("a.parquet", 7, "event_date"), ("a.parquet", 8, "lat"), ("b.parquet", 6, "event_date"),
        ("b.parquet", 7, "lat"), ("b.parquet", 15, "event_date"), ("b.parquet", 16, "lat")]


def test_same_counts_on_a_local_cluster(cluster, tmp_path, small_gazetteer):
    path = _write_acled(tmp_path / "many.csv", EVENTS * 5)
    spec = AggregateSpec(by="admin1", every="week", per=("status", "actor"))
    here = aggregate(path, spec, gazetteer=small_gazetteer, chunk_rows=7)
    there = aggregate(path, spec, gazetteer=small_gazetteer, chunk_rows=7, client=cluster)
    pd.testing.assert_frame_equal(here.counts, there.counts)
    assert here.unassigned == there.unassigned and here.rejected == there.rejected
    assert (here.rows, here.parts) == (there.rows, there.parts) == (45, 7)


RAW = ("acled_afghanistan_2019_taliban_rprocessed.csv", "acled_api_2022_global_sample.csv",
       "acled_2019_global_sample100.csv", "ucdp_ged_v23_1_global_sample.csv", "ucdp_ged_syria_v19_1_sample.csv")


@pytest.fixture(scope="module")
def raw_files(shared_data):
    folder = shared_data / "conflict" / "raw"
    if not folder.is_dir():
        pytest.skip(f"real ACLED/UCDP samples not found at {folder}")
    return [folder / name for name in RAW]


@pytest.mark.shared_data
def test_real_samples_same_in_process_and_on_the_cluster(cluster, raw_files, small_gazetteer):
    spec = AggregateSpec(by="admin1", every="month", per=("status", "actor"))
    here = aggregate(raw_files, spec, gazetteer=small_gazetteer, chunk_rows=1000)
    there = aggregate(raw_files, spec, gazetteer=small_gazetteer, chunk_rows=1000, client=cluster)
    pd.testing.assert_frame_equal(here.counts, there.counts)
    assert here.unassigned == there.unassigned and here.rejected == there.rejected
    assert here.events > 300  # the Afghan rows at least (the small index knows six countries)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", RAW)
def test_real_samples_count_every_claim_mapper_claims_reads(raw_files, name, small_gazetteer):
    """Per status, counted + unassigned rows = the claims mapper.claims reads from the same file."""
    path = next(p for p in raw_files if p.name == name)
    claims, report = read_claims(path)
    expected = Counter(c.status for c in claims)
    seen = Counter()
    for status in ("controlled", "contested", "attacked", "not_controlled"):
        res = aggregate(path, AggregateSpec(by="country", statuses=(status,)), gazetteer=small_gazetteer)
        seen[status] = res.events + len(res.unassigned)
        assert [(i.row, i.reason) for i in res.rejected] == [(i.row, i.reason) for i in report.rejected]
    assert +seen == expected


def test_pandas_and_dask_frames_from_a_notebook(cluster, acled_csv, small_gazetteer):
    dd = pytest.importorskip("dask.dataframe", reason="dask is not installed (pip install 'conflictmap[scale]')")
    frame = pd.read_csv(acled_csv, dtype=str, keep_default_na=False)
    frame.index = frame.index + 1  # row numbers as in the file
    spec = AggregateSpec(by="admin1")
    from_file = aggregate(acled_csv, spec, gazetteer=small_gazetteer)
    in_memory = aggregate_frame(frame, spec, gazetteer=small_gazetteer)
    on_dask = aggregate_frame(dd.from_pandas(frame, npartitions=3), spec, gazetteer=small_gazetteer, client=cluster)
    pd.testing.assert_frame_equal(from_file.counts, in_memory.counts)
    pd.testing.assert_frame_equal(from_file.counts, on_dask.counts)
    assert [u.row for u in on_dask.unassigned] == [u.row for u in from_file.unassigned] == [6]


@pytest.mark.shared_data
def test_districts_of_an_added_boundary_set_by_point_in_polygon(gz_dir, tmp_path, shared_data):
    from gazetteer import Gazetteer
    from gazetteer.sources.boundaries import add_boundaries

    adm2 = shared_data / "boundaries" / "afg" / "geoBoundaries-AFG-ADM2_simplified.geojson"
    if not adm2.exists():
        pytest.skip(f"{adm2} not found")
    add_boundaries(gz_dir, adm2, level=2)
    path = _write_acled(tmp_path / "e.csv")
    with Gazetteer.open(gz_dir, build=False) as gz:
        units = load_units(gz, "admin2")
        assert len(units) > 300
        res = aggregate(path, AggregateSpec(by="admin2", per=()), gazetteer=gz)
        july = [gz.get(uid) for uid in res.counts.loc[res.counts["time"] == "2021-07", "place_id"]]
        town = gz.resolve("Qala i Naw", country="AF").best.place
    assert sorted((p.kind, p.admin1) for p in july) == [("admin2", "Badghis"), ("admin2", "Kunduz")]
    assert town.admin2_id in {p.id for p in july}  # the district the town lies in, by its polygon
    assert _by(res, "place_id", "time")[(town.admin2_id, "2021-07")] == 2
    assert set(res.counts["method"]) == {METHOD_POINT}
    # Herat has a province name only, Dushanbe has no district boundary: both are reported
    reasons = {u.row: u.reason for u in res.unassigned}
    assert set(reasons) == {5, 6, 9} and "no admin2 name" in reasons[9]


def test_coarse_coordinates_do_not_pick_a_province(tmp_path, small_gazetteer):
    """UCDP where_prec 6 is the country's centroid: it counts for the country, not a province."""
    header = ["id", "relid", "type_of_violence", "side_a", "side_b", "where_coordinates", "where_prec",
              "adm_1", "adm_2", "latitude", "longitude", "country", "date_start", "date_end", "best"]
    rows = [["1", "r1", "1", "Government of Afghanistan", "Taleban", "Afghanistan", "6", "", "", "33.83", "66.03",
             "Afghanistan", "2019-03-01", "2019-03-01", "5"],
            ["2", "r2", "3", "Taleban", "Civilians", "Kunduz city", "1", "Kunduz province", "", "36.729", "68.857",
             "Afghanistan", "2019-03-02", "2019-03-03", "2"]]
    path = tmp_path / "ged.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    by_country = aggregate(path, AggregateSpec(by="country"), gazetteer=small_gazetteer)
    assert _by(by_country, "place_id", "status") == {("country:AF", "contested"): 1, ("country:AF", "attacked"): 1}
    by_province = aggregate(path, AggregateSpec(by="admin1"), gazetteer=small_gazetteer)
    assert by_province.events == 1
    assert [u.row for u in by_province.unassigned] == [1]
    assert "country's centroid" in by_province.unassigned[0].reason


def test_canonical_claims_files_json_too(tmp_path, small_gazetteer):
    csv_path = tmp_path / "claims.csv"
    csv_path.write_text("place,time,status,actor,country,admin1,lat,lon\n"
                        "Qala-e-Naw,2021-07-06 afternoon,captured,Taliban,AF,Badghis,,\n"
                        "Kunduz,2021-07-08,clashes,Taliban,AF,,36.729,68.857\n"
                        "Nowhere,2021-07-09,shelled,,,,,\n"
                        "Kunduz,2021-07-10,teleported,Taliban,AF,,36.729,68.857\n", encoding="utf-8")
    res = aggregate(csv_path, AggregateSpec(by="admin1", every="day"), gazetteer=small_gazetteer)
    assert _by(res, "place", "time", "status", "method") == {
        ("Badghis", "2021-07-06", "controlled", METHOD_NAME): 1, ("Kunduz", "2021-07-08", "contested", METHOD_POINT): 1}
    assert [u.row for u in res.unassigned] == [3]
    assert [(i.row, i.column) for i in res.rejected] == [(4, "status")]
    claims, _ = read_claims(csv_path)
    json_path = tmp_path / "claims.json"
    import json

    json_path.write_text(json.dumps([claim_to_record(c) for c in claims]), encoding="utf-8")
    from_json = aggregate(json_path, AggregateSpec(by="admin1", every="day"), gazetteer=small_gazetteer)
    pd.testing.assert_frame_equal(from_json.counts, res.counts)


def test_bad_inputs_and_options_say_what_is_wrong(tmp_path, small_gazetteer):
    with pytest.raises(ClaimsFileError, match="not found"):
        aggregate(tmp_path / "missing.csv", gazetteer=small_gazetteer)
    bad = tmp_path / "bad.csv"
    bad.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(ClaimsFileError, match="match no known format"):
        aggregate(bad, gazetteer=small_gazetteer)
    with pytest.raises(ScaleError, match="count per one of country, admin1, admin2"):
        AggregateSpec(by="district")
    with pytest.raises(ScaleError, match="'captured' is not one of"):
        AggregateSpec(statuses=("captured",))
    with pytest.raises(ScaleError, match="local:4"):
        parse_scheduler("local:x")
    with pytest.raises(ScaleError, match="tcp://"):
        parse_scheduler("10.0.0.5")
    assert parse_scheduler("tcp://127.0.0.1:8786").kind == "address"


def test_missing_dask_gives_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    with pytest.raises(ScaleDependencyMissing, match=r"pip install 'conflictmap\[scale\]'") as info:
        with dask_client(parse_scheduler("local:1")):
            pass
    err = info.value
    assert isinstance(err, OptionalDependencyMissing) and isinstance(err, ScaleError)
    assert err.name == "distributed" and err.extra == "scale"
    assert str(err).startswith("--scheduler local:1 needs distributed, which is not installed")


def test_a_units_own_name_counts_even_when_the_resolver_refuses_it(acled_csv, small_gazetteer):
    """Dataset admin names are the units' own names more often than not; a resolver that refuses a
    name (Ethiopia's "Somali" region reads as a nationality word) must not lose those rows."""

    class Refusing:
        def __getattr__(self, name):
            return getattr(small_gazetteer, name)

        def resolve(self, *args, **kwargs):
            return small_gazetteer.resolve("Xqzzyv")  # not_found for every name

    res = aggregate(acled_csv, AggregateSpec(by="admin1", per=()), gazetteer=Refusing())
    herat = small_gazetteer.resolve("Herat province", country="AF", kind="admin1").best.place
    assert herat.name == "Hirat"  # the row says "Herat": only the resolver reads that spelling
    assert [u.row for u in res.unassigned] == [5, 6]
    _write_acled(acled_csv, [e if e[4] != "Herat" else (*e[:4], "Hirat", *e[5:]) for e in EVENTS])
    res = aggregate(acled_csv, AggregateSpec(by="admin1", per=()), gazetteer=Refusing())
    assert [u.row for u in res.unassigned] == [6]
    assert _by(res, "place_id", "method")[(herat.id, METHOD_NAME)] == 1


def test_bytes_that_are_not_utf8_reject_the_row_as_mapper_claims_does(tmp_path, small_gazetteer):
    path = tmp_path / "latin1.csv"
    head = "event_id_cnty,event_date,event_type,sub_event_type,actor1,actor2,country,admin1,location,latitude,longitude,notes\n"
    path.write_bytes(head.encode() + b"A1,2021-07-06,Battles,Armed clash,Taliban,,Afghanistan,Badghis,Qala,34.98,63.13,ok\n"
                     b"A2,2021-07-06,Battles,Armed clash,Taliban,,Afghanistan,Badghis,Qal\xe9a,34.98,63.13,x\n"
                     b"A3,2021-07-06,Battles,Armed clash,Taliban,,Afghanistan,Badghis,Qala,34.98,63.13,n\xff\n")
    res = aggregate(path, AggregateSpec(by="admin1"), gazetteer=small_gazetteer)
    _, report = read_claims(path)
    assert res.events == 1
    assert [(i.row, i.column, i.reason) for i in res.rejected] == [(i.row, i.column, i.reason) for i in report.rejected]
    assert [(i.row, i.column) for i in res.rejected] == [(2, "location"), (3, "notes")]


def test_a_long_cell_is_read_and_the_csv_field_limit_is_put_back(tmp_path, small_gazetteer):
    """A cell past the csv module's default limit (131,072 characters) is read, as mapper.claims
    reads it, and the process-wide limit is what it was once the job is done."""
    before = csv.field_size_limit()
    events = [(*e[:8], e[8]) for e in EVENTS[:2]]
    path = _write_acled(tmp_path / "long.csv", events)
    # past the csv module's default (another module of the process may have raised the limit:
    # gazetteer.table still does, process-wide)
    text = path.read_text(encoding="utf-8").replace("Event 1.", "Event 1. " + "x" * (131_072 + 1000))
    path.write_text(text, encoding="utf-8")
    res = aggregate(path, AggregateSpec(by="admin1"), gazetteer=small_gazetteer)
    assert res.events == 2 and not res.rejected
    assert csv.field_size_limit() == before


def test_a_running_scheduler_by_address(cluster, acled_csv, small_gazetteer):
    """--scheduler tcp://HOST:PORT connects to a cluster someone else started (here the fixture's)."""
    from mapper.scale.scheduler import dask_client

    spec = parse_scheduler(cluster.scheduler.address)
    assert spec.kind == "address"
    with dask_client(spec) as client:
        there = aggregate(acled_csv, AggregateSpec(by="admin1"), gazetteer=small_gazetteer, client=client)
    here = aggregate(acled_csv, AggregateSpec(by="admin1"), gazetteer=small_gazetteer)
    pd.testing.assert_frame_equal(here.counts, there.counts)


def test_an_unreadable_parquet_file_is_named(tmp_path, small_gazetteer):
    pytest.importorskip("pyarrow", reason="pyarrow is not installed (pip install 'conflictmap[scale]')")
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(ClaimsFileError, match="broken.parquet: not a readable Parquet file"):
        aggregate(bad, gazetteer=small_gazetteer)
