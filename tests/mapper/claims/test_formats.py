"""Tests for the built-in formats of mapper.claims (canonical detection, ACLED, UCDP GED) on real files."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from claims_files import write

from mapper.claims import (
    claim_to_record,
    detect_format,
    read_claims,
    write_claims_csv,
)
from mapper.errors import ClaimsFileError

RAW_FILES = {
    "acled_api_2022_global_sample.csv": "acled",
    "acled_2019_global_sample100.csv": "acled-2019",
    "acled_afghanistan_2019_taliban_rprocessed.csv": "acled-legacy",
    "ucdp_ged_v23_1_global_sample.csv": "ucdp-ged-23.1",
    "ucdp_ged_syria_v19_1_sample.csv": "ucdp-ged-19.1",
}


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


def test_detect_format():
    assert detect_format(["Place", "Time", "Status"]) == "canonical"
    assert detect_format(["location", "date", "status"]) == "canonical"
    with pytest.raises(ClaimsFileError, match="missing: status"):
        detect_format(["place", "time"])


