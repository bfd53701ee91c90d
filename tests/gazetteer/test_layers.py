"""Import layers, read from the source (no module is imported).

``gazetteer`` <- ``mapper`` <- ``mapper.cli``: the gazetteer never imports the mapper, library
code never imports click (only ``mapper/cli/`` does), and the gazetteer's modules do not import
each other in a cycle at module level. Every import statement counts, including the ones inside
functions, except for the cycle check, which is about import time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from import_graph import ROOT, cycles, deepest_known, modules, read_imports


def _imports(module: str, path: Path, *, module_level_only: bool = False) -> list:
    """(line, imported module) of every import in the file; ``from a import b`` gives ``a.b`` too
    (``b`` may be a submodule)."""
    found = []
    for imp in read_imports(module, path):
        if module_level_only and not imp.module_level:
            continue
        if not imp.names:  # import a.b
            found.append((imp.line, imp.target))
            continue
        names = [f"{imp.target}.{n}" for n in imp.names]
        submodules = [n for n in names if n in GAZETTEER]
        if len(submodules) < len(names):  # names defined in ``target`` itself
            found.append((imp.line, imp.target))
        found.extend((imp.line, n) for n in (names if not module_level_only else submodules))
    return found


def _is_in(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


GAZETTEER = modules("gazetteer")
MAPPER = modules("mapper")

#: Upward imports that are known and scheduled to go (module -> imported module: why).
#: The test fails both on a new one and on one of these that has gone, so the list stays true.
KNOWN_UPWARD = {
    ("gazetteer.build", "mapper"): "the demonym table stored in the index comes from mapper.countries",
    ("gazetteer.build", "mapper.countries"): "the demonym table stored in the index comes from mapper.countries",
}


def test_every_package_module_is_found():
    assert {"gazetteer", "gazetteer.build", "gazetteer.sources.fetch", "gazetteer.importance"} <= set(GAZETTEER)
    assert {"mapper", "mapper.cli", "mapper.geoparse.index"} <= set(MAPPER)


def test_gazetteer_never_imports_mapper():
    upward = {}
    for module, path in GAZETTEER.items():
        for line, name in _imports(module, path):
            if _is_in(name, "mapper"):
                upward.setdefault((module, name), []).append(f"{path.relative_to(ROOT)}:{line}")
    unexpected = {k: v for k, v in upward.items() if k not in KNOWN_UPWARD}
    assert not unexpected, f"the gazetteer must not import the mapper: {unexpected}"
    gone = set(KNOWN_UPWARD) - set(upward)
    assert not gone, f"remove these from KNOWN_UPWARD, they no longer happen: {sorted(gone)}"


@pytest.mark.parametrize("package", ["gazetteer", "mapper"])
def test_library_code_never_imports_click(package):
    modules = GAZETTEER if package == "gazetteer" else MAPPER
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for module, path in modules.items() if not _is_in(module, "mapper.cli")
        for line, name in _imports(module, path) if _is_in(name, "click")
    ]
    assert not bad, "only mapper/cli/ may import click:\n" + "\n".join(bad)


def _module_level_graph() -> dict:
    graph = {}
    for module, path in GAZETTEER.items():
        targets = set()
        for _line, name in _imports(module, path, module_level_only=True):
            # "from gazetteer import store" imports gazetteer.store; "from gazetteer.x import f" gazetteer.x.
            name = deepest_known(name, GAZETTEER)
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_level_import_cycle_in_the_gazetteer():
    assert not cycles(_module_level_graph())


def test_the_leaves_import_nothing_of_the_gazetteer():
    graph = _module_level_graph()
    assert graph["gazetteer._geo"] == set()
    assert graph["gazetteer._version"] == set()
    assert graph["gazetteer.importance"] == set()
    assert "gazetteer.resolver" not in graph["gazetteer.build"]
