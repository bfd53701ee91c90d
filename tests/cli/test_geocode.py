import csv

from click.testing import CliRunner

from mapper.cli import cli

TABLE = """id,location,country,admin1,admin2,note
1,Qala-e-Naw,Afghanistan,Badghis,,"the city"
2,Zzqxvillage,Afghanistan,Badghis,,unknown village: falls back to the province
3,Gardiz,Afghanistan,Paktya,,
4,,Afghanistan,,,empty place
5,Nowhereqq,,,,nothing to fall back to
"""


def test_geocode_keeps_rows_and_falls_back(small_gazetteer_dir, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(TABLE, encoding="utf-8")
    out = tmp_path / "out.csv"
    r = CliRunner().invoke(cli, ["geocode", str(src), "--place-column", "location", "--country-column",
                                 "country", "--admin1-column", "admin1", "-o", str(out), "--data-dir",
                                 str(small_gazetteer_dir)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert rows[0]["note"] == "the city"  # input columns kept
    assert rows[0]["geo_id"] == "geonames:1129867" and rows[0]["geo_status"] == "resolved"
    assert rows[1]["geo_kind"] == "admin1 (fallback)" and rows[1]["geo_name"] == "Badghis"
    assert rows[2]["geo_name"] == "Gardez"
    for row in rows[3:]:
        assert row["geo_lat"] == "" and row["geo_lon"] == ""  # never 0,0
    assert rows[4]["geo_status"] == "not_found"
    assert "row 5" in r.stderr


def test_refuses_to_overwrite_and_names_missing_columns(small_gazetteer_dir, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(TABLE, encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("keep me", encoding="utf-8")
    base = ["geocode", str(src), "-o", str(out), "--data-dir", str(small_gazetteer_dir)]
    r = CliRunner().invoke(cli, base + ["--place-column", "location"])
    assert r.exit_code == 2 and "--overwrite" in r.output
    assert out.read_text() == "keep me"
    r = CliRunner().invoke(cli, base + ["--place-column", "place", "--overwrite"])
    assert r.exit_code == 1 and "'place' is not in the table" in r.output


def test_non_utf8_table_is_a_clear_error(small_gazetteer_dir, tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(b"location\nQal\xe9-e-Naw\n")
    r = CliRunner().invoke(cli, ["geocode", str(src), "--place-column", "location", "-o",
                                 str(tmp_path / "o.csv"), "--data-dir", str(small_gazetteer_dir)])
    assert r.exit_code == 1 and "UTF-8" in r.output


def test_geocode_reports_rows_outside_their_unit(small_gazetteer_dir, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("location,country,admin1\nQala-e-Naw,AF,Badghis\nMuqur,AF,Badghis\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    r = CliRunner().invoke(cli, ["geocode", str(src), "--place-column", "location", "--country-column", "country",
                                 "--admin1-column", "admin1", "-o", str(out), "--data-dir", str(small_gazetteer_dir)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[1]["geo_status"] == "fallback" and rows[1]["geo_kind"] == "admin1 (fallback)"
    assert "row 2: 'Muqur' is not within Badghis" in r.stderr
