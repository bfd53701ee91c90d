"""Tests for mapper.claims_io: formats, bad rows, the load report, writing and round trips."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from mapper.claims_io import (
    CANONICAL_COLUMNS,
    LoadReport,
    claim_to_record,
    detect_format,
    read_claims,
    read_claims_csv,
    read_claims_json,
    read_claims_jsonl,
    write_claims_csv,
)
from mapper.errors import ClaimsFileError, OutputExists
from mapper.model import Claim
from mapper.timespan import format_time, parse_time

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "qala-e-naw-2021" / "claims.csv"
UTC = timezone.utc

RAW_FILES = {
    "acled_api_2022_global_sample.csv": "acled",
    "acled_2019_global_sample100.csv": "acled-2019",
    "acled_afghanistan_2019_taliban_rprocessed.csv": "acled-legacy",
    "ucdp_ged_v23_1_global_sample.csv": "ucdp-ged-23.1",
    "ucdp_ged_syria_v19_1_sample.csv": "ucdp-ged-19.1",
}


def write(tmp_path: Path, name: str, content, mode: str = "w") -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8", newline="")
    return p


def only_issue(report: LoadReport):
    assert len(report.rejected) == 1, report.summary()
    return report.rejected[0]


# ---- the shared raw dataset files ------------------------------------------------------------
@pytest.fixture(scope="module")
def raw_loaded(shared_data):
    import pandas as pd

    raw = shared_data / "conflict" / "raw"
    out = {}
    for name in RAW_FILES:
        claims, report = read_claims(raw / name)
        frame = pd.read_csv(raw / name, dtype=str, keep_default_na=False)
        out[name] = (claims, report, frame)
    return out


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(RAW_FILES))
def test_raw_files_detected_and_fully_accounted(raw_loaded, name):
    claims, report, frame = raw_loaded[name]
    (f,) = report.files
    assert f.format == RAW_FILES[name] and f.container == "csv"
    assert f.rows == len(frame)  # pandas' count of data rows (multi-line cells included)
    assert f.accepted + f.rejected == len(frame)
    assert f.rejected == 0, report.summary()
    assert len(claims) == f.accepted
    assert {c.origin.format for c in claims} == {RAW_FILES[name]}
    assert [c.origin.row for c in claims] == list(range(1, len(frame) + 1))
    assert len({c.id for c in claims}) == len(claims)
    assert report.formats == {f"{RAW_FILES[name]} (csv)": len(frame)}


@pytest.mark.shared_data
def test_raw_files_merge_into_one_list(shared_data):
    raw = shared_data / "conflict" / "raw"
    paths = [raw / n for n in sorted(RAW_FILES)]
    claims, report = read_claims(paths)
    assert report.read == sum(1 for _ in claims) + report.rejected_rows
    assert len(report.files) == 5 and len(report.formats) == 5
    assert claims[0].origin.path.endswith(min(RAW_FILES))  # files in the order given


@pytest.mark.shared_data
def test_acled_legacy_afghan_rows(raw_loaded):
    claims, _, frame = raw_loaded["acled_afghanistan_2019_taliban_rprocessed.csv"]
    overtakes = frame.index[frame["Sub_type"] == "Non-state actor overtakes territory"].tolist()
    assert overtakes, "the sample has overtake events"
    for i in overtakes:
        c = claims[i]
        assert c.status == "controlled"
        assert c.actor == frame.loc[i, "Actor1"]
        assert c.place == frame.loc[i, "Location"]
        assert c.status_raw.endswith("Non-state actor overtakes territory")
    # Legacy dates like "28 September 2019", day precision (no time_precision column).
    first = claims[0]
    assert frame.loc[0, "event_date"] == first.time.text
    assert first.time.precision == "day"
    assert (
        first.time.earliest.date()
        == datetime.strptime(frame.loc[0, "event_date"], "%d %B %Y").date()
    )
    # No source column: the claimant is ACLED; notes become the quote.
    assert first.claimant == "ACLED" and first.quote == frame.loc[0, "Notes"]
    assert first.admin1 == frame.loc[0, "admin1"]
    assert first.lat == float(frame.loc[0, "latitude"]) and first.lon == float(
        frame.loc[0, "longitude"]
    )
    battles = [
        c
        for c, t in zip(claims, frame["Type"])
        if t == "Battles" and c.status_raw.endswith("Armed clash")
    ]
    assert battles and all(c.status == "contested" for c in battles)
    assert all(c.id.startswith("acled_afghanistan_2019_taliban_rprocessed-") for c in claims)


@pytest.mark.shared_data
def test_acled_current_fields(raw_loaded):
    claims, _, frame = raw_loaded["acled_api_2022_global_sample.csv"]
    by_id = {c.id: c for c in claims}
    for _, row in frame.iterrows():
        c = by_id[row["event_id_cnty"]]
        assert c.claimant == (row["source"] or "ACLED") and c.source == (row["source"] or "ACLED")
        assert c.country == row["country"] and c.admin2 == row["admin2"]
        assert c.location_precision == int(row["geo_precision"])
        mid = datetime.strptime(row["event_date"], "%Y-%m-%d").date()
        if row["time_precision"] == "1":
            assert c.time.precision == "day" and c.time.earliest.date() == mid
        elif row["time_precision"] == "2":  # ACLED codes the middle of a reported week
            assert c.time.precision == "week"
            assert c.time.earliest.date() == mid - timedelta(days=3)
            assert c.time.latest.date() == mid + timedelta(days=3)
        else:
            assert c.time.precision == "month" and c.time.earliest.date() == mid.replace(day=1)
        if row["event_type"] == "Battles":
            assert c.status == "contested"
        if row["event_type"] in ("Violence against civilians", "Explosions/Remote violence"):
            assert c.status == "attacked"
    assert any(c.status == "controlled" for c in claims)  # "Non-violent transfer of territory"


@pytest.mark.shared_data
def test_acled_government_regains_uses_government_actor(raw_loaded):
    claims, _, frame = raw_loaded["acled_2019_global_sample100.csv"]
    rows = frame.index[frame["sub_event_type"] == "Government regains territory"].tolist()
    assert rows
    for i in rows:
        assert claims[i].status == "controlled"
        assert claims[i].actor.startswith("Military Forces of")


@pytest.mark.shared_data
@pytest.mark.parametrize(
    "name", ["ucdp_ged_v23_1_global_sample.csv", "ucdp_ged_syria_v19_1_sample.csv"]
)
def test_ucdp_fields(raw_loaded, name):
    claims, _, frame = raw_loaded[name]
    for c, (_, row) in zip(claims, frame.iterrows()):
        assert c.id == row["id"] and c.place == row["where_coordinates"]
        assert c.claimant == "UCDP GED" and c.actor == row["side_a"]
        assert ("side_b", row["side_b"]) in c.extra
        assert c.status == ("attacked" if row["type_of_violence"] == "3" else "contested")
        assert c.lat == float(row["latitude"]) and c.lon == float(row["longitude"])
        assert c.location_precision == int(row["where_prec"])
        assert c.time.earliest.date().isoformat() == row["date_start"]
        assert c.time.latest.date().isoformat() == row["date_end"]
        assert c.quote == row["source_headline"].strip()
    # Multi-line quoted cells stay inside their row, line breaks kept in the quote.
    multi_line_rows = int(frame["source_headline"].str.strip().str.contains("\n").sum())
    assert sum("\n" in c.quote for c in claims) == multi_line_rows


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(RAW_FILES))
def test_raw_files_round_trip_through_canonical_csv(raw_loaded, tmp_path, name):
    claims, _, _ = raw_loaded[name]
    out = tmp_path / "out.csv"
    assert write_claims_csv(claims, out) == len(claims)
    again, report = read_claims(out)
    assert report.ok, report.summary()
    assert report.files[0].format == "canonical"
    assert len(again) == len(claims)
    for a, b in zip(claims, again):
        assert claim_to_record(a) == claim_to_record(b)
        assert (a.time.earliest, a.time.latest, a.time.precision) == (
            b.time.earliest,
            b.time.latest,
            b.time.precision,
        )
        assert a.status_raw == b.status_raw and dict(a.extra) == dict(b.extra)
        assert a.location_precision == b.location_precision


# ---- canonical CSV: bad rows -----------------------------------------------------------------
HEADER = "id,place,time,status,lat,lon,country,quote\n"


def test_bad_date_names_row_column_and_expected_format(tmp_path):
    p = write(
        tmp_path,
        "claims.csv",
        HEADER + "a,Qala-e-Naw,2021-07-06,captured,,,,\nb,Kabul,2021-13-07,controlled,,,,\n",
    )
    claims, report = read_claims(p)
    assert [c.id for c in claims] == ["a"]
    issue = only_issue(report)
    assert (issue.row, issue.line, issue.column) == (2, 3, "time")
    assert str(issue) == (
        "claims.csv row 2 (line 3), column `time`: '2021-13-07' is not a date "
        "(expected ISO 8601, e.g. 2021-07-07 or 2021-07-07T14:00): month 13 does not exist"
    )


def test_impossible_day_is_a_row_error(tmp_path):
    p = write(tmp_path, "c.csv", "place,time,status\nX,2021-02-30,controlled\n")
    _, report = read_claims(p)
    assert "February 2021 has 28 days, not 30" in only_issue(report).reason


def test_unknown_status_with_row_number(tmp_path):
    p = write(
        tmp_path, "c.csv", "place,time,status\nX,2021-07-06,controlled\nY,2021-07-06,capturd\n"
    )
    claims, report = read_claims(p)
    assert len(claims) == 1
    issue = only_issue(report)
    assert (issue.row, issue.column) == (2, "status")
    assert "'capturd' is not a status" in issue.reason and "captured" in issue.reason


def test_wrong_column_count(tmp_path):
    p = write(
        tmp_path,
        "c.csv",
        "place,time,status\nX,2021-07-06\nY,2021-07-06,controlled,extra\nZ,2021-07-06,contested,,\n",
    )
    claims, report = read_claims(p)
    assert [c.place for c in claims] == ["Z"]  # trailing empty fields are tolerated
    assert [(i.row, i.line) for i in report.rejected] == [(1, 2), (2, 3)]
    assert "2 fields, expected 3" in report.rejected[0].reason
    assert "4 fields, expected 3" in report.rejected[1].reason


def test_empty_place_and_blank_lines(tmp_path):
    p = write(
        tmp_path,
        "c.csv",
        "place,time,status\n,2021-07-06,controlled\n\n,,\nX,2021-07-06,controlled\n",
    )
    claims, report = read_claims(p)
    assert len(claims) == 1
    issue = only_issue(report)
    assert issue.column == "place" and issue.row == 1
    assert report.files[0].blank == 2 and report.files[0].rows == 2


@pytest.mark.parametrize(
    "lat, lon, country, column, fragment",
    [
        ("134.9", "63.1", "", "lat", "look swapped"),
        ("95", "181", "", "lat", "outside [-90, 90]"),
        ("34.9", "190", "", "lon", "outside [-180, 180]"),
        ("63.1", "34.9", "AF", "lat", "outside AF but lat 34.9, lon 63.1 is inside"),
        ("63.1", "34.9", "Afghanistan", "lat", "look swapped"),
        ("34.9", "", "AF", "lon", "give both or neither"),
        ("north", "63", "", "lat", "not a number"),
    ],
)
def test_bad_coordinates(tmp_path, lat, lon, country, column, fragment):
    p = write(tmp_path, "c.csv", HEADER + f"a,X,2021-07-06,controlled,{lat},{lon},{country},\n")
    claims, report = read_claims(p)
    assert claims == []
    issue = only_issue(report)
    assert issue.column == column and fragment in issue.reason


def test_good_coordinates_and_outside_country_note(tmp_path):
    p = write(
        tmp_path,
        "c.csv",
        HEADER
        + "a,X,2021-07-06,controlled,34.98,63.13,AF,\nb,Y,2021-07-06,controlled,48.8,2.3,AF,\n",
    )
    claims, report = read_claims(p)
    assert [(c.lat, c.lon) for c in claims] == [(34.98, 63.13), (48.8, 2.3)]
    assert any("outside the country hint" in n.reason for n in report.notes)


def test_bom_is_skipped(tmp_path):
    p = write(
        tmp_path, "c.csv", b"\xef\xbb\xbfplace,time,status\r\nQala-e-Naw,2021-07-06,captured\r\n"
    )
    claims, report = read_claims(p)
    assert report.ok and claims[0].place == "Qala-e-Naw" and claims[0].status == "controlled"
    assert any("byte-order mark" in n.reason for n in report.notes)


def test_non_utf8_bytes_reject_only_that_row(tmp_path):
    p = write(
        tmp_path,
        "c.csv",
        b"place,time,status\nCaf\xe9,2021-07-06,controlled\nHerat,2021-07-06,controlled\n",
    )
    claims, report = read_claims(p)
    assert [c.place for c in claims] == ["Herat"]
    issue = only_issue(report)
    assert issue.column == "place" and "not UTF-8" in issue.reason and "0xE9" in issue.reason
    # ... and the suggested fix works.
    claims, report = read_claims(p, encoding="cp1252")
    assert report.ok and claims[0].place == "Café"


def test_utf16_file(tmp_path):
    p = write(
        tmp_path,
        "c.csv",
        "place,time,status\nQal‘ah-ye Now,2021-07-06,controlled\n".encode("utf-16"),
    )
    claims, report = read_claims(p)
    assert report.ok and claims[0].place == "Qal‘ah-ye Now"


def test_empty_and_header_only_files(tmp_path):
    empty = write(tmp_path, "empty.csv", "")
    header_only = write(tmp_path, "header.csv", "place,time,status\n")
    good = write(tmp_path, "good.csv", "place,time,status\nX,2021-07-06,controlled\n")
    claims, report = read_claims([empty, header_only, good])
    assert len(claims) == 1
    assert [f.rows for f in report.files] == [0, 0, 1]
    assert report.files[0].error.startswith("file is empty")
    assert report.file_errors and report.file_errors[0].row is None


def test_unknown_header_is_a_file_error(tmp_path):
    p = write(tmp_path, "c.csv", "town,when\nX,2021\n")
    claims, report = read_claims(p)
    assert claims == [] and "missing: place, time, status" in report.files[0].error


def test_missing_file_raises(tmp_path):
    with pytest.raises(ClaimsFileError, match="not found"):
        read_claims(tmp_path / "nope.csv")


def test_strict_raises_at_first_bad_row(tmp_path):
    p = write(
        tmp_path, "c.csv", "place,time,status\nX,2021-07-06,controlled\nY,2021-02-30,controlled\n"
    )
    with pytest.raises(ClaimsFileError) as info:
        read_claims(p, strict=True)
    assert (info.value.row, info.value.column) == (2, "time")
    assert str(info.value).startswith("c.csv row 2 (line 3), column `time`")


def test_hostile_cells_are_cleaned_and_capped(tmp_path):
    big = "x" * 1_048_576
    rows = [
        ["place", "time", "status", "quote", "actor", "url"],
        [
            "Qala-e-Naw\x07",
            "2021-07-06",
            "controlled",
            "He said\x00 \x1b[31mhi\u202e" + big,
            "Tali\x08ban",
            "javascript:alert(1)",
        ],
    ]
    p = tmp_path / "c.csv"
    with p.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    claims, report = read_claims(p)
    assert report.ok, report.summary()
    c = claims[0]
    assert c.place == "Qala-e-Naw" and c.actor == "Taliban"
    assert "\x1b" not in c.quote and "\u202e" not in c.quote and "\x00" not in c.quote
    assert c.quote.startswith("He said [31mhi")
    assert 10_000 <= len(c.quote) <= 10_001
    assert c.url == ""
    assert "quote truncated from" in c.notes and "not an http(s) address" in c.notes
    reasons = " ".join(n.reason for n in report.notes)
    assert "control characters removed" in reasons and "truncated" in reasons


def test_multiline_quote_kept(tmp_path):
    p = write(
        tmp_path,
        "c.csv",
        'place,time,status,quote\nX,2021-07-06,controlled,"line one\nline two"\nY,2021-07-06,contested,q\n',
    )
    claims, report = read_claims(p)
    assert claims[0].quote == "line one\nline two"
    assert (claims[1].origin.row, report.ok) == (2, True)


def test_time_end_and_tz_column(tmp_path):
    p = write(
        tmp_path,
        "c.csv",
        "place,time,time_end,tz,status\n"
        "X,2021-07-06 afternoon,2021-07-08,Asia/Kabul,controlled\n"
        "Y,2021-07-06 afternoon,,,controlled\n"
        "Z,2021-07-06,2021-07-01,,controlled\n"
        "W,2021-07-06,,Mars/Olympus,controlled\n",
    )
    claims, report = read_claims(p, tz="+01:00")
    x, y = claims
    assert x.time.earliest == datetime(2021, 7, 6, 7, 30, tzinfo=UTC)  # 12:00 in Kabul
    assert x.time_end.latest.date() == date(2021, 7, 8)
    assert y.time.earliest == datetime(
        2021, 7, 6, 11, 0, tzinfo=UTC
    )  # 12:00 at +01:00 (the tz argument)
    assert [(i.row, i.column) for i in report.rejected] == [(3, "time_end"), (4, "tz")]


def test_relative_time_in_a_table_is_rejected_with_the_fix(tmp_path):
    p = write(tmp_path, "c.csv", "place,time,status\nX,Tuesday afternoon,controlled\n")
    _, report = read_claims(p)
    reason = only_issue(report).reason
    assert "relative" in reason and "2021-07-06 afternoon" in reason


def test_synonym_mappings_are_reported_with_rows(tmp_path):
    p = write(
        tmp_path,
        "c.csv",
        "place,time,status\nA,2021,captured\nB,2021,controlled\nC,2021,Captured\nD,2021,under attack\nE,2021,denies\n",
    )
    claims, report = read_claims(p)
    assert [c.status for c in claims] == [
        "controlled",
        "controlled",
        "controlled",
        "contested",
        "not_controlled",
    ]
    assert [c.status_raw for c in claims][:3] == ["captured", "controlled", "Captured"]
    maps = {(m.raw, m.status): [r for _, r in m.rows] for m in report.mappings}
    assert maps == {
        ("captured", "controlled"): [1, 3],
        ("under attack", "contested"): [4],
        ("denies", "not_controlled"): [5],
    }
    text = report.summary()
    assert "'captured' -> controlled (synonym): 2 rows (c.csv rows 1, 3)" in text


def test_ids_given_generated_and_deduplicated(tmp_path):
    p = write(
        tmp_path,
        "mine.csv",
        "id,place,time,status\nq1,A,2021,controlled\n,B,2021,controlled\nq1,C,2021,controlled\n",
    )
    claims, report = read_claims(p)
    assert [c.id for c in claims] == ["q1", "mine-2", "q1~2"]
    assert any("already used" in n.reason for n in report.notes)


def test_aliases_extras_confidence_and_tsv(tmp_path):
    p = write(
        tmp_path,
        "c.tsv",
        "Location\tDate\tStatus\tLatitude\tLongitude\tconfidence\tanalyst\n"
        "Qala-e-Naw\t2021-07-06\tcontrolled\t34.98\t63.13\t80%\tAB\n"
        "Kabul\t2021-07-06\tcontrolled\t\t\t1.5\tAB\n",
    )
    claims, report = read_claims(p)
    c = claims[0]
    assert report.files[0].container == "tsv"
    assert (c.place, c.lat, c.lon, c.confidence) == ("Qala-e-Naw", 34.98, 63.13, 0.8)
    assert c.extra == (("analyst", "AB"),)
    assert only_issue(report).column == "confidence"


def test_semicolon_delimited(tmp_path):
    p = write(tmp_path, "c.csv", "place;time;status\nX;2021-07-06;controlled\n")
    claims, report = read_claims(p)
    assert report.ok and claims[0].place == "X"


# ---- JSON, JSON Lines, GeoJSON ---------------------------------------------------------------
def test_json_list_and_claims_key(tmp_path):
    recs = [
        {
            "place": "Qala-e-Naw",
            "time": "2021-07-06 afternoon",
            "status": "captured",
            "lat": 34.98,
            "lon": 63.13,
            "meta": {"k": 1},
        },
        {"place": "Kabul", "time": "2021-13-01", "status": "controlled"},
    ]
    p1 = write(tmp_path, "a.json", json.dumps(recs))
    p2 = write(tmp_path, "b.json", json.dumps({"claims": recs[:1]}))
    claims, report = read_claims([p1, p2])
    assert [c.place for c in claims] == ["Qala-e-Naw", "Qala-e-Naw"]
    assert claims[0].lat == 34.98 and ("meta", '{"k":1}') in claims[0].extra
    issue = only_issue(report)
    assert (issue.path.endswith("a.json"), issue.row, issue.column) == (True, 2, "time")
    assert report.formats == {"canonical (json)": 3}
    assert read_claims_json(p2)[0][0].status == "controlled"


def test_jsonl_with_bad_line(tmp_path):
    p = write(
        tmp_path,
        "c.jsonl",
        '{"place": "A", "time": "2021-07-06", "status": "controlled"}\n\n{not json}\n'
        '{"place": "B", "time": "2021-07-07", "status": "attack"}\n["x"]\n',
    )
    claims, report = read_claims(p)
    assert [(c.place, c.status, c.origin.row) for c in claims] == [
        ("A", "controlled", 1),
        ("B", "attacked", 4),
    ]
    assert sorted((i.row, "JSON" in i.reason) for i in report.rejected) == [(3, True), (5, True)]
    assert report.files[0].rows == 4 and read_claims_jsonl(p)[1].files[0].container == "jsonl"


def test_geojson_geometry_keeps_lon_lat_order(tmp_path):
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "f1",
                "geometry": {"type": "Point", "coordinates": [63.13, 34.98]},
                "properties": {
                    "place": "Qala-e-Naw",
                    "time": "2021-07-07 afternoon",
                    "status": "controlled",
                    "actor": "Government",
                },
            },
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[62, 34], [64, 34], [64, 36], [62, 34]]],
                },
                "properties": {
                    "place": "Badghis",
                    "time": "2021-07-07",
                    "status": "controlled",
                    "scope": "all districts",
                },
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [34.98, 163.13]},
                "properties": {"place": "Swapped", "time": "2021-07-07", "status": "controlled"},
            },
            {
                "type": "Feature",
                "geometry": None,
                "properties": {"place": "Kabul", "time": "2021-07-07", "status": "contested"},
            },
        ],
    }
    p = write(tmp_path, "c.geojson", json.dumps(fc))
    claims, report = read_claims(p)
    pt, poly, nogeom = claims
    assert (pt.id, pt.lat, pt.lon) == ("f1", 34.98, 63.13)
    assert pt.geometry == {"type": "Point", "coordinates": [63.13, 34.98]}
    assert poly.geometry["type"] == "Polygon" and poly.lat is None and poly.scope == "all districts"
    assert nogeom.geometry is None
    issue = only_issue(report)
    assert issue.column == "geometry" and "[lon, lat]" in issue.reason
    assert report.files[0].container == "geojson" and report.formats == {"canonical (geojson)": 4}


def test_geojson_features_as_jsonl_and_round_trip_of_geometry(tmp_path):
    feat = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [63.13, 34.98]},
        "properties": {"place": "Qala-e-Naw", "time": "2021-07-07", "status": "controlled"},
    }
    p = write(tmp_path, "c.geojsonl", json.dumps(feat) + "\n")
    claims, report = read_claims(p)
    assert report.ok and claims[0].lon == 63.13
    out = tmp_path / "out.csv"
    write_claims_csv(claims, out)
    again, _ = read_claims(out)
    assert again[0].geometry == claims[0].geometry and again[0].lat == 34.98


def test_acled_api_json_is_detected(tmp_path):
    rec = {
        "event_id_cnty": "AFG1",
        "event_date": "2021-07-07",
        "time_precision": "1",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Taliban",
        "actor2": "Military Forces of Afghanistan (2014-2021)",
        "country": "Afghanistan",
        "admin1": "Badghis",
        "location": "Qala-e-Naw",
        "latitude": "34.9858",
        "longitude": "63.1286",
        "geo_precision": "1",
        "source": "Pajhwok",
        "notes": "Clashes in Qala-e-Naw.",
    }
    p = write(tmp_path, "acled.json", json.dumps({"status": 200, "data": [rec]}))
    claims, report = read_claims(p)
    assert report.files[0].format == "acled" and report.ok
    assert (claims[0].status, claims[0].claimant, claims[0].lat) == (
        "contested",
        "Pajhwok",
        34.9858,
    )


def test_invalid_json_file(tmp_path):
    p = write(tmp_path, "c.json", '[{"place": "A",')
    claims, report = read_claims(p)
    assert claims == [] and "not valid JSON" in report.files[0].error


def test_detect_format():
    assert detect_format(["Place", "Time", "Status"]) == "canonical"
    assert detect_format(["location", "date", "status"]) == "canonical"
    with pytest.raises(ClaimsFileError, match="missing: status"):
        detect_format(["place", "time"])


# ---- writing ---------------------------------------------------------------------------------
def test_write_refuses_to_overwrite(tmp_path):
    claim = Claim(
        "Qala-e-Naw", parse_time("2021-07-06 afternoon", tz="Asia/Kabul"), "controlled", id="x"
    )
    out = tmp_path / "o.csv"
    write_claims_csv([claim], out)
    with pytest.raises(OutputExists):
        write_claims_csv([claim], out)
    write_claims_csv([claim], out, overwrite=True)
    text = out.read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    assert header == list(CANONICAL_COLUMNS)
    assert "2021-07-06 afternoon,,Asia/Kabul,controlled" in text
    (again,), _ = read_claims_csv(out)
    assert (
        again.time.earliest == claim.time.earliest
        and format_time(again.time) == "6 Jul 2021, afternoon"
    )


# ---- the worked example ----------------------------------------------------------------------
def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def test_example_loads_with_zero_rejects():
    claims, report = read_claims(EXAMPLE)
    assert report.ok and report.read == len(claims) >= 25, report.summary()
    assert all(
        c.country == "AF" and c.claimant and c.source and c.actor in ("Taliban", "Government")
        for c in claims
    )
    assert all(c.time.earliest.utcoffset() == timedelta(hours=4, minutes=30) for c in claims)
    labels = {c.id: format_time(c.time) for c in claims}
    assert labels["denied-03"] == "6 Jul 2021, afternoon"  # MP: captured on Tuesday afternoon
    assert (
        labels["overrun-01"] == "7 Jul 2021, afternoon"
    )  # the other report: assault on Wednesday afternoon
    statuses = {c.id: (c.status, c.actor) for c in claims}
    assert statuses["denied-01"] == ("not_controlled", "Taliban")
    assert statuses["denied-11"] == ("contested", "Taliban")
    assert statuses["denied-14"] == ("controlled", "Government")
    scopes = {c.scope for c in claims}
    assert {"all districts", "6 of 7 districts", "majority of districts"} <= scopes


def test_example_quotes_are_verbatim(seeds):
    articles = {
        "denied-": _norm((seeds / "badghis-takeover-denied.txt").read_text(encoding="utf-8")),
        "overrun-": _norm((seeds / "qala-e-naw-overrun.txt").read_text(encoding="utf-8")),
    }
    claims, _ = read_claims(EXAMPLE)
    for c in claims:
        prefix = c.id.split("-")[0] + "-"
        assert c.quote and _norm(c.quote) in articles[prefix], c.id


def test_example_relative_times_resolve_from_the_notes():
    """The raw phrase in notes, resolved against the stated publication date, gives the row's time."""
    claims, _ = read_claims(EXAMPLE)
    checked = 0
    for c in claims:
        m = re.search(
            r"time: '(?:on )?([^']+)', relative to publication (\d{4}-\d{2}-\d{2})", c.notes
        )
        if not m:
            continue
        span = parse_time(m.group(1), anchor=m.group(2), tz="Asia/Kabul")
        assert (span.earliest, span.latest) == (c.time.earliest, c.time.latest), c.id
        checked += 1
    assert checked >= 5


def test_report_summary_and_dict(tmp_path):
    p = write(tmp_path, "c.csv", "place,time,status\nA,2021,captured\nB,2021-13-01,controlled\n")
    _, report = read_claims(p)
    text = str(report)
    assert text.splitlines()[0] == "Read 2 rows from 1 file: 1 accepted, 1 rejected."
    assert "c.csv: canonical (csv), 2 rows, 1 accepted, 1 rejected" in text
    assert "Rejected rows:\n  c.csv row 2 (line 3), column `time`" in text
    d = json.loads(json.dumps(report.to_dict()))
    assert (d["read"], d["accepted"], d["rejected"]) == (2, 1, 1)
    assert d["rejected_rows"][0]["column"] == "time" and d["mappings"][0]["rows"] == [
        {"path": str(p), "row": 1}
    ]
