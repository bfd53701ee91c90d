import json

from click.testing import CliRunner

from mapper.cli import cli


def run(args, data_dir, **kw):
    return CliRunner().invoke(cli, [*args, "--data-dir", str(data_dir)], catch_exceptions=False, **kw)


def test_json_output_shape(small_gazetteer_dir):
    r = run(["resolve", "Qala-e-Naw", "Badghis province", "Xqzzyplace", "--format", "json"], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [o["status"] for o in out] == ["resolved", "resolved", "not_found"]
    assert out[0]["best"]["id"] == "geonames:1129867"
    assert out[1]["best"]["kind"] == "admin1"
    assert out[2]["best"] is None and isinstance(out[2]["suggestions"], list)
    assert "not found" in r.stderr  # diagnostics go to stderr, data to stdout


def test_geojson_one_feature_per_line_lon_lat(small_gazetteer_dir):
    r = run(["resolve", "Herat", "Kabul", "--format", "geojson"], small_gazetteer_dir)
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 2
    f = json.loads(lines[0])
    lon, lat = f["geometry"]["coordinates"]
    assert 60 < lon < 64 and 33 < lat < 36  # Herat, GeoJSON order


def test_names_from_stdin_and_file(small_gazetteer_dir, tmp_path):
    r = run(["resolve", "--file", "-", "--format", "json"], small_gazetteer_dir, input="Kunduz\n\nGardiz\n")
    assert [o["query"] for o in json.loads(r.stdout)] == ["Kunduz", "Gardiz"]
    r = run(["resolve", "-", "--format", "json"], small_gazetteer_dir, input="Herat\n")
    assert json.loads(r.stdout)[0]["best"]["name"] in ("Herat", "Herāt")
    f = tmp_path / "names.txt"
    f.write_text("Maimana\n", encoding="utf-8")
    r = run(["resolve", "--file", str(f), "--format", "json"], small_gazetteer_dir)
    assert json.loads(r.stdout)[0]["best"]["name"] == "Maymana"


def test_strict_exit_code_and_junk(small_gazetteer_dir):
    r = run(["resolve", "Herat", "\x00\x01junk", "--strict"], small_gazetteer_dir)
    assert r.exit_code == 1
    r = run(["resolve", "x" * 1_000_000], small_gazetteer_dir)
    assert r.exit_code == 0 and "Traceback" not in r.output


def test_bad_country_is_a_usage_error(small_gazetteer_dir):
    r = run(["resolve", "Herat", "--country", "Narnia"], small_gazetteer_dir)
    assert r.exit_code == 2 and "Narnia" in r.output


def test_country_and_within_options(small_gazetteer_dir):
    r = run(["resolve", "Qal-e-Naw", "--country", "AF", "--within", "Badghis", "--format", "json"],
            small_gazetteer_dir)
    best = json.loads(r.stdout)[0]["best"]
    assert best["admin1"] == "Badghis" and "within Badghis" in best["reason"]


def test_within_rules_out_a_namesake_in_another_province(small_gazetteer_dir):
    # `resolve Muqur --country AF --within Badghis` used to return the Ghazni village as resolved.
    r = run(["resolve", "Muqur", "--country", "AF", "--within", "Badghis", "--format", "json"], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)[0]
    assert out["status"] == "not_found" and out["best"] is None
    assert "not within Badghis" in out["message"] and out["candidates"][0]["admin1"] == "Ghazni"
    assert "not within Badghis" in r.stderr  # the reason, on stderr
    r = run(["resolve", "Muqur", "--country", "AF", "--within", "Badghis", "--strict"], small_gazetteer_dir)
    assert r.exit_code == 1


def test_together_and_everyday_country_hint(small_gazetteer_dir):
    r = run(["resolve", "--together", "Herat", "Kandahar", "Afghan", "--format", "json"], small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [o["best"]["country_code"] for o in out[:2]] == ["AF", "AF"]
    assert out[2]["status"] == "not_found" and "nationality" in out[2]["message"]
    r = run(["resolve", "Herat", "--country", "UK", "--format", "json"], small_gazetteer_dir)
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["status"] == "not_found"  # UK is GB, not an unknown code
