"""TensorFlow's private API is named only in graphlint/tfpatch/: no other module imports
TensorFlow's internal packages or reads a private attribute that graphlint does not define itself,
so `grep` finds every private name in one package and tests/test_tf_private_api.py covers them.

graphlint/tf1/contrib/ and graphlint/migrate/ are outside this check for now (their private reads
are listed in EXCEPTED_READS below, so a new one fails here too). Cheap: it parses the source, no
TensorFlow is imported.
"""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "graphlint"
ROOM = ("tfpatch/",)
EXCEPTED = ("tf1/contrib/", "migrate/")
# Modules that mirror Estimator's private attributes on graphlint's stand-ins: a name they define
# is still TensorFlow's when read off an Estimator, so it does not count as graphlint's own.
STANDINS = ("model/estimator_standin.py", "program/standin.py")
INTERNAL_PACKAGES = ("tensorflow.python", "tensorflow.core", "tensorflow_estimator.python", "keras.src",
                     "tf_keras.src")
PYTHON_PRIVATE = {"_exit", "_getframe", "_replace", "_fields", "_asdict", "_make"}  # os, sys, namedtuple
EXCEPTED_READS = {
    "migrate/new.py": {"_flatten_layers", "_trainable_variables", "_non_trainable_variables"},
    "migrate/old.py": {"tensorflow.core.framework", "tensorflow.core.protobuf"},
    "migrate/probes.py": {"_control_flow_context", "_flatten_layers"},
    "tf1/contrib/distribute.py": {"tensorflow.python.distribute"},
    "tf1/contrib/summary.py": {"tensorflow.python.ops"},
}


def _modules():
    return {p.relative_to(ROOT).as_posix(): ast.parse(p.read_text(encoding="utf-8"))
            for p in sorted(ROOT.rglob("*.py"))}


def _own_names(modules) -> set:
    """Every name graphlint binds outside the room and the stand-ins: defs, classes, assignments,
    attributes it sets, imports."""
    own = set(PYTHON_PRIVATE)
    for rel, tree in modules.items():
        if rel.startswith(ROOM) or rel in STANDINS:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                own.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                own.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                own.add(node.id)
            elif isinstance(node, ast.alias):
                own.add((node.asname or node.name).split(".")[0])
    return own


def _private(name) -> bool:
    return isinstance(name, str) and name.startswith("_") and not name.startswith("__")


def private_reads(tree, own) -> set:
    """The internal packages `tree` imports and the private attributes it reads that graphlint does
    not define (x._name, or getattr/hasattr/setattr(x, "_name"), x not self or cls)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            names = []
        found |= {".".join(n.split(".")[:3]) for n in names if n.startswith(INTERNAL_PACKAGES)}
        if isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in own and \
                not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            found.add(node.attr)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("getattr", "hasattr", "setattr") and len(node.args) > 1 and \
                isinstance(node.args[1], ast.Constant) and _private(node.args[1].value) and \
                node.args[1].value not in own:
            found.add(node.args[1].value)
    return found


def test_only_the_room_names_tensorflow_private_api():
    modules = _modules()
    own = _own_names(modules)
    outside = {rel: reads for rel, tree in modules.items() if not rel.startswith(ROOM + EXCEPTED)
               if (reads := private_reads(tree, own))}
    assert outside == {}, ("TensorFlow's private API outside graphlint/tfpatch/: move each read behind an "
                           f"accessor there and test it in tests/test_tf_private_api.py: {outside}")


def test_the_check_sees_a_private_read():
    own = _own_names(_modules())
    tree = ast.parse("from tensorflow.python.ops import variables\n"
                     "import tensorflow_estimator.python.estimator.estimator as e\n"
                     "x = variables._all_saveable_objects()\ny = getattr(op, '_control_outputs')\n"
                     "z = est._call_input_fn\nself._mine = 1\n")
    assert private_reads(tree, own) == {"tensorflow.python.ops", "tensorflow_estimator.python.estimator",
                                        "_all_saveable_objects", "_control_outputs", "_call_input_fn"}


def test_the_excepted_packages_read_no_more_than_listed():
    modules = _modules()
    own = _own_names(modules)
    for rel, tree in modules.items():
        if rel.startswith(EXCEPTED):
            extra = private_reads(tree, own) - EXCEPTED_READS.get(rel, set())
            assert not extra, f"graphlint/{rel} reads TensorFlow's private {sorted(extra)}: list it or move it"
