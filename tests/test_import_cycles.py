"""No import cycle among the project's modules, counting imports inside functions too.

A cycle hidden by a function-level import (``mapper.pipeline`` <-> ``mapper.describe`` once) works
until someone moves an import to the top; the graph is read from the source with :mod:`ast`, so a
cycle fails here whether the import sits at module level or in a function. A package's
``__init__`` re-exporting its submodules is not an edge back from them (importing
``mapper.render.html`` runs ``mapper/render/__init__.py`` first, by Python's rules, not by ours).
A fresh interpreter then imports every module of the map path in both orders.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gazetteer", "mapper")


def _modules() -> dict:
    out = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, known: set) -> set:
    is_pkg = path.name == "__init__.py"
    base = name.split(".") if is_pkg else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:
                mod = ".".join(base[: len(base) - node.level + 1] + ([mod] if mod else []))
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names]
        for t in targets:
            # The deepest known module the import names ("from mapper import pipeline" -> mapper.pipeline).
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def _graph() -> dict:
    mods = _modules()
    known = set(mods)
    graph = {}
    for name, path in mods.items():
        edges = _imports(name, path, known)
        # A package __init__ importing its own submodules is a re-export, not a dependency of theirs.
        if path.name == "__init__.py":
            edges = {e for e in edges if not e.startswith(name + ".")}
        graph[name] = edges
    return graph


def _cycles(graph: dict) -> list:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_map_path_has_no_import_cycle():
    graph = _graph()
    assert "mapper.describe" in graph["mapper.state"], "the graph reader found the state's imports"
    map_path = {m for m in graph if m.startswith(("mapper.state", "mapper.pipeline", "mapper.describe",
                                                  "mapper.placing", "mapper.timelabels", "mapper.render",
                                                  "gazetteer.placing", "gazetteer.table"))}
    cycles = [c for c in _cycles(graph) if set(c) & map_path]
    assert not cycles, f"import cycles through the map path: {cycles}"


#: Cycles that predate this test, each owned by a part of issue 13; the list may only shrink.
KNOWN_CYCLES = {
    frozenset({"gazetteer.build", "gazetteer.resolver"}): "issue 13, part 2 (gazetteer layers)",
    frozenset({"mapper.geoparse.filter_model", "mapper.geoparse.parser"}): "geoparser filter model, not yet split",
}


def test_no_new_import_cycle_anywhere():
    cycles = {frozenset(c) for c in _cycles(_graph())}
    new = cycles - set(KNOWN_CYCLES)
    assert not new, f"new import cycles: {[sorted(c) for c in new]}"


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
