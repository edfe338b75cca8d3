"""Is this TF1 code? A static look at the source (nothing of the user's is imported): it imports
tensorflow.contrib, or it binds the plain `tensorflow` module to a name and uses through it a name
only the 1.x API has (`tf.flags`, `tf.variable_scope`, `tf.train.AdamOptimizer`, ...). Which
names those are is TensorFlow's own fact: in tf.compat.v1 and not in TensorFlow 2's tf.

The file and the modules it imports from its own folder (the user's code) are read, each once.
Code that imports `tensorflow.compat.v1 as tf` already runs on TF 2 and is left as it is.
"""

from __future__ import annotations

import ast
import functools
import os

TF = "tensorflow"
CONTRIB = "tensorflow.contrib"


def uses_tf1(path: str, folder: str | None = None) -> bool:
    folder = os.path.abspath(folder or os.path.dirname(os.path.abspath(path)))
    seen, todo = set(), [os.path.abspath(path)]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        tree = _parse(current)
        if tree is None:
            continue
        if _tf1_in(tree):
            return True
        todo.extend(_own_imports(tree, current, folder))
    return False


def _parse(path: str):
    try:
        with open(path, "rb") as fh:
            return ast.parse(fh.read(), path)
    except (OSError, SyntaxError, ValueError):
        return None  # the loader reports a broken file; detection only reads


def _tf1_in(tree) -> bool:
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == CONTRIB or a.name.startswith(CONTRIB + "."):
                    return True
                if a.name == TF:
                    aliases.add(a.asname or TF)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            if node.module == CONTRIB or node.module.startswith(CONTRIB + "."):
                return True
            if node.module == TF and any(a.name == "contrib" or _v1_only((a.name,)) for a in node.names):
                return True
        elif isinstance(node, ast.Call) and _imports_contrib_by_name(node):
            return True
    return bool(aliases) and any(_v1_only(chain) for chain in _chains(tree, aliases))


def _imports_contrib_by_name(call) -> bool:
    """importlib.import_module("tensorflow.contrib...") (or import_module bound by name)."""
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    first = call.args[0] if call.args else None
    return (called == "import_module" and isinstance(first, ast.Constant) and isinstance(first.value, str)
            and (first.value == CONTRIB or first.value.startswith(CONTRIB + ".")))


def _chains(tree, aliases):
    """(attr,) and (attr, attr2) of every `alias.attr[.attr2]` in the tree."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            yield (node.attr,)
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
              and isinstance(node.value.value, ast.Name) and node.value.value.id in aliases):
            yield (node.value.attr, node.attr)


@functools.lru_cache(maxsize=None)
def _v1_only(chain: tuple) -> bool:
    if chain[0] == "contrib":
        return True
    from graphlint.model import tfcompat

    tf = tfcompat.tf()
    return _has(tf.compat.v1, chain) and not _has(tf, chain)


def _has(module, chain) -> bool:
    try:
        for name in chain:
            module = getattr(module, name)
    except (AttributeError, ImportError):  # TF's lazy modules raise ImportError for a missing package
        return False
    return True


def _own_imports(tree, path: str, folder: str):
    """Files of the user's code that `path` imports: absolute names from the folder (or, for the
    folder's own package, from above it), relative ones from the file's own package."""
    root = _package_root(folder)
    package = os.path.relpath(folder, root).split(os.sep)[0] if root != folder else None
    here = os.path.dirname(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names, base = [a.name for a in node.names], None
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = [f"{module}.{a.name}" if module else a.name for a in node.names] + ([module] if module else [])
            base = here if node.level else None
            for _ in range(max(node.level - 1, 0)):
                base = os.path.dirname(base)
        else:
            continue
        for name in names:
            if base is not None:
                found = _module_file(base, name)
            elif package and name.split(".")[0] == package:
                found = _module_file(root, name)
            else:
                found = _module_file(folder, name)
            if found and found.startswith((root if package else folder) + os.sep):
                yield found


def _package_root(folder: str) -> str:
    """The folder above the package that holds `folder` (bert/run_classifier.py imports `bert.modeling`):
    absolute imports of the user's own package resolve from there."""
    while os.path.isfile(os.path.join(folder, "__init__.py")) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    return folder


def _module_file(base: str, dotted: str):
    stem = os.path.join(base, *dotted.split("."))
    for candidate in (stem + ".py", os.path.join(stem, "__init__.py")):
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    return None
