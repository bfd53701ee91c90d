"""``conflictmap map``: claims in, one HTML map (and reports) out; checked through the files it writes."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from click.testing import CliRunner

from mapper.cli import cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "qala-e-naw-2021" / "claims.csv"

CLAIMS = """id,place,time,tz,status,actor,claimant,source,url,quote,scope,country,admin1
c1,Qala-e-Naw,2021-07-06 afternoon,Asia/Kabul,captured,Taliban,MP Abdulbasir Osmani,Khaama Press,https://example.org/k,the Taliban captured Qala-e-Naw,,AF,Badghis
c2,Qala-e-Naw,2021-07-07 afternoon,Asia/Kabul,retook,ANDSF,Defence Ministry,MoD,https://example.org/m,completely under the control of ANDSF,,AF,Badghis
c3,Badghis,2021-07-07,Asia/Kabul,denied,insurgents,Security officials,Wire,,denied Taliban claims,entire province,AF,
c4,Zzqxvillage,2021-07-07,Asia/Kabul,captured,Taliban,Taliban spokesman,Wire,,took Zzqxvillage,,AF,Badghis
c5,Nowhereqq,2021-07-07,,captured,Taliban,Taliban spokesman,Wire,,nothing to fall back to,,,
c6,Qala-e-Naw,2021-13-07,Asia/Kabul,captured,Taliban,X,Wire,,bad date,,AF,Badghis
"""


def _data(html: str) -> dict:
    m = re.search(r'id="conflictmap-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def _run(args, gz_dir, **kw):
    return CliRunner().invoke(cli, ["map", *args, "--data-dir", str(gz_dir)], **kw)


def test_map_writes_html_reports_and_summary(small_gazetteer_dir, tmp_path):
    src = tmp_path / "claims.csv"
    src.write_text(CLAIMS, encoding="utf-8")
    out = tmp_path / "m.html"
    counts = tmp_path / "counts.csv"
    r = _run([str(src), "-o", str(out), "--title", "Test <map>", "--export-counts", str(counts)], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == str(out)
    # The summary on stderr: rejected row with its reason, unresolved names with where they went.
    assert "row 6" in r.stderr and "2021-13-07" in r.stderr
    assert "Zzqxvillage" in r.stderr and "approximate area in Badghis" in r.stderr
    assert "Nowhereqq" in r.stderr and "not on the map" in r.stderr
    assert "Mapped 4 of 5 claims" in r.stderr
    html = out.read_text(encoding="utf-8")
    assert "<title>Test &lt;map&gt;</title>" in html
    data = _data(html)
    names = {p["n"] for p in data["places"]}
    assert {"Qala-e-Naw", "Badghis", "Zzqxvillage"} <= names and "Nowhereqq" not in names
    # Never at 0,0.
    assert all(p.get("ll") != [0, 0] for p in data["places"])
    village = next(p for p in data["places"] if p["n"] == "Zzqxvillage")
    assert village["d"] == "approximate" and village["r"] > 1000
    badghis = next(p for p in data["places"] if p["n"] == "Badghis")
    assert badghis["d"] == "unit" and badghis["g"]["type"] in ("Polygon", "MultiPolygon")
    assert {a["name"] for a in data["actors"]} >= {"Government of Afghanistan", "Taliban"}
    # The offline basemap around Badghis: countries, and province lines in Afghanistan only.
    outlines = {(b["k"], b["n"]) for b in data["basemap"]}
    assert {("country", "Afghanistan"), ("country", "Turkmenistan"), ("admin1", "Hirat"), ("admin1", "Badghis")} <= outlines
    assert not any(k == "admin1" and n in ("Mary", "Razavi Khorasan") for k, n in outlines)  # no claims there
    meta = json.loads(re.search(r'id="conflictmap-metadata">(.*?)</script>', html, re.S).group(1))
    assert meta["inputs"][0]["sha256"] and len(meta["inputs_sha256"]) == 64
    assert meta["gazetteer"] and meta["claims"]["rejected"] == 1
    # Sidecar with the unresolved names, suggestions column included.
    side = list(csv.DictReader((tmp_path / "m.html.unresolved.csv").open(encoding="utf-8")))
    assert {row["place"] for row in side} == {"Zzqxvillage", "Nowhereqq"}
    assert {row["row"] for row in side} == {"4", "5"}
    # Counts with the claim rows behind them.
    rows = list(csv.DictReader(counts.open(encoding="utf-8")))
    assert rows and all(row["as_of_utc"] for row in rows)
    assert any(row["claim_id"] == "c2" for row in rows)


def test_bare_output_name_goes_to_outputs(small_gazetteer_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "claims.csv"
    src.write_text(CLAIMS.splitlines()[0] + "\n" + CLAIMS.splitlines()[1] + "\n", encoding="utf-8")
    r = _run([str(src), "-o", "qala.html"], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    assert (tmp_path / "outputs" / "qala.html").exists()
    r = _run([str(src), "-o", "qala.png"], small_gazetteer_dir)
    assert r.exit_code == 2 and ".html" in r.output


def test_refuses_to_overwrite(small_gazetteer_dir, tmp_path):
    src = tmp_path / "claims.csv"
    src.write_text(CLAIMS, encoding="utf-8")
    out = tmp_path / "m.html"
    out.write_text("keep me", encoding="utf-8")
    r = _run([str(src), "-o", str(out)], small_gazetteer_dir)
    assert r.exit_code == 2 and "--overwrite" in r.output
    assert out.read_text() == "keep me"
    r = _run([str(src), "-o", str(out), "--overwrite"], small_gazetteer_dir)
    assert r.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_strict_fails_before_writing(small_gazetteer_dir, tmp_path):
    src = tmp_path / "claims.csv"
    good = "\n".join(CLAIMS.splitlines()[:6]) + "\n"  # no bad date, but unresolved names
    src.write_text(good, encoding="utf-8")
    out = tmp_path / "m.html"
    r = _run([str(src), "-o", str(out), "--strict"], small_gazetteer_dir)
    assert r.exit_code == 1
    assert "Nowhereqq" in r.output and not out.exists()
    bad = tmp_path / "bad.csv"
    bad.write_text(CLAIMS.splitlines()[0] + "\n" + CLAIMS.splitlines()[6] + "\n", encoding="utf-8")
    r = _run([str(bad), "-o", str(out), "--strict"], small_gazetteer_dir)
    assert r.exit_code == 1 and "2021-13-07" in r.output and not out.exists()


def test_options_reach_the_page(small_gazetteer_dir, tmp_path):
    src = tmp_path / "claims.csv"
    src.write_text(CLAIMS, encoding="utf-8")
    actors = tmp_path / "actors.json"
    # "Government" is always qualified by the place's country, so a file names the state it means.
    actors.write_text(json.dumps([{"name": "Government of Afghanistan", "colour": "#112233", "kind": "state",
                                   "country": "AF", "aliases": ["ANDSF"]},
                                  {"name": "Taliban", "colour": "#445566", "aliases": []}]))
    out = tmp_path / "m.html"
    r = _run([str(src), "-o", str(out), "--at", "2021-07-07T09:00", "--from", "2021-07-06", "--to", "2021-07-08",
              "--view", "claimant", "--tiles", "carto", "--window", "24", "--actors", str(actors),
              "--dispute-window", "12", "--stale-after", "3w"],
             small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    data = _data(out.read_text(encoding="utf-8"))
    assert data["view"] == "claimant" and data["window_minutes"] == 24 * 60
    assert (data["rules"]["dispute_window_minutes"], data["rules"]["stale_after_minutes"]) == (12 * 60, 21 * 24 * 60)
    r = _run([str(src), "-o", str(tmp_path / "s.html"), "--stale-after", "30 days"], small_gazetteer_dir)
    assert r.exit_code == 2 and "30d, 12w" in r.output
    assert data["initial"] == 1625648400 // 60  # 2021-07-07T09:00Z
    steps = data["steps"]
    assert steps[0] == 1625529600 // 60  # 2021-07-06T00:00Z
    assert all(s <= 1625788740 // 60 for s in steps)  # <= 2021-07-08T23:59Z
    assert data["tiles"]["url"].startswith("https://")
    assert {a["name"]: a["colour"] for a in data["actors"]}["Government of Afghanistan"] == "#112233"
    bad = tmp_path / "bad.json"
    bad.write_text("[{\"name\": \"X\", \"colour\": \"blue\"}]")
    r = _run([str(src), "-o", str(tmp_path / "n.html"), "--actors", str(bad)], small_gazetteer_dir)
    assert r.exit_code == 2 and "#RRGGBB" in r.output
    r = _run([str(src), "-o", str(tmp_path / "n.html"), "--from", "2021-07-09", "--to", "2021-07-01"], small_gazetteer_dir)
    assert r.exit_code == 1 and "after" in r.output


def test_example_renders(small_gazetteer_dir, tmp_path):
    out = tmp_path / "qala.html"
    r = _run([str(EXAMPLE), "-o", str(out), "--title", "Qala-e-Naw, July 2021"], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    data = _data(out.read_text(encoding="utf-8"))
    assert len([c for c in data["claims"] if c[6] < 0]) == len(list(csv.DictReader(EXAMPLE.open(encoding="utf-8"))))
    assert "0 not mapped" in r.stderr


def test_help_has_an_example():
    r = CliRunner().invoke(cli, ["map", "--help"])
    assert r.exit_code == 0
    assert "Example" in r.output and "conflictmap map examples/qala-e-naw-2021/claims.csv" in r.output


def test_embed_mode(small_gazetteer_dir, tmp_path):
    out = tmp_path / "e.html"
    r = _run([str(EXAMPLE), "-o", str(out), "--embed"], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert '<div id="cm-app" class="cm-embed"' in page
    meta = json.loads(re.search(r'id="conflictmap-metadata">(.*?)</script>', page, re.S).group(1))
    assert "Qala-e-Naw" in json.dumps(meta.get("description"))


def test_report_puts_flagged_drafts_and_unmapped_claims_first(small_gazetteer_dir, tmp_path):
    src = tmp_path / "drafts.csv"
    rows = ["id,place,time,status,actor,claimant,quote,country,admin1,confidence,flags"]
    rows += [f"v{i},Xqzvillage{chr(97 + i % 26)}{chr(97 + i // 26)},2021-07-06,captured,Taliban,MP,q,AF,Badghis,0.8,"
             for i in range(30)]  # more approximate placements than the report shows one by one
    rows += ["m,Muqur,2021-07-06,captured,Taliban,MP,q,AF,Badghis,0.7,",
             "n,Nowhereqq,2021-07-06,captured,Taliban,MP,q,,,0.7,",
             "f,Qala-e-Naw,2021-07-07,captured,Taliban,it,Its fighters took the city.,AF,Badghis,0.3,"
             "speaker_unresolved"]
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "m.html"
    r = _run([str(src), "-o", str(out)], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    err = r.stderr.splitlines()
    pos = {key: next(i for i, x in enumerate(err) if x.startswith(key)) for key in (
        "Draft claims flagged", "Claims not on the map (1)", "Places outside their row's admin unit (1)",
        "Drawn approximately or from row coordinates (30)", "Read 33 rows")}
    assert list(pos.values()) == sorted(pos.values()) and pos["Draft claims flagged"] == 0
    assert "drafts.csv row 33: 'Qala-e-Naw' [speaker_unresolved]" in err[1]
    assert "'Nowhereqq' not found" in err[pos["Claims not on the map (1)"] + 1]
    assert "'Muqur' is not within Badghis" in err[pos["Places outside their row's admin unit (1)"] + 1]
    assert "  ... and 10 more" in err
    # The doubts reach the page: the popups of those places carry them.
    data = _data(out.read_text(encoding="utf-8"))
    warned = {p["n"]: p.get("w", []) for p in data["places"]}
    assert any("Placed only approximately" in w for w in warned["Muqur"])
    assert any("flagged by the extractor" in w for w in warned["Qala-e-Naw"])


SWAP_HEADER = "id,place,time,status,actor,claimant,country,lat,lon,place_id\n"


def test_swapped_coordinates_are_rejected_by_the_place_name_and_the_rest_mapped(small_gazetteer_dir, tmp_path):
    """lat/lon exchanged inside the valid ranges, with no country hint or one mapper.claims.cells has no box for:
    the row's own name resolves at the swapped point, so the row is rejected; the others are mapped."""
    src = tmp_path / "claims.csv"
    src.write_text(SWAP_HEADER + "\n".join([
        "s1,Qala-e-Naw,2021-07-07,captured,Taliban,Reporter,,63.13,34.99,",   # swapped, no hint
        "s2,Dushanbe,2021-07-07,captured,Group A,Reporter,TJK,68.78,38.56,",  # swapped, a hint with no box
        "ok1,Herat,2021-07-08,captured,Taliban,Reporter,,34.35,62.2,",        # right way round
        "ok2,Peshawar,2021-07-08,fighting,Group B,Reporter,,34.01,71.58,",
        "ok3,Some village,2021-07-08,captured,Taliban,Reporter,,36.1,65.0,",  # unknown name: no evidence
        "p1,Qala-e-Naw,2021-07-09,captured,Taliban,Reporter,AF,,,geonames:999999999",
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "m.html"
    r = _run([str(src), "-o", str(out)], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    err = r.stderr
    assert "claims.csv row 1, column `lat`: coordinates look swapped (lat=63.13, lon=34.99); the place name " \
           "resolves to Qala i Naw" in err
    assert "claims.csv row 2, column `lat`: coordinates look swapped (lat=68.78, lon=38.56); the place name " \
           "resolves to Dushanbe" in err
    assert "Read 6 rows from 1 file: 4 accepted, 2 rejected." in err
    assert "3 drawn at their row's coordinates" in err.splitlines()[0]
    assert "place_id 'geonames:999999999' not in the gazetteer; placed by name instead" in err
    assert "not on the map" not in err
    data = _data(out.read_text(encoding="utf-8"))
    lls = [p["ll"] for p in data["places"] if p.get("ll")]
    assert len(lls) == 4 and not any(abs(ll[0] - 63.13) < 0.01 or abs(ll[0] - 68.78) < 0.01 for ll in lls), lls


def test_a_geojson_point_written_lat_lon_is_rejected(small_gazetteer_dir, tmp_path):
    def feature(fid, place, coords):
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": coords},
                "properties": {"id": fid, "place": place, "time": "2021-07-07", "status": "captured",
                               "actor": "Taliban", "claimant": "Reporter"}}

    src = tmp_path / "claims.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature("f1", "Qala-e-Naw", [34.99, 63.13]),  # [lat, lon]: wrong for GeoJSON
        feature("f2", "Herat", [62.2, 34.35]),        # [lon, lat]: right
    ]}), encoding="utf-8")
    r = _run([str(src), "-o", str(tmp_path / "m.html")], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    assert "row 1, column `geometry`: coordinates look swapped (lat=63.13, lon=34.99)" in r.stderr
    assert "1 accepted, 1 rejected" in r.stderr


def test_swapped_coordinates_with_strict_stop_before_writing(small_gazetteer_dir, tmp_path):
    src = tmp_path / "claims.csv"
    src.write_text(SWAP_HEADER + "s1,Qala-e-Naw,2021-07-07,captured,Taliban,Reporter,,63.13,34.99,\n",
                   encoding="utf-8")
    out = tmp_path / "m.html"
    r = _run([str(src), "-o", str(out), "--strict"], small_gazetteer_dir)
    assert r.exit_code != 0 and "coordinates look swapped" in r.output and not out.exists()


def test_no_input_read_is_an_error_unless_allow_empty(small_gazetteer_dir, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.csv"
    junk.write_text("nothing,we,know\n1,2,3\n", encoding="utf-8")
    out = tmp_path / "m.html"
    r = _run([str(empty), str(junk), "-o", str(out)], small_gazetteer_dir)
    assert r.exit_code == 1 and "no input could be read" in r.output and str(empty) in r.output, r.output
    assert not out.exists() and not (tmp_path / "m.html.unresolved.csv").exists()
    png = tmp_path / "s.png"
    r = CliRunner().invoke(cli, ["static", str(empty), "-o", str(png), "--data-dir", str(small_gazetteer_dir)])
    assert r.exit_code == 1 and "no input could be read" in r.output and not png.exists(), r.output
    r = _run([str(empty), "-o", str(out), "--allow-empty"], small_gazetteer_dir)
    assert r.exit_code == 0 and out.exists(), r.output


def test_an_existing_unresolved_list_is_not_overwritten(small_gazetteer_dir, tmp_path):
    src = tmp_path / "claims.csv"
    src.write_text(CLAIMS, encoding="utf-8")
    out = tmp_path / "m.html"
    sidecar = tmp_path / "m.html.unresolved.csv"
    sidecar.write_text("someone's notes\n", encoding="utf-8")
    r = _run([str(src), "-o", str(out)], small_gazetteer_dir)
    assert r.exit_code != 0 and str(sidecar) in r.output and "--overwrite" in r.output, r.output
    assert sidecar.read_text(encoding="utf-8") == "someone's notes\n" and not out.exists()
    r = _run([str(src), "-o", str(out), "--overwrite"], small_gazetteer_dir)
    assert r.exit_code == 0 and "Nowhereqq" in sidecar.read_text(encoding="utf-8")
