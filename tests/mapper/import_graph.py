"""Import statements read from the source with :mod:`ast` (no module is imported), for the layer,
cycle and dependency tests: one reader of import statements, one module finder, one cycle finder."""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Import:
    """One imported module: ``import target`` or ``from target import names`` (relative resolved)."""

    line: int
    target: str
    names: tuple = ()
    module_level: bool = True  # False inside a function or lambda


def modules(package: str) -> dict:
    """Dotted module name -> path, for every .py file of ``package`` (``pkg/__init__.py`` is ``pkg``)."""
    out = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def read_imports(module: str, path: Path) -> list:
    """Every import statement of ``module`` (at ``path``), as :class:`Import` values in source order."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found = []

    def visit(node, top):
        for child in ast.iter_child_nodes(node):
            inside = not top or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend(Import(child.lineno, a.name, (), top) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                target = child.module or ""
                if child.level:
                    base = module.split(".")
                    base = base[: len(base) - child.level + (1 if is_package else 0)]
                    target = ".".join(base + ([child.module] if child.module else []))
                found.append(Import(child.lineno, target, tuple(a.name for a in child.names), top))
            visit(child, top and not inside)

    visit(tree, True)
    return found


def deepest_known(name: str, known) -> str:
    """The longest prefix of dotted ``name`` that is in ``known`` ("" if none)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name


def cycles(graph: dict) -> list:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def strong(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out
