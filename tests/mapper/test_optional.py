"""mapper._optional: optional dependencies fail with one clear error naming the extra that installs
them, and every optional import in the library goes through it."""

from __future__ import annotations

import ast
import configparser
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest

from mapper._optional import install_hint, require
from mapper.errors import MapperError, OptionalDependencyMissing

REPO = Path(__file__).resolve().parents[2]


def test_an_installed_module_is_returned():
    assert require("json", "parquet", purpose="x") is sys.modules["json"]


@pytest.mark.parametrize("module", ["pyarrow", "pyarrow.parquet"])
def test_a_missing_module_is_one_error_with_the_install_hint(monkeypatch, module):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if pyarrow were not installed
    monkeypatch.delitem(sys.modules, "pyarrow.parquet", raising=False)
    with pytest.raises(OptionalDependencyMissing) as info:
        require(module, "parquet", purpose="GeoParquet export")
    err = info.value
    assert isinstance(err, MapperError) and isinstance(err, ImportError)
    assert err.name == "pyarrow" and err.extra == "parquet"
    assert str(err) == ("GeoParquet export needs pyarrow, which is not installed; install it with: "
                        "pip install 'conflictmap[parquet]'")
    assert isinstance(err.__cause__, ImportError)


def test_a_package_may_raise_its_own_subclass(monkeypatch):
    class Special(OptionalDependencyMissing):
        """A package's own kind of missing dependency."""

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(Special, match=re.escape(install_hint("scale"))):
        require("pyarrow", "scale", purpose="reading Parquet corpora", error=Special)


def _extras() -> dict:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    out = {}
    for extra, value in cfg["options.extras_require"].items():
        out[extra] = {re.split(r"[\s<>=!~;\[]", s.strip(), maxsplit=1)[0].lower().replace("_", "-")
                      for s in value.splitlines() if s.strip() and not s.strip().startswith(("#", "%("))}
    return out


def _require_calls(tree) -> list:
    """(module, extra) of every ``require("module", "extra", ...)`` call with literal arguments."""
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "require"
                and len(node.args) >= 2 and all(isinstance(a, ast.Constant) for a in node.args[:2])):
            out.append((node.args[0].value, node.args[1].value))
    return out


def _imports(tree) -> set:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


LIBRARY = sorted((REPO / "mapper").rglob("*.py"))
#: Modules (paths relative to the repository) that import an optional dependency at module level
#: but are themselves imported only after a require() elsewhere, each with the module that asks.
IMPORTED_AFTER_REQUIRE: dict = {
    # imported by corpus.py only on a worker or after _require_distributed() asked for distributed
    "mapper/scale/_plugin.py": "mapper/scale/corpus.py",
}


def test_every_require_names_an_extra_that_installs_the_module():
    extras, dists = _extras(), importlib.metadata.packages_distributions()
    calls = [(path, call) for path in LIBRARY for call in _require_calls(ast.parse(path.read_text("utf-8")))]
    assert any(module == "pyarrow" for _p, (module, _e) in calls), "the GeoParquet export asks require()"
    for path, (module, extra) in calls:
        if path.name == "_optional.py":
            continue  # the docstring's examples
        where = path.relative_to(REPO)
        assert extra in extras, f"{where}: require({module!r}, {extra!r}): no such extra in setup.cfg"
        provided = {d.lower().replace("_", "-") for d in dists.get(module.split(".")[0], ())}
        assert provided & extras[extra], f"{where}: the {extra} extra does not install {module}"


def test_modules_that_import_an_optional_dependency_ask_require_first():
    extras, dists = _extras(), importlib.metadata.packages_distributions()
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    core = {re.split(r"[\s<>=!~;\[]", s.strip(), maxsplit=1)[0].lower()
            for s in cfg["options"]["install_requires"].splitlines() if s.strip() and not s.strip().startswith("#")}
    optional = set().union(*(v for k, v in extras.items() if k not in ("test", "dev"))) - core
    for path in LIBRARY:
        if path.relative_to(REPO).as_posix() in IMPORTED_AFTER_REQUIRE:
            continue
        tree = ast.parse(path.read_text("utf-8"))
        asked = {m.split(".")[0] for m, _e in _require_calls(tree)}
        for mod in _imports(tree):
            if {d.lower().replace("_", "-") for d in dists.get(mod, ())} & optional:
                assert mod in asked, (f"{path.relative_to(REPO)} imports the optional {mod} without "
                                      "mapper._optional.require (no install hint when it is missing)")
