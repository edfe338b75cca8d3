"""TensorFlow's private API that graphlint's room (graphlint/tfpatch/) patches or reads: one test per
symbol, each checking that it exists with the signature and the behaviour the room relies on
(tests/test_tf_private_boundary.py checks that no module outside the room names one).

A failure names the TensorFlow version, the symbol and the module of the room to update, instead
of surfacing as a wrong finding somewhere downstream. Cheap: TF is imported and a few ops are
made in a small graph; nothing trains, no checkpoint is written.
"""

import inspect
import os
import time

import pytest

from graphlint.model.tfcompat import real_estimator, tf
from graphlint.tfpatch import (checkpoint_utils, estimator_entries, estimator_internals, graph, graph_lookup,
                               hook_clock, saved_model, session_hooks, summary_writers, training, v1_behavior,
                               warm_starting)
from graphlint.tfpatch import room
from graphlint.tfpatch import variables as tf_vars


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


def _frames(op) -> list:
    return [(f.filename, f.name) for f in op.traceback]


def test_create_c_op_is_where_an_op_gets_its_traceback():
    from tensorflow.python.framework import ops

    t = tf()
    assert "extract_traceback" in _params(ops._create_c_op), \
        changed("ops._create_c_op", graph, "it has no extract_traceback parameter")
    with room():
        g = graph.recording_graph(lambda op, frame: None, lambda full, got: None)
        with g.as_default():
            made = t.identity(t.constant(1.0), name="made").op
        shared = _frames(made)
        with t.Graph().as_default():
            plain = t.constant(1.0).op
    made_graph = (graph.__file__, "recording_graph")
    assert made_graph not in _frames(plain)  # a graph graphlint did not make: TF's own trace
    assert shared[-1] == made_graph and _frames(g.get_operation_by_name("Const")) == shared, \
        changed("ops._create_c_op", graph, "Graph._create_op_internal no longer reaches it through the module")
    # what TF reads of an op's trace: a variable made twice raises the same first line either way
    for make in (lambda: graph.recording_graph(lambda op, frame: None, lambda full, got: None), t.Graph):
        with room(), make().as_default():
            t.compat.v1.get_variable("v", shape=[1])
            with pytest.raises(ValueError, match="^Variable v already exists, disallowed"):
                t.compat.v1.get_variable("v", shape=[1])


def test_operation_inputs_are_the_c_apis_inputs_by_name():
    t = tf()
    g = t.Graph()
    with g.as_default():
        x = t.constant([[1.0, 2.0], [3.0, 4.0]], name="x")
        parts = t.split(x, 2, axis=1, name="parts")  # one op, two outputs
        t.add_n([parts[1], parts[0], parts[1], x[:, :1]], name="sum")
    names = graph.input_reader()
    for op in g.get_operations():
        assert names(op) == tuple(i.op.name for i in op.inputs), \
            changed("pywrap_tf_session.GetOperationInputs", graph, f"it no longer gives {op.name}'s inputs in order")
    assert names(g.get_operation_by_name("sum"))[:3] == ("parts", "parts", "parts")


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


# Reads (no replacement): graphlint/tfpatch/variables.py, training.py, estimator_internals.py,
# saved_model.py, and the accessors of warm_starting.py, checkpoint_utils.py and summary_writers.py.

def _variables_graph():
    """A graph with a resource variable w, a reference variable r and a variable p in two partitions."""
    v1 = tf().compat.v1
    g = tf().Graph()
    with g.as_default():
        made = {"w": v1.get_variable("w", shape=[2], initializer=v1.zeros_initializer()),
                "r": v1.Variable([1.0], use_resource=False, name="r"),
                "p": list(v1.get_variable("p", shape=[4], partitioner=v1.fixed_size_partitioner(2)))}
    return g, made


def test_operation_control_outputs_are_the_reverse_control_edges():
    t = tf()
    with t.Graph().as_default():
        a = t.constant(1.0, name="a")
        with t.control_dependencies([a]):
            b = t.constant(2.0, name="b")
    assert [op.name for op in tf_vars.control_outputs(a.op)] == ["b"] and tf_vars.control_outputs(b.op) == [], \
        changed("Operation._control_outputs", tf_vars, "it no longer lists the ops that take this one as a control input")


def test_dtype_is_ref_dtype_tells_reference_variables():
    _, made = _variables_graph()
    assert tf_vars.is_ref_dtype(made["r"].dtype) and not tf_vars.is_ref_dtype(made["w"].dtype), \
        changed("DType._is_ref_dtype", tf_vars, "a reference variable's dtype is not told apart")


def test_variable_save_slice_info_describes_a_partition():
    _, made = _variables_graph()
    infos = [tf_vars.save_slice_info(part) for part in made["p"]]
    assert [(i.full_name, list(i.full_shape), list(i.var_offset)) for i in infos] == [("p", [4], [0]), ("p", [4], [2])], \
        changed("Variable._save_slice_info", tf_vars, "a partition's full_name/full_shape/var_offset")
    assert tf_vars.save_slice_info(made["w"]) is None, \
        changed("Variable._save_slice_info", tf_vars, "set on a variable that is not a partition")


def test_variable_initial_value_is_the_initializer_tensor():
    g, made = _variables_graph()
    with g.as_default():
        value, public = tf_vars.initial_value(made["w"]), made["w"].initial_value
    assert value is not None and value is public and value.graph is g, \
        changed("Variable._initial_value", tf_vars, "it is not the variable's initial value tensor")


def test_variable_store_holds_get_variable_names():
    g, _ = _variables_graph()
    with g.as_default():
        names = tf_vars.variable_store_names()
    assert names == ("p", "w"), \
        changed("variable_scope._get_default_variable_store()._vars/_partitioned_vars", tf_vars, repr(names))


def test_is_variable_tells_variables_from_names_and_tensors():
    g, made = _variables_graph()
    with g.as_default():
        tensor = tf().constant(1.0)
    assert tf_vars.is_variable(made["w"]) and tf_vars.is_variable(made["r"]) and not tf_vars.is_variable(tensor) \
        and not tf_vars.is_variable("w"), \
        changed("resource_variable_ops.is_resource_variable", tf_vars, "variables are not told from tensors")


def test_saver_var_list_and_saveable_objects_give_the_saved_keys():
    g, made = _variables_graph()
    v1 = tf().compat.v1
    with g.as_default():
        assert tf_vars.saver_var_list(v1.train.Saver(defer_build=True)) is None, \
            changed("Saver._var_list", tf_vars, "not None for a Saver of every variable")
        assert tf_vars.saver_var_list(v1.train.Saver([made["w"]])) == [made["w"]], \
            changed("Saver._var_list", tf_vars, "not the var_list given")
        specs = sorted((spec.name, spec.slice_spec, s.name) for s in tf_vars.saveables(None) for spec in s.specs)
        shapes = {s.name: tf_vars.saveable_var_shape(s) for s in tf_vars.saveables([made["w"]])}
    assert specs == [("p", "4 0,2", "p"), ("p", "4 2,2", "p"), ("r", "", "r"), ("w", "", "w")], \
        changed("variables._all_saveable_objects/saveable_object_util.op_list_to_dict/validate_and_slice_inputs",
                tf_vars, repr(specs))
    assert shapes == {"w": (2,)}, changed("SaveableObject._var_shape", tf_vars, repr(shapes))


def _object_checkpoint(tmp_path):
    t = tf()
    root = t.train.Checkpoint(dense=t.Module())  # eagerly, as tf.train.Checkpoint writes
    root.dense.kernel = t.Variable([1.0, 2.0], name="kernel")
    return root.write(str(tmp_path / "obj"))


def test_object_graph_key_mapping_names_an_object_checkpoints_variables(tmp_path):
    mapping = tf_vars.object_graph_key_mapping(_object_checkpoint(tmp_path))
    assert mapping == {"kernel": "dense/kernel/.ATTRIBUTES/VARIABLE_VALUE"}, \
        changed("saver.object_graph_key_mapping", tf_vars, repr(mapping))


def test_object_graph_lists_an_object_checkpoints_nodes_children_and_keys(tmp_path):
    """What migrate's new_tf.py reads: node 0 the root, children by local name, a variable's node
    with its VARIABLE_VALUE checkpoint key."""
    graph = tf_vars.object_graph(tf().train.load_checkpoint(_object_checkpoint(tmp_path)))
    children = [c.local_name for c in graph.nodes[0].children]
    assert "dense" in children, changed("trackable_object_graph_pb2.TrackableObjectGraph", tf_vars, repr(children))
    keys = [(a.name, a.checkpoint_key) for n in graph.nodes for a in n.attributes]
    assert ("VARIABLE_VALUE", "dense/kernel/.ATTRIBUTES/VARIABLE_VALUE") in keys, \
        changed("trackable_object_graph_pb2.TrackableObjectGraph", tf_vars, repr(keys))


def test_warm_starting_util_groups_variables_and_reads_object_renames(tmp_path):
    ckpt = _object_checkpoint(tmp_path)
    g, made = _variables_graph()
    with g.as_default():
        grouped = warm_starting.grouped_variables(".*")
        renames = warm_starting.object_checkpoint_renames(ckpt, ["kernel"])
        with pytest.raises(ValueError):  # a variable the checkpoint lacks: graphlint's warm start catches it
            warm_starting.object_checkpoint_renames(ckpt, ["kernel", "w"])
    assert {k: len(v) for k, v in grouped.items()} == {"p": 2, "r": 1, "w": 1}, \
        changed("warm_starting_util._get_grouped_variables", warm_starting, repr(grouped))
    assert renames == {"kernel": "dense/kernel/.ATTRIBUTES/VARIABLE_VALUE"}, \
        changed("warm_starting_util._get_object_checkpoint_renames", warm_starting, repr(renames))


def test_warm_start_and_load_checkpoint_accessors_call_through_the_module():
    g, _ = _variables_graph()
    seen = []

    def wrap(original):
        def wrapped(*args, **kwargs):
            seen.append(args[0])
        return wrapped

    with g.as_default(), warm_starting.wrapped(wrap):
        warm_starting.warm_start("ckpt", vars_to_warm_start="w")
    with checkpoint_utils.resolving_only({"w": [2]}, lambda var, key: None):
        shapes = checkpoint_utils.load_checkpoint("ckpt").get_variable_to_shape_map()
    assert seen == ["ckpt"] and shapes == {"w": [2]}, \
        changed("warm_starting_util.warm_start/checkpoint_utils.load_checkpoint", warm_starting,
                "not looked up on the module at call time")


def test_training_util_and_evaluation_add_estimators_step_ops():
    t = tf()
    v1 = t.compat.v1
    with t.Graph().as_default() as g:
        v1.train.get_or_create_global_step()
        training.global_step_read()
        step = training.eval_step()
        assert training.eval_step() is step, changed("evaluation._get_or_create_eval_step", training, "not get-or-create")
        training.latest_eval_step_value([v1.assign_add(step, 1)])
    names = {op.name for op in g.get_operations()}
    assert {"global_step/add", "eval_step", "Identity"} <= names and step.op.name == "eval_step", \
        changed("training_util._get_or_create_global_step_read/evaluation._get_or_create_eval_step/"
                "_get_latest_eval_step_value", training, repr(sorted(names)))


def test_final_ops_hook_keeps_its_ops_and_feeds():
    t = tf()
    with t.Graph().as_default():
        x = t.constant(1.0, name="x")
        hook = t.compat.v1.train.FinalOpsHook({"x": x}, final_ops_feed_dict={"f:0": 1.0})
    assert training.final_ops(hook) == ({"x": x}, {"f:0": 1.0}), \
        changed("FinalOpsHook._final_ops/_final_ops_feed_dict", training, "not the ops and feeds given")


def test_summary_ops_v2_writer_init_and_flush():
    t = tf()
    with t.Graph().as_default() as g:
        t.summary.create_file_writer("/nonexistent-never-written")  # an op only; nothing runs
        init_ops, flush_ops = summary_writers.writer_init_and_flush_ops()
    assert len(init_ops) == 1 and len(flush_ops) == 1 and all(op.graph is g for op in flush_ops), \
        changed("summary_ops_v2.summary_writer_initializer_op/legacy_raw_flush", summary_writers,
                f"{init_ops} {flush_ops}")


def test_saved_model_export_utils_and_loader(tmp_path):
    t = tf()
    classes = saved_model.export_output_classes()
    assert sorted(classes) == ["ClassificationOutput", "PredictOutput", "RegressionOutput"], \
        changed("model_utils.export_output", saved_model, repr(classes))
    with t.Graph().as_default():
        x = t.compat.v1.placeholder(t.float32, [None], name="x")
        y = t.identity(x, name="y")
        outputs = saved_model.export_outputs(None, {"y": y})
        defs = saved_model.signature_defs({"x": x}, outputs, None)
    assert list(outputs) == ["serving_default"] and isinstance(outputs["serving_default"], classes["PredictOutput"]), \
        changed("export_utils.get_export_outputs", saved_model, repr(outputs))
    assert sorted(defs) == ["serving_default"] and defs["serving_default"].outputs["y"].name == "y:0", \
        changed("export_utils.build_all_signature_defs", saved_model, repr(defs))
    with t.Graph().as_default(), t.compat.v1.Session() as sess:
        builder = t.compat.v1.saved_model.Builder(str(tmp_path / "sm"))
        builder.add_meta_graph_and_variables(sess, ["serve"])
        builder.save()
    proto = saved_model.parse_saved_model(str(tmp_path / "sm"))
    assert list(proto.meta_graphs[0].meta_info_def.tags) == ["serve"], \
        changed("loader_impl.parse_saved_model", saved_model, "not the SavedModel proto")
    with pytest.raises(OSError):
        saved_model.parse_saved_model(str(tmp_path))


@pytest.mark.skipif(real_estimator() is None, reason="tensorflow-estimator's private helpers")
def test_estimator_metric_helpers_add_the_loss_metric_and_group_updates():
    t = tf()
    with t.Graph().as_default():
        loss = t.constant(2.0)
        metrics = estimator_internals.loss_metric()({}, loss)
        update_op, values = estimator_internals.metric_update_ops()(metrics)
    assert list(metrics) == ["loss"] and update_op is not None and list(values) == ["loss"], \
        changed("estimator._verify_and_create_loss_metric/_extract_metric_update_ops", estimator_internals,
                f"{metrics} {values}")


@pytest.mark.skipif(real_estimator() is None, reason="tensorflow-estimator's private classes")
def test_tpu_estimator_spec_class_and_api_parts():
    est = real_estimator()
    base, tae = estimator_internals.api_parts()
    assert base is est.Estimator and tae is est.train_and_evaluate, \
        changed("tensorflow_estimator estimator.Estimator/training.train_and_evaluate", estimator_internals,
                "not what tf.estimator exports")
    spec_class = estimator_internals.tpu_spec_class()
    assert spec_class is not None and issubclass(est.tpu.TPUEstimatorSpec, spec_class), \
        changed("tensorflow_estimator model_fn._TPUEstimatorSpec", estimator_internals, "not TPUEstimatorSpec's base")


@pytest.mark.skipif(real_estimator() is None, reason="tensorflow-estimator's private attributes")
def test_estimator_keeps_model_fn_warm_start_and_calls_fns_as_it_runs_them(tmp_path):
    est_api = real_estimator()
    t = tf()

    def model_fn(features, labels, mode, params):
        return est_api.EstimatorSpec(mode, predictions=features * params["k"])

    est = est_api.Estimator(model_fn, model_dir=str(tmp_path), params={"k": 3.0},
                            warm_start_from=str(tmp_path / "ws"))
    assert estimator_internals.model_fn_of(est) is model_fn, changed("Estimator._model_fn", estimator_internals, "gone")
    settings = estimator_internals.warm_start_settings(est)
    assert settings is not None and settings.ckpt_to_initialize_from == str(tmp_path / "ws"), \
        changed("Estimator._warm_start_settings", estimator_internals, repr(settings))
    with t.Graph().as_default():
        features = estimator_internals.call_input_fn(est, lambda params: t.constant(params["k"]),
                                                     est_api.ModeKeys.PREDICT)
        spec = estimator_internals.call_model_fn(est, features, None, est_api.ModeKeys.PREDICT)
        assert t.compat.v1.Session().run(spec.predictions) == 9.0, \
            changed("Estimator._call_input_fn/_call_model_fn", estimator_internals, "params not passed")


@pytest.mark.skipif(real_estimator() is None, reason="tensorflow-estimator's private attributes")
def test_tpu_estimator_context_and_exporter_receiver_fn(tmp_path):
    est_api = real_estimator()
    config = est_api.tpu.RunConfig(model_dir=str(tmp_path))
    est = est_api.tpu.TPUEstimator(lambda features, labels, mode, params: None, config=config, use_tpu=False,
                                   train_batch_size=8, eval_batch_size=4)
    sizes = [estimator_internals.tpu_batch_size(est, m) for m in (est_api.ModeKeys.TRAIN, est_api.ModeKeys.EVAL)]
    assert sizes == [8, 4], changed("TPUEstimator._ctx.with_mode().batch_size_for_model_fn", estimator_internals,
                                    repr(sizes))
    assert estimator_internals.tpu_batch_size(est_api.Estimator(lambda features: None, model_dir=str(tmp_path)), "train") \
        is None

    def receiver():
        return None

    exporter = est_api.LatestExporter("e", receiver)
    assert estimator_internals.exporter_receiver_fn(exporter) is receiver, \
        changed("Exporter._saved_model_exporter._serving_input_receiver_fn", estimator_internals, "gone")
