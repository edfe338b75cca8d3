"""TensorFlow's private API that graphlint's room (graphlint/tfpatch/) relies on: one test per
symbol, each checking that it exists with the signature and the behaviour the room relies on.

A failure names the TensorFlow version, the symbol and the module of the room to update, instead
of surfacing as a wrong finding somewhere downstream. Cheap: TF is imported and a few ops are
made in a small graph; nothing trains, no checkpoint is written.
"""

import inspect
import os
import time

import pytest

from graphlint.model.tfcompat import real_estimator, tf
from graphlint.tfpatch import (checkpoint_utils, estimator_entries, graph, graph_lookup, hook_clock, session_hooks,
                               summary_writers, v1_behavior, warm_starting)


def changed(symbol: str, module, what: str) -> str:
    path = os.path.relpath(module.__file__, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return f"TensorFlow {tf().__version__} changed {symbol} ({what}): {path} needs updating"


def _params(fn) -> list:
    return list(inspect.signature(fn).parameters)


def test_graph_create_op_internal_sees_every_op():
    t = tf()
    assert callable(getattr(t.Graph, "_create_op_internal", None)), \
        changed("tf.Graph._create_op_internal", graph, "it is gone")
    made = []
    g = graph.recording_graph(lambda op, frame: made.append(op.name), lambda full, got: None)
    with g.as_default():
        x = t.constant(1.0, name="x")
        t.compat.v1.get_variable("w", shape=[2], initializer=t.compat.v1.zeros_initializer())
        t.identity(x, name="y")
    assert made and sorted(made) == sorted(op.name for op in g.get_operations()), \
        changed("tf.Graph._create_op_internal", graph, "not every op is created through it")


def test_graph_name_scope_sees_every_reentered_scope():
    t = tf()
    entered = []
    g = graph.recording_graph(lambda op, frame: None, lambda full, got: entered.append((full, got)))
    with g.as_default():
        for _ in range(2):
            with t.compat.v1.variable_scope("s"):
                t.constant(0.0)
        with t.name_scope("n"), t.name_scope("n"):
            pass
    assert ("s", "s") in entered and ("s", "s_1") in entered and ("n/n", "n/n") in entered, \
        changed("tf.Graph.name_scope", graph, "variable_scope and name_scope no longer reach it: " + repr(entered))


def test_graph_unsafe_unfinalize_reopens_a_finalized_graph():
    t = tf()
    g = t.Graph()
    g.finalize()
    assert callable(getattr(g, "_unsafe_unfinalize", None)), changed("tf.Graph._unsafe_unfinalize", graph, "it is gone")
    graph.unfinalize(g)
    with g.as_default():
        t.constant(1.0)  # raises if the graph were still finalized
    assert not g.finalized, changed("tf.Graph._unsafe_unfinalize", graph, "the graph stays finalized")


def test_graph_as_graph_element_is_where_names_are_resolved():
    t = tf()
    g = t.Graph()
    with g.as_default():
        t.constant(1.0, name="x")
    missed = []

    def on_miss(name, exc):
        missed.append(name)
        return False

    with graph_lookup.name_misses(g, on_miss):
        assert g.get_tensor_by_name("x:0").op.name == "x"
        with pytest.raises(KeyError):
            g.get_tensor_by_name("absent:0")
        with g.as_default(), pytest.raises((KeyError, ValueError)):
            t.compat.v1.train.LoggingTensorHook(["missing:0"], every_n_iter=1).begin()
    assert getattr(g.as_graph_element, "__func__", None) is type(g).as_graph_element, \
        changed("tf.Graph.as_graph_element", graph_lookup, "not put back")
    assert missed == ["absent:0", "missing:0"], \
        changed("tf.Graph.as_graph_element", graph_lookup,
                "get_tensor_by_name or LoggingTensorHook.begin no longer resolve names through it")


def test_session_run_hook_new_sees_every_hook_constructed():
    from tensorflow.python.training.session_run_hook import SessionRunHook

    own = SessionRunHook.__dict__.get("__new__")
    assert own is None or own.__func__ is session_hooks._new, \
        changed("SessionRunHook.__new__", session_hooks, "SessionRunHook defines its own __new__")

    class Watch:
        def __init__(self):
            self.hooks = []

        def note(self, hook):
            self.hooks.append(hook)

    watch = Watch()
    with session_hooks.noting(watch):
        hook = tf().compat.v1.train.LoggingTensorHook(["x:0"], every_n_iter=3)
        step = tf().compat.v1.train.StopAtStepHook(num_steps=2)
    assert watch.hooks == [hook, step], changed("SessionRunHook.__new__", session_hooks, "hooks bypass it")


def test_file_writer_cache_get_is_how_hooks_open_writers(tmp_path):
    from tensorflow.python.summary.writer.writer_cache import FileWriterCache

    assert isinstance(FileWriterCache.__dict__.get("get"), staticmethod) and _params(FileWriterCache.get) == ["logdir"], \
        changed("FileWriterCache.get", summary_writers, "no longer a staticmethod get(logdir)")
    t = tf()
    with t.Graph().as_default():
        t.compat.v1.train.get_or_create_global_step()
        summary = t.compat.v1.summary.scalar("s", t.constant(1.0))
        hook = t.compat.v1.train.SummarySaverHook(save_steps=1, output_dir=str(tmp_path), summary_op=summary)
        with summary_writers.silenced():
            hook.begin()
    assert os.listdir(tmp_path) == [], \
        changed("FileWriterCache.get", summary_writers, "SummarySaverHook opens its writer elsewhere")


def _graph_with_w():
    t = tf()
    g = t.Graph()
    with g.as_default():
        w = t.compat.v1.get_variable("w", shape=[2], initializer=t.compat.v1.zeros_initializer())
    return g, w


def test_checkpoint_utils_load_checkpoint_and_set_initializer_are_looked_up_at_call_time():
    from tensorflow.python.training import checkpoint_utils as cu

    assert _params(cu._set_checkpoint_initializer)[:4] == ["variable", "ckpt_file", "tensor_name", "slice_spec"], \
        changed("checkpoint_utils._set_checkpoint_initializer", checkpoint_utils, "its arguments")
    assert _params(cu.load_checkpoint) == ["ckpt_dir_or_file"], \
        changed("checkpoint_utils.load_checkpoint", checkpoint_utils, "its arguments")
    g, w = _graph_with_w()
    asked = []
    with g.as_default(), checkpoint_utils.resolving_only({"old/w": [2]}, lambda var, key: asked.append((var, key))):
        tf().compat.v1.train.init_from_checkpoint("no-such-checkpoint", {"old/w": "w"})
    assert asked == [(w, "old/w")], \
        changed("checkpoint_utils.load_checkpoint/_set_checkpoint_initializer", checkpoint_utils,
                "init_from_checkpoint no longer reaches them through the module")


def test_checkpoint_utils_init_from_checkpoint_is_what_every_warm_start_reaches():
    from tensorflow.python.training import checkpoint_utils as cu

    assert _params(cu._init_from_checkpoint) == ["ckpt_dir_or_file", "assignment_map"], \
        changed("checkpoint_utils._init_from_checkpoint", checkpoint_utils, "its arguments")
    g, w = _graph_with_w()
    calls = []

    def wrap(original):
        def wrapped(ckpt, assignment_map):
            calls.append((ckpt, dict(assignment_map)))
            return original(ckpt, assignment_map)
        return wrapped

    with g.as_default(), checkpoint_utils.resolving_only({"w": [2]}, lambda var, key: None), \
            checkpoint_utils.wrapped(init_from_checkpoint=wrap):
        tf().compat.v1.train.init_from_checkpoint("ckpt", {"w": "w"})
        with pytest.raises(ValueError) as raised:  # a key the checkpoint lacks
            tf().compat.v1.train.init_from_checkpoint("ckpt", {"absent": "w"})
    assert calls == [("ckpt", {"w": "w"}), ("ckpt", {"absent": "w"})], \
        changed("checkpoint_utils._init_from_checkpoint", checkpoint_utils,
                "init_from_checkpoint no longer calls it through the module")
    assert checkpoint_utils.raised_in_warm_start(raised.value) == "warm-start", \
        changed("checkpoint_utils._init_from_checkpoint", checkpoint_utils,
                "a rejected map is not raised from the functions named in raised_in_warm_start")


def test_warm_starting_util_warm_start_reaches_init_from_checkpoint():
    from tensorflow.python.training import warm_starting_util as wsu

    assert _params(wsu.warm_start) == ["ckpt_to_initialize_from", "vars_to_warm_start", "var_name_to_vocab_info",
                                       "var_name_to_prev_var_name"], \
        changed("warm_starting_util.warm_start", warm_starting, "its arguments (its wrapper repeats them)")
    g, w = _graph_with_w()
    seen, calls = [], []

    def wrap(original):
        def wrapped(*args, **kwargs):
            seen.append(args[0])
            return original(*args, **kwargs)
        return wrapped

    def wrap_init(original):
        def wrapped(ckpt, assignment_map):
            calls.append(ckpt)
            return original(ckpt, assignment_map)
        return wrapped

    with g.as_default(), checkpoint_utils.resolving_only({"old_w": [2]}, lambda var, key: None), \
            checkpoint_utils.wrapped(init_from_checkpoint=wrap_init), warm_starting.wrapped(wrap):
        wsu.warm_start("ckpt", vars_to_warm_start="w", var_name_to_prev_var_name={"w": "old_w"})
    assert seen == ["ckpt"] and calls == ["ckpt"], \
        changed("warm_starting_util.warm_start", warm_starting, "it no longer warm-starts through init_from_checkpoint")


def test_basic_session_run_hooks_read_time_through_their_module():
    from tensorflow.python.training import basic_session_run_hooks

    assert vars(basic_session_run_hooks).get("time") is time, \
        changed("basic_session_run_hooks.time", hook_clock, "the module no longer imports `time`")
    now = [1000.0]

    class Clock:
        def time(self):
            return now[0]

    fake = Clock()
    with hook_clock.replaced([], lambda value: fake if value is time else None):
        timer = basic_session_run_hooks.SecondOrStepTimer(every_secs=600)
        timer.update_last_triggered_step(0)
        early = timer.should_trigger_for_step(1)
        now[0] += 601
        late = timer.should_trigger_for_step(2)
    assert basic_session_run_hooks.time is time
    assert (early, late) == (False, True), \
        changed("SecondOrStepTimer", hook_clock, "its timer no longer reads time.time() from its module")


def test_disable_v2_behavior_switches_what_v1_behavior_puts_back():
    from tensorflow.python import tf2
    from tensorflow.python.compat import v2_compat
    from tensorflow.python.eager import context
    from tensorflow.python.framework import tensor

    assert callable(getattr(v2_compat, "disable_v2_behavior", None)), \
        changed("v2_compat.disable_v2_behavior", v1_behavior, "it is gone")
    assert all(callable(getattr(tf2, f, None)) for f in ("enabled", "enable", "disable")), \
        changed("tensorflow.python.tf2.enabled/enable/disable", v1_behavior, "gone")
    assert hasattr(context, "default_execution_mode") and callable(getattr(context, "context_safe", None)), \
        changed("context.default_execution_mode/context_safe", v1_behavior, "gone")
    assert "_USE_EQUALITY" in vars(tensor.Tensor), changed("Tensor._USE_EQUALITY", v1_behavior, "gone")
    ctx = context.context_safe()
    assert ctx is None or hasattr(ctx._thread_local_data, "is_eager"), \
        changed("Context._thread_local_data.is_eager", v1_behavior, "gone")
    before = (tf2.enabled(), tf().executing_eagerly(), vars(tensor.Tensor)["_USE_EQUALITY"])
    with v1_behavior.v1_behavior():
        during = (tf2.enabled(), tf().executing_eagerly())
    assert during == (False, False), changed("v2_compat.disable_v2_behavior", v1_behavior, "does not switch to 1.x")
    assert (tf2.enabled(), tf().executing_eagerly(), vars(tensor.Tensor)["_USE_EQUALITY"]) == before, \
        changed("v2_compat.disable_v2_behavior", v1_behavior, "it switches something v1_behavior does not put back")


@pytest.mark.skipif(real_estimator() is None, reason="the entry points replaced are tensorflow-estimator's")
def test_estimator_entry_points_are_methods_of_estimator():
    from tensorflow_estimator.python.estimator import estimator, training

    for name in estimator_entries.ENTRIES:
        method = estimator.Estimator.__dict__.get(name)
        assert callable(method) and _params(method)[0] == "self", \
            changed(f"tensorflow_estimator Estimator.{name}", estimator_entries, "not a method of Estimator")
    assert _params(training.train_and_evaluate) == ["estimator", "train_spec", "eval_spec"], \
        changed("tensorflow_estimator train_and_evaluate", estimator_entries, "its arguments")

    class Handler:
        def entry(self, name, est, bound):
            return ("entry", name, sorted(bound))

        def train_and_evaluate(self, est, train_spec, eval_spec):
            return ("tae",)

    with estimator_entries.replaced(estimator.Estimator, training.train_and_evaluate, [], Handler()):
        got = estimator.Estimator.train(object(), input_fn=None, steps=1)
        tae = tf().estimator.train_and_evaluate(None, None, None)
    assert got == ("entry", "train", ["input_fn", "self", "steps"]), \
        changed("tensorflow_estimator Estimator.train", estimator_entries, "its arguments")
    assert tae == ("tae",), changed("tf.estimator.train_and_evaluate", estimator_entries,
                                    "the API module no longer holds tensorflow_estimator's function")
    assert not getattr(estimator.Estimator.train, "__graphlint_intercepted__", False)  # put back


@pytest.mark.skipif(real_estimator() is not None, reason="the stand-in tf.estimator is installed on TF 2.16+ only")
def test_tf_estimator_is_settable_on_tensorflow_without_one():
    from graphlint.model.tfcompat import estimator_api
    from graphlint.tfpatch import estimator_module

    t = tf()
    with estimator_api() as est:
        import tensorflow.estimator as imported

        installed = (t.estimator, t.compat.v1.estimator, imported)
    assert installed == (est, est, est), changed("tf.estimator", estimator_module, "cannot be set")
    assert getattr(t.compat.v1, "estimator", None) is not est, changed("tf.estimator", estimator_module, "not put back")
