"""The README's shell examples run as written and print what the README shows.

Every fenced ``sh`` block of README.md is split into commands (``$ `` prompts, ``\\`` continuations);
in a block with prompts, the lines after a command are its sample output and must appear in what it
prints (stdout + stderr, whitespace runs collapsed, a trailing ``# comment`` dropped). Commands run in
order in one scratch folder holding a link to ``examples/`` (outputs land in its ``outputs/``), with
``conflictmap`` / ``.venv/bin/conflictmap`` being this checkout's ``python -m mapper`` and the small
test gazetteer as the data dir. Only the commands in :data:`SKIPPED` are not run, each with its reason.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"

#: Command prefixes that are not run here, and why.
SKIPPED = {
    "make ": "sets up .venv with pip (network) and runs this suite itself",
    "conflictmap gazetteer fetch": "downloads from GeoNames / geoBoundaries (network)",
    "conflictmap gazetteer add": "reads source files the user downloads (GeoNames dumps, geoBoundaries files)",
    "conflictmap gazetteer remove": "removes a source added by the skipped `gazetteer add` commands",
    "--online": "sends names to an online geocoder (network)",
}


def _skip_reason(cmd: str) -> str | None:
    for key, reason in SKIPPED.items():
        if cmd.startswith(key) or (key.startswith("--") and key in cmd.split()):
            return reason
    return None


def readme_examples(text: str):
    """``(line, command, expected_output_lines)`` for every command of every ``sh`` block."""
    out = []
    for m in re.finditer(r"^```sh\n(.*?)^```", text, re.S | re.M):
        first = text[: m.start()].count("\n") + 2
        lines = m.group(1).splitlines()
        prompted = any(ln.startswith("$ ") for ln in lines)
        i = 0
        while i < len(lines):
            ln = lines[i]
            if not ln.strip() or (prompted and not ln.startswith("$ ")):
                i += 1
                continue
            start = i
            cmd = ln[2:] if prompted else ln
            while cmd.rstrip().endswith("\\"):
                i += 1
                cmd = cmd.rstrip()[:-1] + " " + lines[i].strip()
            i += 1
            expected = []
            if prompted:
                while i < len(lines) and not lines[i].startswith("$ "):
                    if lines[i].strip():
                        expected.append(re.sub(r"\s{2,}#.*$", "", lines[i]))
                    i += 1
            cmd = re.sub(r"^\.venv/bin/conflictmap\b", "conflictmap", cmd.strip())
            out.append((first + start, cmd, expected))
    return out


def _norm(s: str) -> str:
    return " ".join(s.split())


def test_readme_has_examples():
    examples = readme_examples(README.read_text(encoding="utf-8"))
    assert len(examples) >= 15
    assert all(cmd.startswith(("conflictmap ", "make ")) for _, cmd, _ in examples), examples


def test_readme_commands_run(gz_dir, tmp_path):
    examples = readme_examples(README.read_text(encoding="utf-8"))
    work = tmp_path / "clone"
    work.mkdir()
    (work / "examples").symlink_to(REPO / "examples")
    (work / "outputs").mkdir()  # in the clone (outputs/.gitkeep)
    env = dict(os.environ, CONFLICTMAP_DATA_DIR=str(gz_dir), PYTHONPATH=str(REPO), PY=sys.executable)
    prelude = 'conflictmap() { "$PY" -m mapper "$@"; }\n'
    ran, skipped, failures = 0, [], []
    for line, cmd, expected in examples:
        reason = _skip_reason(cmd)
        if reason:
            skipped.append((line, cmd, reason))
            continue
        proc = subprocess.run(
            ["bash", "-c", prelude + cmd], cwd=work, env=env, capture_output=True, text=True, timeout=120
        )
        ran += 1
        printed = {_norm(s) for s in (proc.stdout + "\n" + proc.stderr).splitlines()}
        missing = [e for e in expected if _norm(e) not in printed]
        if proc.returncode != 0 or missing:
            failures.append(
                f"README line {line}: {cmd}\n  exit {proc.returncode}; shown but not printed: {missing}\n"
                f"  stderr: {proc.stderr[-800:]}"
            )
    print(f"{ran} README commands run; skipped: " + "; ".join(f"line {ln} ({r})" for ln, _, r in skipped))
    assert not failures, "\n".join(failures)
    assert ran >= 12


def test_readme_python_blocks_run(gz_dir, tmp_path):
    """Every fenced ``python`` block runs as a script (in a clone-like folder, small test index)."""
    blocks = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)
    assert len(blocks) >= 2
    work = tmp_path / "clone"
    work.mkdir()
    (work / "examples").symlink_to(REPO / "examples")
    (work / "outputs").mkdir()
    env = dict(os.environ, CONFLICTMAP_DATA_DIR=str(gz_dir), PYTHONPATH=str(REPO))
    for code in blocks:
        proc = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, f"README python block failed:\n{code}\n{proc.stderr[-1500:]}"
