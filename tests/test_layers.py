"""Data flows one way (load -> build -> read -> rules -> report, the run layer on top): a lower layer
never imports a higher one, also not lazily inside a function. Read from the source (every import
statement), so a new module is checked the day it is added."""

from __future__ import annotations

import ast
import os

import pytest

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "graphlint")
DOORS = ("graphlint.cli", "graphlint.commands", "graphlint.api", "graphlint.pytest_plugin", "graphlint.__main__")
# what each lower layer may not import: everything above it
_LINT = ("graphlint.run", "graphlint.migrate", *DOORS)  # the two tops: the lint run layer and migrate
ABOVE = {
    "graphlint.model": ("graphlint.analysis", "graphlint.rules", "graphlint.report", "graphlint.explain", *_LINT),
    "graphlint.program": ("graphlint.analysis", "graphlint.rules", "graphlint.report", *_LINT),
    "graphlint.tf1": ("graphlint.analysis", "graphlint.rules", "graphlint.report", *_LINT),
    "graphlint.checkpoint": ("graphlint.rules", "graphlint.report", *_LINT),
    "graphlint.analysis": ("graphlint.rules", "graphlint.report", *_LINT),
    "graphlint.serving": ("graphlint.report", *_LINT),
    "graphlint.rules": ("graphlint.report", *_LINT),
    "graphlint.report": _LINT,
    "graphlint.explain": _LINT,
    "graphlint.run": ("graphlint.migrate", *DOORS),
    "graphlint.migrate": ("graphlint.run", *DOORS),
}


def _modules():
    for folder, _, files in os.walk(ROOT):
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, os.path.dirname(ROOT))[:-3].replace(os.sep, ".")
                yield rel.removesuffix(".__init__"), path


def _imports(path: str, module: str) -> set:
    found = set()
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            found.update(f"{base}.{a.name}" for a in node.names)
            found.add(base)
    return found


def _layer(module: str):
    return next((layer for layer in sorted(ABOVE, key=len, reverse=True)
                 if module == layer or module.startswith(layer + ".")), None)


MODULES = [(m, p) for m, p in _modules() if _layer(m)]


def _inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize("module,path", MODULES, ids=[m for m, _ in MODULES])
def test_a_layer_imports_nothing_above_it(module, path):
    banned = ABOVE[_layer(module)]
    upward = sorted(name for name in _imports(path, module) if any(_inside(name, b) for b in banned))
    assert not upward, f"{module} imports {upward}, above its layer ({_layer(module)})"


def test_the_check_reads_lazy_imports_too():
    """A function-level import is an import: the check sees it (engine's serving step is one)."""
    path = os.path.join(ROOT, "run", "engine.py")
    assert "graphlint.serving.check" in _imports(path, "graphlint.run.engine")
