"""``conflictmap export``: files written, read back, refused overwrites and clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from click.testing import CliRunner

from mapper.cli import cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "qala-e-naw-2021" / "claims.csv"
KML = "{http://www.opengis.net/kml/2.2}"

# Made-up claims about two Myanmar towns (coordinates given: not in the small test index).
MYANMAR = """id,place,time,status,actor,claimant,source,quote,country,lat,lon
mm-1,Lashio,2024-08-03,captured,MNDAA,MNDAA statement,Test wire,The group says it holds the command base.,MM,22.9359,97.7498
mm-2,Lashio,2024-08-04,denied,MNDAA,junta spokesman,Test wire,"The spokesman says ""fighting continues"" in the town.",MM,22.9359,97.7498
mm-3,Kyaukme,2024-08-10,airstrike,Tatmadaw,local residents,Test daily,Residents report an air strike on the market.,MM,22.5333,97.0333
"""


def _run(args, gz_dir):
    return CliRunner().invoke(cli, [*args, "--data-dir", str(gz_dir)])


def test_export_claims_geojson(small_gazetteer_dir, tmp_path):
    src = tmp_path / "mm.csv"
    src.write_text(MYANMAR, encoding="utf-8")
    out = tmp_path / "mm.geojson"
    r = _run(["export", str(src), "-o", str(out)], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert [f["properties"]["id"] for f in fc["features"]] == ["mm-1", "mm-2", "mm-3"]
    assert fc["features"][2]["geometry"]["coordinates"] == [97.0333, 22.5333]
    assert "3 claims feature(s) of 2 place(s) written to" in r.output
    # Refuses to overwrite; the file stays as it was.
    before = out.read_bytes()
    r = _run(["export", str(src), "-o", str(out), "--what", "assessment"], small_gazetteer_dir)
    assert r.exit_code == 2 and "exists; pass --overwrite" in r.output
    assert out.read_bytes() == before
    r = _run(["export", str(src), "-o", str(out), "--what", "assessment", "--overwrite"], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    assert "claim_ids" in json.loads(out.read_text())["features"][0]["properties"]


def test_export_assessment_kml_at_and_every(small_gazetteer_dir, tmp_path):
    out = tmp_path / "qala.kml"
    r = _run(["export", str(EXAMPLE), "--what", "assessment", "-o", str(out)], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    pms = list(ET.parse(out).getroot().iter(f"{KML}Placemark"))
    assert pms and all(pm.find(f"{KML}TimeSpan/{KML}begin") is not None for pm in pms)
    statuses = {pm.find(f"{KML}ExtendedData/{KML}Data[@name='status']/{KML}value").text for pm in pms}
    assert "disputed" in statuses  # the seed articles' claimants disagree about Qala-e-Naw

    at_out = tmp_path / "at.csv"
    r = _run(["export", str(EXAMPLE), "--what", "assessment", "--at", "2021-07-07T18:00", "--tz", "Asia/Kabul",
              "-o", str(at_out)], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    rows = at_out.read_text(encoding="utf-8").splitlines()
    keys = [row.split(",")[0] for row in rows[1:]]
    assert len(keys) == len(set(keys)) > 0  # one interval per place at one instant

    daily = tmp_path / "daily.gpkg"
    r = _run(["export", str(EXAMPLE), "--what", "assessment", "--every", "1d", "-o", str(daily)], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    import geopandas as gpd

    back = gpd.read_file(daily, layer="assessment", engine="pyogrio")
    assert len(back) > 0 and back["start"].str.endswith("Z").all()


def test_export_errors(small_gazetteer_dir, tmp_path):
    r = _run(["export", str(EXAMPLE), "-o", str(tmp_path / "x.shp")], small_gazetteer_dir)
    assert r.exit_code == 1 and "unknown export format '.shp'" in r.output
    r = _run(["export", str(EXAMPLE), "-o", str(tmp_path / "x.csv"), "--every", "1d"], small_gazetteer_dir)
    assert r.exit_code == 2 and "--every applies to --what assessment" in r.output
    r = _run(["export", str(EXAMPLE), "-o", str(tmp_path / "x.csv"), "--what", "assessment", "--every", "1d",
              "--at", "2021-07-07"], small_gazetteer_dir)
    assert r.exit_code == 2 and "not both" in r.output
    r = _run(["export", str(EXAMPLE), "-o", str(tmp_path / "x.csv"), "--what", "assessment", "--every", "soon"],
             small_gazetteer_dir)
    assert r.exit_code == 2 and "is not a duration" in r.output
    assert not list(tmp_path.iterdir())


def test_export_refuses_when_nothing_could_be_placed(small_gazetteer_dir, tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 20)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    for src in (junk, empty):
        out = tmp_path / f"{src.stem}.geojson"
        r = _run(["export", str(src), "-o", str(out)], small_gazetteer_dir)
        assert r.exit_code == 1, r.output
        assert "no claim could be placed" in r.output and "not written" in r.output
        assert "Traceback" not in r.output and not out.exists()
    r = _run(["export", str(EXAMPLE), "-o", str(junk / "x.geojson")], small_gazetteer_dir)
    assert r.exit_code == 1 and "a file is in the way" in r.output
