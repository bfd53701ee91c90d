"""``conflictmap eval geoparse`` with given predictions."""

from __future__ import annotations

import json

from click.testing import CliRunner

from mapper.cli import cli


def _write(path, docs):
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


GOLD = [
    {"id": "a", "text": "Kabul and Herat", "toponyms": [
        {"start": 0, "end": 5, "name": "Kabul", "lat": 34.53, "lon": 69.17},
        {"start": 10, "end": 15, "name": "Herat", "lat": 34.35, "lon": 62.2}]},
    {"id": "b", "text": "Paris", "toponyms": [{"start": 0, "end": 5, "name": "Paris", "lat": 48.85, "lon": 2.35}]},
]


def test_eval_geoparse_json(tmp_path):
    gold = _write(tmp_path / "gold.jsonl", GOLD)
    pred = _write(tmp_path / "pred.jsonl", [
        {"id": "a", "toponyms": [{"start": 0, "end": 5, "name": "Kabul", "lat": 34.53, "lon": 69.17},
                                 {"start": 10, "end": 15, "name": "Herat", "lat": 48.85, "lon": 2.35}]},
    ])
    res = CliRunner().invoke(cli, ["eval", "geoparse", str(gold), "--pred", str(pred), "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert (out["file"], out["gold"], out["pred"], out["matched"]) == (str(gold), 3, 2, 2)
    assert out["precision"] == 1.0 and abs(out["recall"] - 2 / 3) < 1e-9
    assert out["acc161"] == 0.5  # Herat placed in Paris
    assert out["matched_within_161km"] == 1


def test_eval_geoparse_table_and_errors(tmp_path):
    gold = _write(tmp_path / "gold.jsonl", GOLD)
    pred = _write(tmp_path / "pred.jsonl", [{"id": "b", "toponyms": [
        {"start": 0, "end": 5, "name": "Paris", "lat": 33.66, "lon": -95.55}]}])  # Paris, Texas
    res = CliRunner().invoke(cli, ["eval", "geoparse", str(gold), "--pred", str(pred), "--errors", "1"])
    assert res.exit_code == 0, res.output
    assert "Acc@161           0.000" in res.stdout
    assert "'Paris'" in res.stderr and "km" in res.stderr


def test_eval_geoparse_bad_file_is_a_clear_error(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("not json\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["eval", "geoparse", str(gold), "--pred", str(gold)])
    assert res.exit_code == 1
    assert "line 1" in res.output and "Traceback" not in res.output


def test_eval_runs_our_geoparser(tmp_path, small_gazetteer_dir):
    text = "Taliban fighters entered Kunduz on Monday. Officials in Herat said Badghis was calm."
    gold = _write(tmp_path / "gold.jsonl", [{"id": "a", "text": text, "toponyms": [
        {"start": 25, "end": 31, "name": "Kunduz", "lat": 36.728, "lon": 68.868},
        {"start": 56, "end": 61, "name": "Herat", "lat": 34.348, "lon": 62.199},
        {"start": 67, "end": 74, "name": "Badghis", "lat": 35.0, "lon": 63.75}]}])
    runner = CliRunner()
    for extra in ([], ["--resolve-only"]):
        res = runner.invoke(cli, ["eval", "geoparse", str(gold), "--format", "json", "--data-dir",
                                  str(small_gazetteer_dir), *extra])
        assert res.exit_code == 0, res.output
        out = json.loads(res.stdout)
        assert out["matched"] == 3 and out["recall"] == 1.0
        assert out["acc161"] >= 2 / 3  # Kunduz and Herat city centres are exact; a province point may differ
