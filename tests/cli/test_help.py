"""Every command has --help text with an example (sqlite-utils' test_docs idea)."""

import click
import pytest
from click.testing import CliRunner

from mapper.cli import cli


def _all_commands():
    ctx = click.Context(cli)
    out = []
    for name in cli.list_commands(ctx):
        cmd = cli.get_command(ctx, name)
        out.append(((name,), cmd))
        if isinstance(cmd, click.Group):
            sub_ctx = click.Context(cmd)
            for sub in cmd.list_commands(sub_ctx):
                out.append(((name, sub), cmd.get_command(sub_ctx, sub)))
    return out


@pytest.mark.parametrize("path, cmd", _all_commands(), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_help_has_an_example(path, cmd):
    r = CliRunner().invoke(cli, [*path, "--help"])
    assert r.exit_code == 0, r.output
    assert "Example" in r.output, f"`conflictmap {' '.join(path)} --help` shows no example"


def test_core_commands_are_registered():
    names = set(cli.list_commands(click.Context(cli)))
    assert {"resolve", "geocode", "gazetteer"} <= names


def test_python_dash_m_mapper_runs():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "mapper", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "conflictmap" in r.stdout
