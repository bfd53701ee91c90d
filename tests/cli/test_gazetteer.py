import json

from click.testing import CliRunner

from mapper.cli import cli


def test_build_then_info(tmp_path):
    runner = CliRunner()
    r = runner.invoke(cli, ["gazetteer", "build", "--countries", "TJ", "--data-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "gazetteer.sqlite").exists()
    assert "places" in r.stderr
    r = runner.invoke(cli, ["gazetteer", "build", "--data-dir", str(tmp_path)])
    assert r.exit_code == 0 and "--force" in r.stderr  # an existing index is not rebuilt silently
    r = runner.invoke(cli, ["gazetteer", "info", "--format", "json", "--data-dir", str(tmp_path)])
    info = json.loads(r.stdout)
    assert info["meta"]["countries_filter"] == "TJ"
    assert info["stats"]["by_kind"]["country"] > 200
    assert any("GeoNames" in a for a in info["attribution"])


def test_data_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_DATA_DIR", str(tmp_path))
    r = CliRunner().invoke(cli, ["gazetteer", "build", "--countries", "TJ"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "gazetteer.sqlite").exists()
