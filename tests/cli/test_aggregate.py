"""``conflictmap aggregate``: event tables in, a counts table out (CSV, Parquet, GeoJSON), the
unassigned report beside it, and `conflictmap map` drawing the counted units."""

from __future__ import annotations

import csv
import json
import re

import pandas as pd
from click.testing import CliRunner

from mapper.claims import read_claims
from mapper.cli import cli

HEADER = ["event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
          "country", "admin1", "admin2", "location", "latitude", "longitude", "geo_precision", "source", "notes",
          "fatalities"]
ROWS = [
    ["T1", "2021-07-06", "1", "Battles", "Armed clash", "Taliban", "", "Afghanistan", "Badghis", "", "Qala i Naw",
     "34.9874", "63.1289", "1", "Wire", "Clashes.", "3"],
    ["T2", "2021-07-07", "1", "Battles", "Non-state actor overtakes territory", "Taliban", "", "Afghanistan",
     "Badghis", "", "Qala i Naw", "34.9874", "63.1289", "1", "Wire", "Taken.", "0"],
    ["T3", "2021-07-20", "1", "Explosions/Remote violence", "Air/drone strike", "Military Forces of Afghanistan (2014-)",
     "Taliban", "Afghanistan", "Kunduz", "", "Kunduz", "36.7290", "68.8570", "1", "Wire", "Strike.", "5"],
    ["T4", "2021-07-21", "1", "Battles", "Armed clash", "Taliban", "", "Afghanistan", "", "", "Somewhere", "", "",
     "1", "Wire", "Nowhere known.", "1"],
    ["T5", "2021-07-32", "1", "Battles", "Armed clash", "Taliban", "", "Afghanistan", "Kunduz", "", "Kunduz",
     "36.7290", "68.8570", "1", "Wire", "Bad date.", "0"],
]


def _events(path):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADER, *ROWS])
    return path


def _run(args, gz_dir):
    return CliRunner().invoke(cli, ["aggregate", *args, "--data-dir", str(gz_dir)])


def test_csv_counts_and_unassigned_report(small_gazetteer_dir, tmp_path):
    src = _events(tmp_path / "acled.csv")
    out = tmp_path / "counts.csv"
    r = _run([str(src), "--by", "admin1", "--every", "month", "-o", str(out)], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out, keep_default_na=False)
    got = {(row.place, row.time, row.status): (row.events, row.method) for row in table.itertuples()}
    assert got == {("Badghis", "2021-07", "contested"): (1, "point_in_polygon"),
                   ("Badghis", "2021-07", "controlled"): (1, "point_in_polygon"),
                   ("Kunduz", "2021-07", "attacked"): (1, "point_in_polygon")}
    report = pd.read_csv(tmp_path / "counts.unassigned.csv", keep_default_na=False)
    assert list(zip(report["row"], report["what"], report["column"])) == [(4, "unassigned", ""),
                                                                         (5, "rejected", "event_date")]
    assert "no admin1 name" in report["reason"][0] and "2021-07-32" in report["reason"][1]
    assert "3 events counted" in r.output and "1 unassigned, 1 rejected" in r.output
    # the output is a claims table: mapper.claims reads it as canonical claims, one per row
    claims, load = read_claims(out)
    assert load.ok and len(claims) == 3 and {c.claimant for c in claims} == {"conflictmap aggregate"}
    assert {c.place_id for c in claims} == set(table["place_id"])


def test_refuses_to_overwrite_and_bad_options(small_gazetteer_dir, tmp_path):
    src = _events(tmp_path / "acled.csv")
    out = tmp_path / "counts.csv"
    out.write_text("keep me", encoding="utf-8")
    r = _run([str(src), "-o", str(out)], small_gazetteer_dir)
    assert r.exit_code == 2 and "--overwrite" in r.output and out.read_text() == "keep me"
    r = _run([str(src), "-o", str(tmp_path / "c.csv"), "--scheduler", "localhost"], small_gazetteer_dir)
    assert r.exit_code == 2 and "tcp://" in r.output
    r = _run([str(src), "-o", str(tmp_path / "c.csv"), "--per", "claimant"], small_gazetteer_dir)
    assert r.exit_code == 2 and "status, actor" in r.output
    r = _run([str(src), "-o", str(tmp_path / "c.xlsx")], small_gazetteer_dir)
    assert r.exit_code == 2 and ".parquet" in r.output
    r = _run([str(tmp_path / "missing.csv"), "-o", str(tmp_path / "c.csv")], small_gazetteer_dir)
    assert r.exit_code == 1 and "not found" in r.output
    assert not (tmp_path / "c.csv").exists()


def test_strict_exits_1_after_writing(small_gazetteer_dir, tmp_path):
    src = _events(tmp_path / "acled.csv")
    out = tmp_path / "c.csv"
    r = _run([str(src), "-o", str(out), "--strict"], small_gazetteer_dir)
    assert r.exit_code == 1 and out.exists()


def test_geojson_and_parquet_outputs(small_gazetteer_dir, tmp_path):
    import pytest

    src = _events(tmp_path / "acled.csv")
    gj = tmp_path / "c.geojson"
    r = _run([str(src), "--by", "country", "--per", "actor,status", "-o", str(gj)], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    feats = json.loads(gj.read_text(encoding="utf-8"))["features"]
    assert {f["geometry"]["type"] for f in feats} <= {"Polygon", "MultiPolygon"}
    assert sum(f["properties"]["events"] for f in feats) == 4  # row 4 by its country name
    assert {f["properties"]["actor"] for f in feats} == {"Taliban", "Military Forces of Afghanistan (2014-)"}
    pytest.importorskip("pyarrow", reason="pyarrow is not installed (pip install 'conflictmap[scale]')")
    pq = tmp_path / "c.parquet"
    r = _run([str(src), "--every", "week", "--per", "none", "-o", str(pq)], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    table = pd.read_parquet(pq)
    assert table["events"].sum() == 3 and set(table["time"]) == {"2021-W27", "2021-W29"}
    assert "not a claims table" in r.output


def test_on_a_local_cluster_same_table(small_gazetteer_dir, tmp_path):
    import pytest

    pytest.importorskip("dask_geopandas", reason="dask-geopandas is not installed (pip install 'conflictmap[scale]')")
    src = _events(tmp_path / "acled.csv")
    here, there = tmp_path / "here.csv", tmp_path / "there.csv"
    assert _run([str(src), "-o", str(here)], small_gazetteer_dir).exit_code == 0
    r = _run([str(src), "-o", str(there), "--scheduler", "local:2", "--chunk-rows", "1000"], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    assert "Dask: local:2 (2 workers)" in r.output
    assert here.read_text(encoding="utf-8") == there.read_text(encoding="utf-8")


def test_counts_feed_the_map(small_gazetteer_dir, tmp_path):
    """aggregate -> map: the page draws every counted unit, with the counts in its claims."""
    src = _events(tmp_path / "acled.csv")
    counts = tmp_path / "counts.csv"
    assert _run([str(src), "--by", "admin1", "-o", str(counts)], small_gazetteer_dir).exit_code == 0
    html = tmp_path / "counts.html"
    r = CliRunner().invoke(cli, ["map", str(counts), "-o", str(html), "--data-dir", str(small_gazetteer_dir)])
    assert r.exit_code == 0, r.output
    page = html.read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="conflictmap-data">(.*?)</script>', page, re.S).group(1))
    drawn = {p["n"]: p for p in data["places"]}
    assert {"Badghis", "Kunduz"} <= set(drawn)
    assert all(drawn[name]["d"] == "unit" for name in ("Badghis", "Kunduz"))  # the province polygons
    assert "1 event, 5 fatalities in Kunduz, 2021-07 (counted by point in polygon)" in page
