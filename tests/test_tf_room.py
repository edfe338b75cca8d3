"""The room (graphlint/tfpatch/state.py): one context per run owns every patch graphlint makes to
TensorFlow. Leaving it leaves TensorFlow as it found it (every attribute the room patched is the
very object it was, listed by the room itself); inside it, outside a build or a program,
TensorFlow behaves as TensorFlow; entries nest without patching twice; a forked worker has the
room as it was; and no module outside graphlint/tfpatch/ keeps mutable run state of its own.
"""

import ast
import os
import sys
import textwrap
import time
import types

import pytest

from graphlint.model.tfcompat import real_estimator, tf
from graphlint.tfpatch import (ROOM, checkpoint_utils, estimator_entries, estimator_module, graph, hook_clock,
                               room, session_hooks, summary_writers, v1_behavior, warm_starting)
from graphlint.tfpatch import state

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "graphlint")


class _Watch:
    def __init__(self):
        self.hooks = []

    def note(self, hook):
        self.hooks.append(hook)


def _user_hook_module(tmp_path):
    """A user's module defining a hook that reads `time` both ways."""
    path = tmp_path / "user_hooks_for_room.py"
    path.write_text(textwrap.dedent("""
        import time
        from time import time as now
        import tensorflow as tf

        class ClockHook(tf.compat.v1.train.SessionRunHook):
            def seconds(self):
                return time.time(), now()
    """))
    sys.path.insert(0, str(tmp_path))
    try:
        import user_hooks_for_room
    finally:
        sys.path.remove(str(tmp_path))
    return user_hooks_for_room


def _hook_clock(tmp_path):
    module = _user_hook_module(tmp_path)
    hook = module.ClockHook()
    fake = 12345.0
    clock = types.SimpleNamespace(time=lambda: fake)
    with hook_clock.replaced([hook], lambda v: clock if v is time else clock.time if v is time.time else None):
        assert hook.seconds() == (fake, fake)
    return module


def _estimator_entries(tmp_path):
    if real_estimator() is None:
        return
    from graphlint.tfpatch import estimator_internals

    base, tae = estimator_internals.api_parts()

    class Handler:
        def entry(self, name, est, bound):
            return "recorded"

    with estimator_entries.replaced(base, tae, [tf().estimator], Handler()):
        assert base.train(object(), input_fn=None) == "recorded"


def _estimator_module(tmp_path):
    if real_estimator() is not None:
        return
    from graphlint.model.tfcompat import estimator_api

    with estimator_api():
        pass


def _checkpoint_utils(tmp_path):
    with checkpoint_utils.wrapped(lambda f: f, lambda f: f), \
            checkpoint_utils.resolving_only({}, lambda var, key: None):
        pass


def _warm_starting(tmp_path):
    with warm_starting.wrapped(lambda f: f):
        pass


def _summary_writers(tmp_path):
    with summary_writers.silenced():
        pass


def _session_hooks(tmp_path):
    with session_hooks.noting(_Watch()), session_hooks.keeping(_Watch()):
        tf().compat.v1.train.StopAtStepHook(num_steps=1)


def _graph(tmp_path):
    with graph.recording_graph(lambda op, frame: None, lambda full, got: None).as_default():
        tf().constant(0.0)


# Every module of the room that sets a patch, and how to use it once: a module that patches and
# is not here fails test_every_patching_module_is_used_here.
SWITCHES = {
    "checkpoint_utils": _checkpoint_utils,
    "estimator_entries": _estimator_entries,
    "estimator_module": _estimator_module,
    "graph": _graph,
    "hook_clock": _hook_clock,
    "summary_writers": _summary_writers,
    "warm_starting": _warm_starting,
}
OTHER = {"session_hooks": _session_hooks}  # permanent (state.permanent): never restored


def _use_everything(tmp_path):
    for use in (*SWITCHES.values(), *OTHER.values()):
        use(tmp_path)


def _space(owner):
    return owner if isinstance(owner, dict) else vars(owner)


def test_every_patching_module_is_used_here():
    folder = os.path.join(ROOT, "tfpatch")
    patching = set()
    for name in os.listdir(folder):
        if name.endswith(".py") and name != "state.py":
            source = open(os.path.join(folder, name), encoding="utf-8").read()
            calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
                     and isinstance(n.func, ast.Attribute) and n.func.attr == "set"
                     and isinstance(n.func.value, ast.Name) and n.func.value.id == "r"]
            if calls:
                patching.add(name[:-3])
    assert patching == set(SWITCHES)


def test_leaving_the_room_puts_back_every_patched_attribute(tmp_path):
    assert not ROOM.open
    with room():
        _use_everything(tmp_path)
        patched = ROOM.patched()
        assert all(ROOM.is_patched(owner, name) for owner, name, _ in patched)  # still set: per room, not per block
    assert len(patched) >= 5
    assert len({(id(o), n) for o, n, _ in patched}) == len(patched)  # each set once
    for owner, name, original in patched:
        assert _space(owner).get(name, state.MISSING) is original, (owner, name)
    assert ROOM.patched() == []


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_an_exception_inside_leaves_tensorflow_pristine(tmp_path, error):
    from tensorflow.python.summary.writer.writer_cache import FileWriterCache
    from tensorflow.python.training import basic_session_run_hooks, checkpoint_utils as cu, warm_starting_util

    before = (FileWriterCache.__dict__["get"], cu._init_from_checkpoint, cu._set_checkpoint_initializer,
              cu.load_checkpoint, warm_starting_util.warm_start, basic_session_run_hooks.time)
    with pytest.raises(error):
        with room():
            _use_everything(tmp_path)
            with warm_starting.wrapped(lambda f: f), summary_writers.silenced():
                raise error()
    after = (FileWriterCache.__dict__["get"], cu._init_from_checkpoint, cu._set_checkpoint_initializer,
             cu.load_checkpoint, warm_starting_util.warm_start, basic_session_run_hooks.time)
    assert all(a is b for a, b in zip(after, before))
    assert not ROOM.open and ROOM.patched() == []
    assert not summary_writers._silenced and not warm_starting._active


def _monitored_run(hook_class):
    """A real tf.compat.v1 MonitoredSession run with TF's own hooks and one of the caller's."""
    t = tf()
    v1 = t.compat.v1
    seen = []
    with t.Graph().as_default():
        step = v1.train.get_or_create_global_step()
        x = v1.get_variable("x", initializer=1.0)
        train = v1.group(v1.assign_add(step, 1), v1.assign_add(x, 2.0))
        hooks = [v1.train.StopAtStepHook(last_step=3), hook_class(x, seen)]
        with v1.train.MonitoredSession(hooks=hooks) as sess:
            while not sess.should_stop():
                sess.run(train)
    return seen


def test_inside_the_room_outside_a_build_tensorflow_behaves_as_tensorflow(tmp_path):
    t = tf()

    class Record(t.compat.v1.train.SessionRunHook):
        def __init__(self, x, seen):
            self.x, self.seen = x, seen

        def before_run(self, context):
            return t.compat.v1.train.SessionRunArgs(self.x)

        def after_run(self, context, values):
            self.seen.append(values.results)

    expected = _monitored_run(Record)
    with room():
        _use_everything(tmp_path)
        module = sys.modules["user_hooks_for_room"]
        watch = _Watch()
        with session_hooks.noting(watch):
            inside = t.compat.v1.train.StopAtStepHook(num_steps=1)
        made = t.compat.v1.train.StopAtStepHook(num_steps=1)  # no build: no watch sees it
        assert watch.hooks == [inside] and made.__class__.__name__ == "StopAtStepHook"
        got = _monitored_run(Record)
        real = time.time()
        assert abs(module.ClockHook().seconds()[0] - real) < 60 and abs(module.now() - real) < 60
        from tensorflow.python.summary.writer.writer_cache import FileWriterCache

        with t.Graph().as_default():
            writer = FileWriterCache.get(str(tmp_path / "events"))  # TF's own writer, not the null one
        assert isinstance(writer, t.compat.v1.summary.FileWriter)
        if real_estimator() is not None:
            est = t.estimator.Estimator(_model_fn, model_dir=str(tmp_path / "est"))
            est.train(lambda: ({"x": t.constant([[1.0]])}, t.constant([[1.0]])), steps=1)
            assert t.train.latest_checkpoint(str(tmp_path / "est"))  # it really trained
    assert got == expected == [1.0, 3.0, 5.0]  # x fetched before each of its updates
    import user_hooks_for_room

    assert user_hooks_for_room.time is time and user_hooks_for_room.now is time.time


def _model_fn(features, labels, mode):
    t = tf()
    v1 = t.compat.v1
    w = v1.get_variable("w", initializer=1.0)
    loss = v1.reduce_sum(features["x"] * w - labels)
    step = v1.train.get_or_create_global_step()
    return t.estimator.EstimatorSpec(mode, loss=loss, train_op=v1.assign_add(step, 1))


def test_entries_nest_and_patch_once(tmp_path):
    with room() as outer:
        with room() as inner:
            assert inner is outer and ROOM.depth == 2
            _summary_writers(tmp_path)
            _summary_writers(tmp_path)
            count = len(ROOM.patched())
        assert ROOM.depth == 1 and len(ROOM.patched()) == count == 1  # the inner exit restored nothing
    assert ROOM.depth == 0 and ROOM.patched() == []


def test_a_forked_worker_has_the_room_as_it_was(tmp_path):
    from graphlint.model import parallel
    from tensorflow.python.summary.writer.writer_cache import FileWriterCache

    if not parallel.available():
        pytest.skip("no fork here")
    original = FileWriterCache.__dict__["get"]

    def job():
        watch = _Watch()
        with session_hooks.noting(watch), summary_writers.silenced():
            hook = tf().compat.v1.train.StopAtStepHook(num_steps=1)
            silenced = type(FileWriterCache.get("x")).__name__
        return ROOM.depth, watch.hooks == [hook], silenced, len(ROOM.patched())

    with room():
        _summary_writers(tmp_path)
        patched = FileWriterCache.__dict__["get"]
        workers = parallel.run_all({0: ("room", job)}, 1)
        workers[0].replay()
        workers[0].close()
        assert workers[0].result == (1, True, "_NullWriter", 1)  # the parent's patch, entered once more
        assert FileWriterCache.__dict__["get"] is patched
    assert FileWriterCache.__dict__["get"] is original


def test_v1_behavior_is_switched_inside_the_room_and_put_back():
    t = tf()
    with room():
        with v1_behavior.v1_behavior():
            assert not t.executing_eagerly()
        assert t.executing_eagerly()


def test_the_estimator_stand_in_lives_as_long_as_the_room():
    if real_estimator() is not None:
        pytest.skip("the stand-in tf.estimator is installed on TF 2.16+ only")
    from graphlint.model.tfcompat import estimator_api

    t = tf()
    with room():
        with estimator_api() as first:
            pass
        with estimator_api() as second:
            assert t.estimator is first is second
    assert getattr(t.compat.v1, "estimator", None) is not first
    assert estimator_module  # the module that set it


# --- no module-level mutable state outside the room ---------------------------------------------

# Module-level containers (or `global` rebinding) outside graphlint/tfpatch/, each a table filled
# once at import or a cache of something made once per process, never a run's state.
ALLOWED = {
    ("model/record.py", "CLASSES"): "the snapshot classes by name, completed at import",
    ("rules/__init__.py", "RULES"): "the rule registry, filled by @rule at import",
    ("explain/kinds/__init__.py", "KINDS"): "the failure-kind registry, filled at import",
    ("rules/example_common.py", "_old_checkpoint"): "a cache: the example checkpoint made once per process",
    ("model/tfcompat.py", "_tf"): "a cache: the TensorFlow module, imported once",
    ("model/tfcompat.py", "import_output"): "what TensorFlow printed while it was imported, once",
    ("model/tpu_spec.py", "_hook_class"): "a cache: a class made once TensorFlow is imported",
}
_MUTATORS = {"append", "extend", "add", "update", "pop", "remove", "clear", "setdefault", "insert", "discard",
             "popitem"}


def _module_state(path: str) -> set:
    tree = ast.parse(open(path, encoding="utf-8").read())
    containers = set()
    for node in tree.body:
        targets, value = ((node.targets, node.value) if isinstance(node, ast.Assign) else
                          ([node.target], node.value) if isinstance(node, ast.AnnAssign) else ([], None))
        is_container = isinstance(value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)) or (
            isinstance(value, ast.Call) and getattr(value.func, "id", getattr(value.func, "attr", None)) in
            ("dict", "list", "set", "defaultdict", "OrderedDict", "deque", "WeakKeyDictionary", "WeakValueDictionary"))
        if is_container:
            containers.update(t.id for t in targets if isinstance(t, ast.Name))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found.update(node.names)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in containers:
            found.add(node.func.value.id)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            for target in node.targets if not isinstance(node, ast.AugAssign) else [node.target]:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                        and target.value.id in containers:
                    found.add(target.value.id)
    return found


def test_no_module_level_mutable_state_outside_the_room():
    found = set()
    for folder, _, files in os.walk(ROOT):
        for name in files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, ROOT).replace(os.sep, "/")
            if name.endswith(".py") and not rel.startswith("tfpatch/"):
                found.update((rel, var) for var in _module_state(path))
    assert found - set(ALLOWED) == set(), "module state outside graphlint/tfpatch/: keep it in the room (ROOM)"
    assert set(ALLOWED) - found == set(), "ALLOWED names state that is gone: drop it"
