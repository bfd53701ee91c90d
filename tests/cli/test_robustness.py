"""Every command on hostile or careless input: it succeeds, or it exits non-zero with one
``Error:`` line that names the file and the problem. Never a traceback.

Inputs: a missing path, a folder, an empty file, binary junk, latin-1 and UTF-16 text, a
1 MB line; outputs into a folder that cannot be created or written; a data folder that cannot
be created or written.

Read-only folders: root ignores file permissions, so "read-only" is provoked two ways.
In-process (always): a path whose parent is a regular file (``afile/sub``), which fails with
the same OSError family at the same call sites. Real read-only (one test): as root, the
folder is bind-mounted read-only in a private mount namespace (``unshare -m``; nothing is
left mounted), giving a genuine EROFS; as a normal user, ``chmod 555`` gives EACCES. Where
neither is possible the test is skipped with the reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mapper.cli import cli

REPO = Path(__file__).resolve().parents[2]

HEADER = "place,actor,status,time,claimant,source,quote\n"
ROW = "Qala-e-Naw,Taliban,captured,2021-07-07,Reporter,Example Wire,\"{quote}\"\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Hostile input files by kind, plus ``afile``: a regular file used as a folder."""
    d = tmp_path_factory.mktemp("hostile")
    (d / "folder").mkdir()
    (d / "folder" / "inside.csv").write_text(HEADER, encoding="utf-8")
    (d / "empty.csv").write_bytes(b"")
    (d / "junk.bin").write_bytes(bytes(range(256)) * 8 + b"\x00\xff\xfe" * 300)
    (d / "latin1.csv").write_bytes((HEADER + ROW.format(quote="caf\xe9 r\xe9sistance")).encode("latin-1"))
    (d / "utf16.csv").write_bytes((HEADER + ROW.format(quote="fighting reported")).encode("utf-16"))
    (d / "bigline.csv").write_text(HEADER + ROW.format(quote="x" * 1_000_000), encoding="utf-8")
    (d / "afile").write_text("not a folder", encoding="utf-8")
    return {
        "missing": d / "does-not-exist.csv",
        "folder": d / "folder",
        "empty": d / "empty.csv",
        "junk": d / "junk.bin",
        "latin1": d / "latin1.csv",
        "utf16": d / "utf16.csv",
        "1MB-line": d / "bigline.csv",
        "afile": d / "afile",
    }


def _commands(p, out: Path, data: Path, writable_data: Path) -> dict:
    """Each command reading ``p`` (its main input), writing under ``out``."""
    p = str(p)
    return {
        "resolve": ["resolve", "--file", p, "--data-dir", str(data)],
        "geocode": ["geocode", p, "--place-column", "place", "-o", str(out / "g.csv"), "--data-dir", str(data)],
        "map": ["map", p, "-o", str(out / "m.html"), "--data-dir", str(data)],
        "describe": ["describe", p, "--data-dir", str(data)],
        "geoparse": ["geoparse", p, "--data-dir", str(data)],
        "extract": ["extract", p, "--published", "2021-07-07", "--no-gazetteer", "-o", str(out / "e.csv")],
        "eval": ["eval", "geoparse", p, "--data-dir", str(data)],
        "static": ["static", p, "-o", str(out / "s.png"), "--data-dir", str(data)],
        "embed": ["embed", p],
        "open": ["open", p],
        "serve": ["serve", p, "--port", "0"],
        "gazetteer add aliases": ["gazetteer", "add", "aliases", p, "--data-dir", str(writable_data)],
        "gazetteer add boundaries": ["gazetteer", "add", "boundaries", p, "--level", "2", "--country", "AF",
                                     "--data-dir", str(writable_data)],
        "gazetteer add geonames": ["gazetteer", "add", "geonames", p, "--data-dir", str(writable_data)],
    }


COMMAND_NAMES = list(_commands("x", Path("o"), Path("d"), Path("w")))
INPUT_KINDS = ["missing", "folder", "empty", "junk", "latin1", "utf16", "1MB-line"]


@pytest.fixture
def no_side_effects(monkeypatch):
    """`open` must not start a browser and `serve` must not block: both are replaced by stand-ins.

    The csv module's field size limit is process-wide and some modules raise it when imported;
    it is reset to Python's default so that each command meets a 1 MB cell as a fresh process does.
    """
    import csv
    import webbrowser

    saved = csv.field_size_limit(131072)
    try:
        yield from _no_side_effects(monkeypatch, webbrowser)
    finally:
        csv.field_size_limit(saved)


def _no_side_effects(monkeypatch, webbrowser):

    from mapper.cli.serve import MapServer

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda uri, *a, **k: opened.append(uri) or True)

    def stop_at_once(self, *a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(MapServer, "serve_forever", stop_at_once)
    yield opened


def check_clean(result, *names):
    """Success, or exit != 0 with exactly one ``Error:`` line naming one of ``names``; no traceback."""
    out = result.output  # click 8.2+: stdout and stderr interleaved
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{out[-2000:]}"
    )
    assert "Traceback" not in out, out[-2000:]
    if result.exit_code != 0:
        lines = out.splitlines()
        errors = [line for line in lines if line.startswith("Error")]
        assert len(errors) <= 1, out[-2000:]
        naming = [line for line in lines if any(str(n) in line for n in names)]
        assert naming, f"no line names {names}: {out[-1000:]}"
        assert all(len(line) < 600 for line in naming + errors), naming
    return out


#: Known failures in files this test does not own, each with where the fix belongs (strict: when one
#: is fixed, the xfail turns into a failure and must be removed here).
KNOWN: dict = {}


def _cases():
    for command in COMMAND_NAMES:
        for kind in INPUT_KINDS:
            reason = KNOWN.get((command, kind))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(command, kind, marks=marks, id=f"{command}-{kind}")


@pytest.mark.parametrize(("command", "kind"), list(_cases()))
def test_every_command_on_hostile_input(command, kind, hostile, small_gazetteer_dir, gz_dir, tmp_path,
                                        no_side_effects):
    path = hostile[kind]
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    args = _commands(path, out_dir, small_gazetteer_dir, gz_dir)[command]
    result = CliRunner().invoke(cli, args)
    check_clean(result, path, path.name)
    if result.exit_code != 0:  # a refused input leaves no output behind
        assert not any(out_dir.iterdir()), sorted(p.name for p in out_dir.iterdir())


# Commands that write a file, with the output under a regular file (the folder cannot be made).
def _writers(claims: Path, blocked: Path, existing_map: Path, article: Path) -> dict:
    return {
        "map -o": ["map", str(claims), "-o", str(blocked / "m.html")],
        "map --export-counts": ["map", str(claims), "-o", str(existing_map), "--overwrite",
                                "--export-counts", str(blocked / "counts.csv")],
        "static -o": ["static", str(claims), "-o", str(blocked / "s.png")],
        "geocode -o": ["geocode", str(claims), "--place-column", "place", "-o", str(blocked / "g.csv")],
        "extract -o": ["extract", str(article), "--published", "2021-07-07", "--no-gazetteer",
                       "-o", str(blocked / "e.csv")],
    }


WRITER_NAMES = list(_writers(Path("c"), Path("b"), Path("m"), Path("a")))


@pytest.fixture
def claims_csv(tmp_path):
    p = tmp_path / "claims.csv"
    p.write_text(HEADER + ROW.format(quote="the town was taken"), encoding="utf-8")
    return p


@pytest.mark.parametrize("command", WRITER_NAMES)
def test_an_output_folder_that_cannot_be_made(command, hostile, claims_csv, small_gazetteer_dir, tmp_path,
                                               monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_DATA_DIR", str(small_gazetteer_dir))
    blocked = hostile["afile"] / "sub"
    article = tmp_path / "a.txt"
    article.write_text("Fighters took the town of Qala-e-Naw on Wednesday, officials said.", encoding="utf-8")
    args = _writers(claims_csv, blocked, tmp_path / "m.html", article)[command]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0
    check_clean(result, hostile["afile"], blocked)


def _data_commands(data: Path, claims: Path, aliases: Path) -> dict:
    d = str(data)
    return {
        "resolve": ["resolve", "Kabul", "--data-dir", d],
        "gazetteer build": ["gazetteer", "build", "--countries", "TJ", "--data-dir", d],
        "gazetteer info": ["gazetteer", "info", "--data-dir", d],
        "gazetteer add aliases": ["gazetteer", "add", "aliases", str(aliases), "--data-dir", d],
        "gazetteer remove": ["gazetteer", "remove", "aliases:aliases", "--data-dir", d],
        "map": ["map", str(claims), "-o", str(claims.parent / "m.html"), "--data-dir", d],
        "describe": ["describe", str(claims), "--data-dir", d],
        "geoparse": ["geoparse", str(claims), "--data-dir", d],
        "geocode": ["geocode", str(claims), "--place-column", "place", "-o", "-", "--data-dir", d],
        "static": ["static", str(claims), "-o", str(claims.parent / "s.png"), "--data-dir", d],
    }


DATA_COMMAND_NAMES = list(_data_commands(Path("d"), Path("c"), Path("a")))


@pytest.mark.parametrize("command", DATA_COMMAND_NAMES)
def test_a_data_folder_that_cannot_be_made(command, hostile, claims_csv, tmp_path):
    data = hostile["afile"] / "data"
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("name,lat,lon\nNew Camp,34.9,63.1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, _data_commands(data, claims_csv, aliases)[command])
    assert result.exit_code != 0
    out = check_clean(result, data, hostile["afile"])
    assert "gazetteer index" in out or "not a folder" in out


# --------------------------------------------------------------------------- genuinely read-only
_READ_ONLY_SCRIPT = r"""
import json, sys
from click.testing import CliRunner
from mapper.cli import cli
cases = json.loads(sys.argv[1])
results = {}
for name, args in cases.items():
    r = CliRunner().invoke(cli, args)
    results[name] = {"code": r.exit_code, "output": r.output,
                     "exception": None if r.exception is None or isinstance(r.exception, SystemExit)
                     else f"{type(r.exception).__name__}: {r.exception}"}
print(json.dumps(results))
"""


def _run_read_only(folders, cases):
    """Run the CLI cases with ``folders`` read-only for real; returns {case: result} or skips."""
    payload = json.dumps(cases)
    script = [sys.executable, "-c", _READ_ONLY_SCRIPT, payload]
    if os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("running as root (file permissions are ignored) and `unshare` is not available")
        mounts = " && ".join(f"mount --bind -o ro '{f}' '{f}'" for f in folders)
        probe = subprocess.run(["unshare", "-m", "sh", "-c", f"{mounts} && true"], capture_output=True)
        if probe.returncode != 0:
            pytest.skip(f"running as root and a read-only bind mount is not allowed here: {probe.stderr[-200:]!r}")
        cmd = ["unshare", "-m", "sh", "-c", f'{mounts} && exec "$@"', "sh", *script]
    else:
        for f in folders:
            for p in [f, *f.rglob("*")]:
                p.chmod(0o555 if p.is_dir() else 0o444)
        cmd = script
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(REPO), timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_genuinely_read_only_data_and_output_folders(small_gazetteer_dir, claims_csv, tmp_path):
    from gazetteer.resolver import INDEX_FILENAME

    with_index = tmp_path / "ro-index"
    with_index.mkdir()
    shutil.copy(small_gazetteer_dir / INDEX_FILENAME, with_index / INDEX_FILENAME)
    empty_data = tmp_path / "ro-empty"
    empty_data.mkdir()
    out = tmp_path / "ro-out"
    out.mkdir()
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("name,lat,lon\nNew Camp,34.9,63.1\n", encoding="utf-8")
    before = _digest(with_index)
    d, e = str(with_index), str(empty_data)
    cases = {
        "resolve, no index yet": ["resolve", "Kabul", "--data-dir", e],
        "gazetteer build, no index yet": ["gazetteer", "build", "--countries", "TJ", "--data-dir", e],
        "gazetteer build --force": ["gazetteer", "build", "--countries", "TJ", "--force", "--data-dir", d],
        "gazetteer add aliases": ["gazetteer", "add", "aliases", str(aliases), "--data-dir", d],
        "gazetteer remove": ["gazetteer", "remove", "aliases:aliases", "--data-dir", d],
        "resolve, index present": ["resolve", "Qala-e-Naw", "--data-dir", d],
        "map -o read-only folder": ["map", str(claims_csv), "-o", str(out / "m.html"), "--data-dir", d],
        "static -o read-only folder": ["static", str(claims_csv), "-o", str(out / "s.png"), "--data-dir", d],
        "geocode -o read-only folder": ["geocode", str(claims_csv), "--place-column", "place",
                                        "-o", str(out / "g.csv"), "--data-dir", d],
        "extract -o read-only folder": ["extract", str(claims_csv), "--published", "2021-07-07",
                                        "--no-gazetteer", "-o", str(out / "e.csv")],
    }
    results = _run_read_only([with_index, empty_data, out], cases)
    for name, r in results.items():
        assert r["exception"] is None, (name, r)
        assert "Traceback" not in r["output"], (name, r["output"][-2000:])
        if name == "resolve, index present":  # reading a read-only index works
            assert r["code"] == 0 and "Qala" in r["output"], (name, r["output"][-1000:])
            continue
        assert r["code"] != 0, (name, r["output"][-1000:])
        errors = [line for line in r["output"].splitlines() if line.startswith("Error")]
        assert len(errors) == 1, (name, r["output"][-2000:])
        folder = {"gazetteer add aliases": d, "gazetteer remove": d, "gazetteer build --force": d}.get(
            name, e if "no index" in name else str(out))
        assert folder in errors[0], (name, errors[0])
    assert _digest(with_index) == before  # nothing changed in the read-only index folder
    assert not any(out.iterdir()) and not any(empty_data.iterdir())


def test_piping_into_a_closed_reader_is_quiet(small_gazetteer_dir):
    """`conflictmap resolve ... | head -1`: the reader goes away; no BrokenPipe traceback."""
    names = "\n".join(["Kabul", "Herat", "Qala-e-Naw"] * 3000)
    proc = subprocess.run(
        f"{sys.executable} -m mapper resolve --file - --format geojson --data-dir '{small_gazetteer_dir}' | head -1",
        shell=True, input=names, capture_output=True, text=True, cwd=str(REPO), timeout=300,
    )
    assert proc.stdout.count("\n") == 1
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr[-2000:]


@pytest.mark.skipif(sys.platform == "win32", reason="file locks (flock) mark a running build on POSIX")
def test_a_killed_build_leaves_no_temporary_files_after_the_next_build(tmp_path):
    """Each killed `gazetteer build` left one .index-*.tmp; the next build removes those no running build holds."""
    import fcntl

    from gazetteer import IndexBuildError
    from gazetteer.build import build_index, remove_stale_temp_files

    stale = [tmp_path / ".index-killed1.tmp", tmp_path / ".index-killed2.tmp"]
    for p in stale:
        p.write_bytes(b"SQLite format 3\x00 half written")
    running = tmp_path / ".index-running.tmp"
    running.write_bytes(b"being written")
    other = tmp_path / "notes.tmp"
    other.write_text("not ours", encoding="utf-8")
    with open(running, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as a build in another process holds its file
        # a build that fails early (missing boundary file) still cleans up first, and removes its own file
        with pytest.raises(IndexBuildError):
            build_index(tmp_path / "gazetteer.sqlite", natural_earth=tmp_path / "missing.geojson.gz")
        assert sorted(p.name for p in tmp_path.iterdir()) == [".index-running.tmp", "notes.tmp"]
    assert remove_stale_temp_files(tmp_path) == [running]  # released: stale now
    assert [p.name for p in tmp_path.iterdir()] == ["notes.tmp"]
