"""Guard-rails on the layout: every module imports, errors have one root per package, the shared
options index is true, and the declared dependencies are exactly the imported ones."""

from __future__ import annotations

import ast
import configparser
import importlib
import importlib.metadata
import inspect
import os
import pkgutil
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("gazetteer", "mapper")


def _modules():
    for root in PACKAGES:
        pkg = importlib.import_module(root)
        yield root
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{root}."):
            yield info.name


MODULES = sorted(_modules())


def test_every_module_imports():
    assert len(MODULES) > 40
    for name in MODULES:
        importlib.import_module(name)


@pytest.mark.parametrize("root", PACKAGES)
def test_every_error_lives_in_its_package_errors_module_under_the_root(root):
    errors = importlib.import_module(f"{root}.errors")
    base = {"gazetteer": "GazetteerError", "mapper": "MapperError"}[root]
    seen = []
    for name in MODULES:
        if not name.startswith(root + "."):
            continue
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if not issubclass(cls, BaseException) or not cls.__module__.startswith(root):
                continue
            if cls.__name__.startswith("_"):  # private control-flow signals never leave their module
                continue
            seen.append(cls)
            assert cls.__module__ == f"{root}.errors", f"{cls.__module__}.{cls.__name__} is not in {root}/errors.py"
            assert issubclass(cls, getattr(errors, base)), f"{cls.__name__} does not derive from {base}"
            assert cls.__doc__, f"{cls.__name__} has no docstring"
    assert len(set(seen)) >= 5


# -- the shared options index ---------------------------------------------------------------------

def _commands():
    """``{"resolve": click.Command, "gazetteer build": ...}`` for every command of the CLI."""
    import click

    from mapper.cli import cli

    out = {}
    ctx = click.Context(cli)

    def walk(group, prefix):
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            full = f"{prefix}{name}"
            if isinstance(cmd, click.Group):
                walk(cmd, full + " ")
            else:
                out[full] = cmd

    walk(cli, "")
    return out


def _index():
    """The options table in mapper/cli/options.py's docstring: ``{"--data-dir": {"resolve", ...}}``."""
    import mapper.cli.options as options

    rows = {}
    table = options.__doc__.split("======================  ")[2]  # between the header and closing rules
    for line in table.splitlines():
        m = re.match(r"^``([^`]+)``\s+(.+)$", line.strip())
        if m:
            users = re.sub(r"\([^)]*\)", "", m.group(2))  # "resolve (table|json)" -> "resolve"
            rows[m.group(1)] = {u.strip() for u in users.split(",") if u.strip()}
    return rows


def _shared_options():
    """``{"--data-dir": [click.Option], ...}``: what each decorator in mapper/cli/options.py adds."""
    import mapper.cli.options as options

    out = {}
    for name, deco in vars(options).items():
        if not name.endswith(("_option", "_options")) or not callable(deco):
            continue
        if name == "output_option":  # a factory: the help text is each command's own
            deco = deco()
        params = deco(lambda: None).__click_params__
        if len(params) == 1:
            key = "/".join(params[0].opts)
        else:  # a family (--online, --online-timeout, --online-url) is listed as "--online*"
            key = os.path.commonprefix([p.opts[0] for p in params]).rstrip("-") + "*"
        out[key] = params
    return out


def _same(param, ref, factory: bool) -> bool:
    return list(param.opts) == list(ref.opts) and (factory or param.help == ref.help)


def test_options_index_matches_the_decorators():
    commands = _commands()
    index = _index()
    shared = _shared_options()
    assert set(index) == set(shared), (f"options.py's index lists {sorted(index)}, "
                                       f"its decorators add {sorted(shared)}")
    for option, refs in shared.items():
        users = {name for name, cmd in commands.items()
                 if any(_same(p, r, option == "-o/--output") for p in cmd.params for r in refs)}
        listed = set()
        for entry in index[option]:
            if entry.endswith(" *"):  # "gazetteer *": every gazetteer command that takes it
                group = {n for n in users if n.startswith(entry[:-1])}
                assert group, f"{option}: the index says {entry}, but no such command takes it"
                listed |= group
            else:
                listed.add(entry)
        assert listed == users, (f"{option}: the index in mapper/cli/options.py says {sorted(listed)}, "
                                 f"the decorators are on {sorted(users)}")


# -- declared dependencies == imported ones --------------------------------------------------------

#: Declared distributions that no module imports, and why they are declared anyway.
DECLARED_NOT_IMPORTED = {
    "tzdata": "time-zone data for zoneinfo on Windows (no system zone database there)",
    "ipykernel": "the Jupyter kernel nbclient starts to run examples/notebook.ipynb",
    "ruff": "the linter (make lint), a command, not a module",
    "mypy": "the type checker (make typecheck), a command, not a module",
}


def _requirement_name(spec: str) -> str:
    return re.split(r"[\s<>=!~;\[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _declared():
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    core = {_requirement_name(s) for s in cfg["options"]["install_requires"].splitlines()
            if s.strip() and not s.strip().startswith("#")}
    extras = {}
    for extra, value in cfg["options.extras_require"].items():
        extras[extra] = {_requirement_name(s) for s in value.splitlines()
                         if s.strip() and not s.strip().startswith(("#", "%("))}
    return core, extras


def _imported(paths):
    """Top-level third-party module names imported anywhere in ``paths`` (also inside functions)."""
    names = set()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
            elif (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "importorskip"
                  and node.args and isinstance(node.args[0], ast.Constant)):
                names.add(str(node.args[0].value).split(".")[0])
            elif (isinstance(node, ast.Call)
                  and getattr(node.func, "id", getattr(node.func, "attr", "")) == "require"
                  and node.args and isinstance(node.args[0], ast.Constant)):
                # mapper._optional.require("pandas", ...) imports the module and returns it
                names.add(str(node.args[0].value).split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in (*PACKAGES, "tests", "conftest")}


def _distributions(modules):
    by_module = importlib.metadata.packages_distributions()
    out = {}
    for mod in modules:
        dists = by_module.get(mod)
        assert dists, f"{mod} is imported but no installed distribution provides it"
        out[mod] = {d.lower().replace("_", "-") for d in dists}
    return out


def test_declared_dependencies_equal_imported_ones():
    core, extras = _declared()
    optional = set().union(*(v for k, v in extras.items() if k not in ("test", "dev")))
    library = _distributions(_imported(p for root in PACKAGES for p in (REPO / root).rglob("*.py")))
    for mod, dists in library.items():
        assert dists & (core | optional), f"library code imports {mod} ({sorted(dists)}) but setup.cfg does not declare it"
    used = set().union(*library.values())
    unused = (core | optional) - used - set(DECLARED_NOT_IMPORTED)
    assert not unused, f"declared in install_requires/extras but never imported: {sorted(unused)}"
    stale = set(DECLARED_NOT_IMPORTED) & used
    assert not stale, f"DECLARED_NOT_IMPORTED lists distributions the library does import: {sorted(stale)}"


def test_test_dependencies_are_declared():
    core, extras = _declared()
    # shared test and benchmark modules (map_samples, bench_gazetteer ...) are local, not distributions
    local = {p.stem for p in (*(REPO / "tests").rglob("*.py"), *(REPO / "benchmarks").glob("*.py"))}
    imported = _imported(list((REPO / "tests").rglob("*.py")) + list((REPO / "benchmarks").glob("*.py"))) - local
    tests = _distributions(imported)
    allowed = core | set().union(*extras.values())
    for mod, dists in tests.items():
        assert dists & allowed, f"tests or benchmarks import {mod} ({sorted(dists)}) but no extra declares it"
    unused = extras.get("test", set()) - set().union(*tests.values()) - set(DECLARED_NOT_IMPORTED)
    assert not unused, f"the test extra declares what no test imports: {sorted(unused)}"
