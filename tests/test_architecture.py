"""The house rules, read from docs/ARCHITECTURE.md and checked against the code.

Every module of zoo/ sits in one layer of the architecture's table; no module imports
one of a higher layer (imports inside functions and ``zoo.X`` uses of the lazy facade
count); the imports form no cycle; no module passes 500 lines; the README links the map.
"""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "zoo"
MAP = ROOT / "docs" / "ARCHITECTURE.md"
MAX_LINES = 500


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in ZOO.rglob("*.py")}


def _layers() -> dict:
    """Module -> layer number, from the table's backticked paths (a folder covers its files)."""
    layers = {}
    for line in MAP.read_text().splitlines():
        row = re.match(r"^\|\s*(\d+)\s*\|(.*?)\|", line)
        if not row:
            continue
        for entry in re.findall(r"`(zoo/[^`]*)`", row.group(2)):
            target = ROOT / entry
            files = sorted(target.rglob("*.py")) if entry.endswith("/") else [target]
            assert files and all(f.is_file() for f in files), f"{entry} is not in zoo/"
            for f in files:
                assert _module(f) not in layers, f"{entry} is listed twice"
                layers[_module(f)] = int(row.group(1))
    return layers


def _lazy_names() -> dict:
    tree = ast.parse((ZOO / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "_LAZY" for t in node.targets):
            return {name: module for name, (module, _) in ast.literal_eval(node.value).items()}
    raise AssertionError("zoo/__init__.py has no _LAZY table")


def _owner(name: str):
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str) -> set:
    """The zoo modules ``module`` imports anywhere in its file, the lazy facade resolved."""
    lazy = _lazy_names()
    tree = ast.parse(MODULES[module].read_text())
    found, zoo_aliases = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "zoo" or alias.name.startswith("zoo."):
                    found.add(_owner(alias.name))
                    if alias.name == "zoo":
                        zoo_aliases.add(alias.asname or "zoo")
        elif isinstance(node, ast.ImportFrom) and node.module and \
                (node.module == "zoo" or node.module.startswith("zoo.")):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in MODULES:
                    found.add(full)
                elif node.module == "zoo" and alias.name in lazy:
                    found.add(lazy[alias.name])
                else:
                    found.add(_owner(node.module))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                node.value.id in zoo_aliases and node.attr in lazy:
            found.add(lazy[node.attr])
    # importing a.b.c runs the package a.b first (unless the importer is inside it)
    for target in list(found - {None}):
        parent = target.rpartition(".")[0]
        while parent and parent != "zoo":
            if not (module == parent or module.startswith(parent + ".")):
                found.add(parent)
            parent = parent.rpartition(".")[0]
    return found - {None, module}


GRAPH = {m: _imports(m) for m in MODULES}


def test_the_map_places_every_module_in_one_layer():
    layers = _layers()
    assert set(layers) == set(MODULES), (
        f"docs/ARCHITECTURE.md misses {sorted(set(MODULES) - set(layers))} "
        f"and names {sorted(set(layers) - set(MODULES))}"
    )


def test_no_module_imports_a_higher_layer():
    layers = _layers()
    wrong = [f"{a} (layer {layers[a]}) imports {b} (layer {layers[b]})"
             for a, targets in GRAPH.items() for b in targets if layers[b] > layers[a]]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle():
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert not cycles, cycles


def test_the_graph_sees_function_level_and_facade_imports():
    # the checks above mean something only if these edges are found
    assert "zoo.export" in GRAPH["zoo.base"]              # inside a method
    assert "zoo.registry" in GRAPH["zoo.forecaster"]      # zoo.build through the facade
    assert "zoo.builders" in GRAPH["zoo.forecast_graph"]  # the package runs first
    assert not {"zoo.forecaster", "zoo.classifier", "zoo.base"} & GRAPH["zoo.export"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_500_lines(module):
    n = len(MODULES[module].read_text().splitlines())
    assert n <= MAX_LINES, f"{MODULES[module].relative_to(ROOT)} has {n} lines"


def test_the_readme_links_the_map():
    assert "docs/ARCHITECTURE.md" in (ROOT / "README.md").read_text()


def test_loading_with_onnx_runtime_does_not_start_tensorflow(tmp_path):
    code = ("import sys, zoo\n"
            "p = zoo.load(sys.argv[1], backend='onnx')\n"
            "p.predict(zoo.datasets.load('airline'))\n"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n")
    pytest.importorskip("onnxruntime")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT / "saved_models" / "golden")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
