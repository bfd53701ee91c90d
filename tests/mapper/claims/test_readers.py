"""Tests for mapper.claims.readers: CSV/TSV, JSON, JSON Lines and GeoJSON files, bad rows and the worked example."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from datetime import date, datetime, timedelta

import pytest
from claims_files import EXAMPLE, UTC, only_issue, write

from mapper.claims import (
    read_claims,
    read_claims_json,
    read_claims_jsonl,
    write_claims_csv,
)
from mapper.claims.readers import csv_field_limit
from mapper.errors import ClaimsFileError
from mapper.timespan import format_time, parse_time

# ---- canonical CSV: bad rows -----------------------------------------------------------------
HEADER = "id,place,time,status,lat,lon,country,quote\n"


def test_bad_date_names_row_column_and_expected_format(read_file):
    claims, report = read_file(
        "claims.csv",
        HEADER + "a,Qala-e-Naw,2021-07-06,captured,,,,\nb,Kabul,2021-13-07,controlled,,,,\n",
    )
    assert [c.id for c in claims] == ["a"]
    issue = only_issue(report)
    assert (issue.row, issue.line, issue.column) == (2, 3, "time")
    assert str(issue) == (
        "claims.csv row 2 (line 3), column `time`: '2021-13-07' is not a date "
        "(expected ISO 8601, e.g. 2021-07-07 or 2021-07-07T14:00): month 13 does not exist"
    )


def test_impossible_day_is_a_row_error(read_file):
    _, report = read_file("c.csv", "place,time,status\nX,2021-02-30,controlled\n")
    assert "February 2021 has 28 days, not 30" in only_issue(report).reason


def test_unknown_status_with_row_number(read_file):
    claims, report = read_file(
        "c.csv", "place,time,status\nX,2021-07-06,controlled\nY,2021-07-06,capturd\n"
    )
    assert len(claims) == 1
    issue = only_issue(report)
    assert (issue.row, issue.column) == (2, "status")
    assert "'capturd' is not a status" in issue.reason and "captured" in issue.reason


def test_wrong_column_count(read_file):
    claims, report = read_file(
        "c.csv",
        "place,time,status\nX,2021-07-06\nY,2021-07-06,controlled,extra\nZ,2021-07-06,contested,,\n",
    )
    assert [c.place for c in claims] == ["Z"]  # trailing empty fields are tolerated
    assert [(i.row, i.line) for i in report.rejected] == [(1, 2), (2, 3)]
    assert "2 fields, expected 3" in report.rejected[0].reason
    assert "4 fields, expected 3" in report.rejected[1].reason


def test_empty_place_and_blank_lines(read_file):
    claims, report = read_file(
        "c.csv", "place,time,status\n,2021-07-06,controlled\n\n,,\nX,2021-07-06,controlled\n"
    )
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
def test_bad_coordinates(read_file, lat, lon, country, column, fragment):
    claims, report = read_file(
        "c.csv", HEADER + f"a,X,2021-07-06,controlled,{lat},{lon},{country},\n"
    )
    assert claims == []
    issue = only_issue(report)
    assert issue.column == column and fragment in issue.reason


def test_good_coordinates_and_outside_country_note(read_file):
    claims, report = read_file(
        "c.csv",
        HEADER
        + "a,X,2021-07-06,controlled,34.98,63.13,AF,\nb,Y,2021-07-06,controlled,48.8,2.3,AF,\n",
    )
    assert [(c.lat, c.lon) for c in claims] == [(34.98, 63.13), (48.8, 2.3)]
    assert any("outside the country hint" in n.reason for n in report.notes)


def test_bom_is_skipped(read_file):
    claims, report = read_file(
        "c.csv", b"\xef\xbb\xbfplace,time,status\r\nQala-e-Naw,2021-07-06,captured\r\n"
    )
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


def test_utf16_file(read_file):
    claims, report = read_file(
        "c.csv", "place,time,status\nQal‘ah-ye Now,2021-07-06,controlled\n".encode("utf-16")
    )
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


def test_unknown_header_is_a_file_error(read_file):
    claims, report = read_file("c.csv", "town,when\nX,2021\n")
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


# ---- the csv module's field size limit is not changed for the rest of the process -----------
CSV_DEFAULT_LIMIT = 131_072  # what a fresh interpreter has


@pytest.fixture
def default_csv_limit():
    saved = csv.field_size_limit(CSV_DEFAULT_LIMIT)
    try:
        yield CSV_DEFAULT_LIMIT
    finally:
        csv.field_size_limit(saved)


def _long_cell_file(tmp_path, name="long.csv", extra_row=""):
    return write(tmp_path, name, f"place,time,status,quote\nKherson,2022-11-11,controlled,{'q' * 300_000}\n{extra_row}")


def test_a_cell_over_the_csv_default_limit_is_read_and_the_limit_put_back(tmp_path, default_csv_limit):
    claims, report = read_claims(_long_cell_file(tmp_path))
    assert report.ok and claims[0].place == "Kherson" and len(claims[0].quote) <= 10_001
    assert csv.field_size_limit() == default_csv_limit
    with pytest.raises(csv.Error, match="field larger than field limit"):  # other code still has the default
        list(csv.reader(io.StringIO("a\n" + "b" * 200_000 + "\n")))


def test_the_limit_is_put_back_when_a_strict_read_raises(tmp_path, default_csv_limit):
    path = _long_cell_file(tmp_path, extra_row="Kherson,2022-13-11,controlled,x\n")
    with pytest.raises(ClaimsFileError, match="row 2"):
        read_claims(path, strict=True)
    assert csv.field_size_limit() == default_csv_limit


def test_concurrent_reads_share_one_raise(tmp_path, default_csv_limit):
    paths = [_long_cell_file(tmp_path, f"long{i}.csv") for i in range(6)]
    start = threading.Barrier(len(paths))
    results = {}

    def read(i):
        start.wait()
        results[i] = read_claims(paths[i])

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(paths))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [len(results[i][0]) for i in range(len(paths))] == [1] * len(paths)
    assert all(results[i][1].ok for i in range(len(paths)))
    assert csv.field_size_limit() == default_csv_limit


def test_a_limit_changed_by_other_code_meanwhile_is_kept(default_csv_limit):
    with csv_field_limit(1_000_000):
        with csv_field_limit(500_000):  # nested: already high enough, nothing changes
            assert csv.field_size_limit() == 1_000_000
        assert csv.field_size_limit() == 1_000_000
        csv.field_size_limit(2_000_000)  # e.g. another module raising it for its own reader
    assert csv.field_size_limit() == 2_000_000


def test_multiline_quote_kept(read_file):
    claims, report = read_file(
        "c.csv",
        'place,time,status,quote\nX,2021-07-06,controlled,"line one\nline two"\nY,2021-07-06,contested,q\n',
    )
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


def test_relative_time_in_a_table_is_rejected_with_the_fix(read_file):
    _, report = read_file("c.csv", "place,time,status\nX,Tuesday afternoon,controlled\n")
    reason = only_issue(report).reason
    assert "relative" in reason and "2021-07-06 afternoon" in reason


def test_synonym_mappings_are_reported_with_rows(read_file):
    claims, report = read_file(
        "c.csv",
        "place,time,status\nA,2021,captured\nB,2021,controlled\nC,2021,Captured\nD,2021,under attack\nE,2021,denies\n",
    )
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


def test_ids_given_generated_and_deduplicated(read_file):
    claims, report = read_file(
        "mine.csv",
        "id,place,time,status\nq1,A,2021,controlled\n,B,2021,controlled\nq1,C,2021,controlled\n",
    )
    assert [c.id for c in claims] == ["q1", "mine-2", "q1~2"]
    assert any("already used" in n.reason for n in report.notes)


def test_aliases_extras_confidence_and_tsv(read_file):
    claims, report = read_file(
        "c.tsv",
        "Location\tDate\tStatus\tLatitude\tLongitude\tconfidence\tanalyst\n"
        "Qala-e-Naw\t2021-07-06\tcontrolled\t34.98\t63.13\t80%\tAB\n"
        "Kabul\t2021-07-06\tcontrolled\t\t\t1.5\tAB\n",
    )
    c = claims[0]
    assert report.files[0].container == "tsv"
    assert (c.place, c.lat, c.lon, c.confidence) == ("Qala-e-Naw", 34.98, 63.13, 0.8)
    assert c.extra == (("analyst", "AB"),)
    assert only_issue(report).column == "confidence"


def test_semicolon_delimited(read_file):
    claims, report = read_file("c.csv", "place;time;status\nX;2021-07-06;controlled\n")
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


def test_geojson_geometry_keeps_lon_lat_order(read_file):
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
    claims, report = read_file("c.geojson", json.dumps(fc))
    pt, poly, nogeom = claims
    assert (pt.id, pt.lat, pt.lon) == ("f1", 34.98, 63.13)
    assert pt.geometry == {"type": "Point", "coordinates": [63.13, 34.98]}
    assert poly.geometry["type"] == "Polygon" and poly.lat is None and poly.scope == "all districts"
    assert nogeom.geometry is None
    issue = only_issue(report)
    assert issue.column == "geometry" and "[lon, lat]" in issue.reason
    assert report.files[0].container == "geojson" and report.formats == {"canonical (geojson)": 4}


def test_geojson_features_as_jsonl_and_round_trip_of_geometry(tmp_path, read_file):
    feat = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [63.13, 34.98]},
        "properties": {"place": "Qala-e-Naw", "time": "2021-07-07", "status": "controlled"},
    }
    claims, report = read_file("c.geojsonl", json.dumps(feat) + "\n")
    assert report.ok and claims[0].lon == 63.13
    out = tmp_path / "out.csv"
    write_claims_csv(claims, out)
    again, _ = read_claims(out)
    assert again[0].geometry == claims[0].geometry and again[0].lat == 34.98


def test_invalid_json_file(read_file):
    claims, report = read_file("c.json", '[{"place": "A",')
    assert claims == [] and "not valid JSON" in report.files[0].error


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
