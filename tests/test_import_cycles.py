"""No import cycle among the project's modules, counting imports inside functions too.

A cycle hidden by a function-level import (``mapper.pipeline`` <-> ``mapper.describe`` once) works
until someone moves an import to the top; the graph is read from the source with :mod:`ast`, so a
cycle fails here whether the import sits at module level or in a function. A package's
``__init__`` re-exporting its submodules is not an edge back from them (importing
``mapper.render.html`` runs ``mapper/render/__init__.py`` first, by Python's rules, not by ours).
A fresh interpreter then imports every module of the map path in both orders.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from import_graph import ROOT, deepest_known, modules, read_imports
from import_graph import cycles as find_cycles

PACKAGES = ("gazetteer", "mapper")


def _graph() -> dict:
    """Module -> the project modules it imports anywhere (``from a import b`` names ``a`` and ``a.b``)."""
    mods = {name: path for pkg in PACKAGES for name, path in modules(pkg).items()}
    graph = {}
    for name, path in mods.items():
        edges = set()
        for imp in read_imports(name, path):
            for t in (imp.target, *(f"{imp.target}.{n}" for n in imp.names)):
                t = deepest_known(t, mods)
                if t and t != name:
                    edges.add(t)
        # A package __init__ importing its own submodules is a re-export, not a dependency of theirs.
        if path.name == "__init__.py":
            edges = {e for e in edges if not e.startswith(name + ".")}
        graph[name] = edges
    return graph


def test_the_map_path_has_no_import_cycle():
    graph = _graph()
    assert "mapper.describe" in graph["mapper.state"], "the graph reader found the state's imports"
    map_path = {m for m in graph if m.startswith(("mapper.state", "mapper.pipeline", "mapper.describe",
                                                  "mapper.placing", "mapper.timelabels", "mapper.render",
                                                  "gazetteer.placing", "gazetteer.table"))}
    cycles = [c for c in find_cycles(graph) if set(c) & map_path]
    assert not cycles, f"import cycles through the map path: {cycles}"


#: Cycles that predate this test, each owned by a part of issue 13; the list may only shrink.
KNOWN_CYCLES = {
    frozenset({"mapper.geoparse.filter_model", "mapper.geoparse.parser"}): "geoparser filter model, not yet split",
}


def test_no_new_import_cycle_anywhere():
    cycles = {frozenset(c) for c in find_cycles(_graph())}
    new = cycles - set(KNOWN_CYCLES)
    assert not new, f"new import cycles: {[sorted(c) for c in new]}"
    gone = set(KNOWN_CYCLES) - cycles
    assert not gone, f"remove these from KNOWN_CYCLES, they are no longer cycles: {[sorted(c) for c in gone]}"


def test_gazetteer_never_imports_mapper_for_placing():
    graph = _graph()
    for mod in ("gazetteer.placing", "gazetteer.table"):
        assert not {m for m in graph[mod] if m.startswith("mapper")}, mod


@pytest.mark.parametrize("order", [
    ("mapper.render.embed", "mapper.describe", "mapper.pipeline", "mapper.state"),
    ("mapper.state", "mapper.pipeline", "mapper.describe", "mapper.render.embed"),
    ("mapper.describe", "mapper.render.html", "mapper.render.static", "mapper.placing", "mapper.timelabels"),
])
def test_modules_import_in_a_fresh_interpreter_in_any_order(order):
    code = "import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in order)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
