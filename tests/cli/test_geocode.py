import csv

from click.testing import CliRunner

from gazetteer.csvlimit import csv_field_limit
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


def _geocode(src, out, gz_dir, *extra):
    return CliRunner().invoke(cli, ["geocode", str(src), "--place-column", "location", "-o", str(out),
                                    "--data-dir", str(gz_dir), *extra])


def test_cells_over_the_csv_default_limit_lose_no_row(small_gazetteer_dir, tmp_path, monkeypatch):
    """A 200,000-character cell (the csv default limit is 131,072) in a fresh process: every row out."""
    import csv as csv_module

    saved = csv_module.field_size_limit(131072)  # as a fresh process has it: no other import raised it
    try:
        src = tmp_path / "in.csv"
        long_note, long_place = "n" * 200_000, "Q" * 200_000
        src.write_text(f"id,location,note\n1,Qala-e-Naw,{long_note}\n2,{long_place},x\n3,Gardiz,\n",
                       encoding="utf-8")
        out = tmp_path / "out.csv"
        r = _geocode(src, out, small_gazetteer_dir)
        limit_after = csv_module.field_size_limit()
    finally:
        csv_module.field_size_limit(max(saved, csv_module.field_size_limit()))
    assert r.exit_code == 0, r.output[-2000:]
    assert limit_after == 131072  # geocode raised it only while it read
    with csv_field_limit(1 << 20):  # the test's own reader needs a higher limit for these cells
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [row["id"] for row in rows] == ["1", "2", "3"]
    assert rows[0]["note"] == long_note and rows[0]["geo_status"] == "resolved"
    assert rows[1]["location"] == long_place and rows[1]["geo_status"] == "not_found" and rows[1]["geo_note"]
    assert rows[2]["geo_name"] == "Gardez"


def test_extra_cells_are_kept_under_generated_names(small_gazetteer_dir, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,location\n1,Qala-e-Naw,spill one,spill two\n2,Gardiz\n3\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    r = _geocode(src, out, small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0][:2] == ["id", "location"] and rows[0][-2:] == ["extra_1", "extra_2"]
    assert rows[1][-2:] == ["spill one", "spill two"] and rows[2][-2:] == ["", ""]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3"]  # a short row is kept, padded
    assert "row 1 has 2 cell(s) beyond the header" in r.output


def test_an_unclosed_quote_that_swallows_rows_is_reported(small_gazetteer_dir, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text('id,location,note\n1,Qala-e-Naw,"started a quote\n2,Gardiz,second row\n3,Herat,third\n',
                   encoding="utf-8")
    out = tmp_path / "out.csv"
    r = _geocode(src, out, small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    assert "row 1 (lines 2-4): unclosed quote" in r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 1 and "unclosed quote" in rows[0]["geo_note"]
    assert "2,Gardiz,second row" in rows[0]["note"]  # kept as read, nothing dropped


def test_a_multiline_quoted_cell_is_not_reported(small_gazetteer_dir, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text('id,location,note\n1,Qala-e-Naw,"two lines\nof prose"\n2,Gardiz,x\n', encoding="utf-8")
    r = _geocode(src, tmp_path / "out.csv", small_gazetteer_dir)
    assert r.exit_code == 0 and "unclosed quote" not in r.output


def test_a_refused_table_leaves_no_output_and_names_the_file(small_gazetteer_dir, tmp_path):
    for name, data in (("empty.csv", b""), ("latin.csv", b"location\nQal\xe9-e-Naw\n"),
                       ("nocol.csv", b"place\nHerat\n")):
        src = tmp_path / name
        src.write_bytes(data)
        out = tmp_path / "out.csv"
        r = _geocode(src, out, small_gazetteer_dir)
        assert r.exit_code == 1 and name in r.output, r.output
        assert sorted(p.name for p in tmp_path.iterdir() if p.name != name and p.suffix == ".csv"
                      and p.name not in ("empty.csv", "latin.csv", "nocol.csv")) == []
        assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    # and an existing output is left as it was
    out.write_text("keep me", encoding="utf-8")
    r = _geocode(tmp_path / "empty.csv", out, small_gazetteer_dir, "--overwrite")
    assert r.exit_code == 1 and out.read_text(encoding="utf-8") == "keep me"
