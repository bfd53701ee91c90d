"""One version string: the distribution's metadata, seen the same by both packages and the CLI."""

from __future__ import annotations

import ast
import importlib.metadata
from pathlib import Path

from click.testing import CliRunner

import gazetteer
import mapper
from mapper.cli import cli

REPO = Path(__file__).resolve().parents[1]


def test_both_packages_report_the_distribution_version():
    installed = importlib.metadata.version("conflictmap")
    assert mapper.__version__ == gazetteer.__version__ == installed


def test_the_cli_prints_it():
    out = CliRunner().invoke(cli, ["--version"])
    assert out.exit_code == 0 and mapper.__version__ in out.output


def test_no_module_hard_codes_a_version_string():
    for path in [*(REPO / "mapper").rglob("*.py"), *(REPO / "gazetteer").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # The only literal allowed: the fallback of a source tree that was never installed.
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and node.value.value != "0+unknown":
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                assert "__version__" not in names, f"{path.relative_to(REPO)} hard-codes __version__"
