"""The cause rules (GL105-GL107) and the state rules (GL401, GL402): what they report, where, and
that what they say is what TensorFlow really does.

Line numbers are found by searching the case files' text, never written down. GL401/GL402 use
the EstimatorSpec's train_op and loss that the snapshots record; `unrecorded` drops them to test
the fallback for specs whose train_op graphlint cannot name.
"""

import os

import pytest

from conftest import CASES, FIXTURES
from graphlint.model import session as session_lib
from graphlint.rules import all_rules
from realtf import run_for_real
from corpus import lint_case, write_model

all_rules()


def _case(name):
    return os.path.join(CASES, name + ".py")


def _line(path, needle, nth=0):
    """The 1-based line of `path` holding `needle` (the nth such line)."""
    hits = [i for i, text in enumerate(open(path, encoding="utf-8").read().splitlines(), 1) if needle in text]
    assert len(hits) > nth, f"{needle!r} not in {path}"
    return hits[nth]


def _findings(report, code):
    return sorted((f for f in report.findings if f.code == code), key=lambda f: f.name)


def _where(site):
    return f"{os.path.basename(site.file)}:{site.line}"


def _related(finding):
    return {(_where(r.site), r.message) for r in finding.related}


@pytest.fixture
def unrecorded(monkeypatch):
    """A snapshot without loss/train_op names (e.g. a spec whose train_op is a plain tensor
    graphlint cannot name): the rules fall back to "any update op in the train graph"."""
    build_mode = session_lib.build_mode

    def build_and_forget(model, mode, *args, **kwargs):
        snap, graph = build_mode(model, mode, *args, **kwargs)
        snap.loss = snap.train_op = ""
        return snap, graph

    monkeypatch.setattr(session_lib, "build_mode", build_and_forget)



def _ckpt_value(workdir, key):
    from graphlint.model.tfcompat import tf

    return tf().train.load_checkpoint(workdir).get_tensor(key).tolist()


# --- GL401 eval-state-in-checkpoint ---------------------------------------------------------

def test_gl401_names_the_variable_and_the_eval_assign():
    path = _case("eval_counter")
    (f,) = _findings(lint_case(path), "GL401")
    assert (f.name, f.modes, f.severity) == ("examples_seen", ("train", "eval", "predict"), "warning")
    var = _line(path, 'get_variable("examples_seen"')
    assert _where(f.location) == f"eval_counter.py:{var}"
    assign = _line(path, "assign_add(seen")
    assert "only eval updates (AssignAddVariableOp at " in f.message and f"eval_counter.py:{assign})" in f.message
    assert _related(f) == {(f"eval_counter.py:{assign}", "eval updates it here (AssignAddVariableOp)")}
    assert "the loss does not depend on it, and nothing the train op runs updates it" in f.message
    assert "training saves only its initial value" in f.message and "It is also trainable" in f.message
    assert "LOCAL_VARIABLES" in f.fix


def test_gl401_on_the_founding_story():
    """attempt2's counter exists in every mode but only EVAL assigns it; attempt1's exists only in EVAL."""
    two = os.path.join(FIXTURES, "attempt2.py")
    report = lint_case(two)
    (f,) = _findings(report, "GL401")  # one line makes the three counters: one finding names them all
    assert f.all_names == tuple(f"class_{c}/sample_num_classid_{c}" for c in range(3))
    var, assign = _line(two, "sample_nums.append(tf.compat.v1.get_variable("), _line(two, "assign_add(")
    assert f.modes == ("train", "eval")
    assert _where(f.location) == f"attempt2.py:{var}"
    assert _related(f) == {(f"attempt2.py:{assign}", "eval updates them here (AssignAddVariableOp)")}
    assert "Each is also trainable" in f.message
    assert not _findings(report, "GL402"), "the counter is GL401's, not also GL402's"

    one = lint_case(os.path.join(FIXTURES, "attempt1.py"))
    assert not _findings(one, "GL401"), "attempt1's counters are never created by train: one cause, GL101's"
    (gl101,) = _findings(one, "GL101")
    assert gl101.names == tuple(f"class_{c}/sample_num_classid_{c}" for c in range(3))
    assert "LOCAL_VARIABLES" in gl101.fix
    for fixed in ("fixed", "original"):
        assert not _findings(lint_case(os.path.join(FIXTURES, fixed + ".py")), "GL401")


@pytest.mark.realtf
def test_gl401_claims_hold_in_tensorflow(tmp_path):
    """Training saves the counter's initial value; evaluation restores it and counts on from there.
    The fix keeps it out of the checkpoint and counts the same."""
    real = run_for_real(_case("eval_counter"), str(tmp_path / "bad"))
    assert real.ok, real
    assert _ckpt_value(str(tmp_path / "bad"), "examples_seen") == 0.0
    assert real.output.splitlines() == ["examples seen: 4", "examples seen: 8", "examples seen: 12"]
    fixed = run_for_real(_case("eval_counter_fixed"), str(tmp_path / "fixed"))
    assert fixed.ok and fixed.output == real.output
    from graphlint.model.tfcompat import tf

    assert "examples_seen" not in tf().train.load_checkpoint(str(tmp_path / "fixed")).get_variable_to_shape_map()


_BUILT_EVERYWHERE = '''
import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401


class CountHook(tf.estimator.SessionRunHook):
    def before_run(self, run_context):
        return tf.estimator.SessionRunArgs("count_examples:0")


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    seen = tf.compat.v1.get_variable("examples_seen", [], trainable=False, initializer=tf.compat.v1.zeros_initializer())
    tf.identity(tf.compat.v1.assign_add(seen, 1.0), name="count_examples")
    return spec(mode, logits, labels, evaluation_hooks=[CountHook()])
'''


def test_gl401_precise_with_the_train_op_sees_an_assign_training_does_not_run(tmp_path):
    """The counter's assign exists in the train graph too, but the train op never runs it: only the
    recorded train_op tells. (Without it, any update op in the train graph counts: no finding.)"""
    path = write_model(tmp_path, _BUILT_EVERYWHERE)
    (f,) = _findings(lint_case(path), "GL401")
    assert f.modes == ("train", "eval", "predict") and f.name == "examples_seen"
    assert "the loss does not depend on it, and nothing the train op runs updates it" in f.message
    assert "It is also trainable" not in f.message


def test_gl401_without_the_train_op_counts_any_update_in_the_train_graph(tmp_path, unrecorded):
    assert not _findings(lint_case(write_model(tmp_path, _BUILT_EVERYWHERE)), "GL401")


# --- GL402 trainable-never-updated ----------------------------------------------------------

def test_gl402_names_the_variable(tmp_path):
    path = _case("untrained_variable")
    (f,) = _findings(lint_case(path), "GL402")
    assert (f.name, f.modes, f.severity) == ("calibration/scale", ("train",), "warning")
    var = _line(path, 'get_variable("calibration/scale"')
    assert _where(f.location) == f"untrained_variable.py:{var}"
    assert "the loss does not depend on it, and nothing the train op runs updates it" in f.message
    assert not _findings(lint_case(_case("untrained_variable_fixed")), "GL402")


@pytest.mark.realtf
def test_gl402_claims_hold_in_tensorflow(tmp_path):
    assert run_for_real(_case("untrained_variable"), str(tmp_path / "bad")).ok
    assert _ckpt_value(str(tmp_path / "bad"), "calibration/scale") == 1.0  # its initializer's value
    assert run_for_real(_case("untrained_variable_fixed"), str(tmp_path / "fixed")).ok
    assert _ckpt_value(str(tmp_path / "fixed"), "calibration/scale") != 1.0


_CUT = '''
import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    scale = tf.compat.v1.get_variable("scale", [], initializer=tf.compat.v1.ones_initializer())
    bias = tf.compat.v1.get_variable("bias", [], initializer=tf.compat.v1.zeros_initializer())
    frozen = tf.compat.v1.get_variable("frozen", [], initializer=tf.compat.v1.ones_initializer())
    logits = logits * tf.stop_gradient(scale) + bias * frozen
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"p": logits})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        trained = [v for v in tf.compat.v1.trainable_variables() if v.op.name != "frozen"]
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step(), var_list=trained)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
'''


def test_gl402_precise_says_why_no_gradient_arrives(tmp_path):
    path = write_model(tmp_path, _CUT)
    found = {f.name: f for f in _findings(lint_case(path), "GL402")}
    assert set(found) == {"scale", "frozen"}  # bias gets a gradient
    assert ("the loss depends on it only through tensors or ops that carry no gradient (the first on the way: "
            "'StopGradient', StopGradient), so no gradient reaches it") in found["scale"].message
    assert _related(found["scale"]) == {(f"model.py:{_line(path, 'tf.stop_gradient(scale)')}",
                                         "the path from it to the loss carries no gradient here (StopGradient)")}
    assert "the loss depends on it, but the train op does not update it" in found["frozen"].message
    var = _line(path, 'get_variable("scale"')
    assert _where(found["scale"].location) == f"model.py:{var}"


@pytest.mark.realtf
def test_gl402_precise_claims_hold_in_tensorflow(tmp_path):
    path = write_model(tmp_path, _CUT)
    work = str(tmp_path / "work")
    assert run_for_real(path, work).ok
    assert _ckpt_value(work, "scale") == 1.0 and _ckpt_value(work, "frozen") == 1.0
    assert _ckpt_value(work, "bias") != 0.0


def test_gl401_gl402_update_ops_are_told_from_reads_initializers_and_restores():
    """Ref and resource variables: the initializer and a Saver's restore are not updates, an
    assign and an optimizer step are, and a handle passed into a function might be one."""
    from graphlint.model.graphview import _ModeState
    from graphlint.model.tfcompat import tf

    t = tf()
    with t.Graph().as_default() as g:
        ref = t.compat.v1.Variable(1.0, use_resource=False, name="ref")
        res = t.compat.v1.get_variable("res", [], use_resource=True)
        passed = t.compat.v1.get_variable("passed", [], use_resource=True)
        t.identity(ref.value() + res.read_value())
        t.compat.v1.assign_add(ref, 1.0, name="bump")
        t.compat.v1.train.GradientDescentOptimizer(0.1).minimize(res * 2.0)

        @t.function
        def read(v):
            return v + 1.0

        read(passed)
        t.compat.v1.train.Saver([ref, res])
    state = _ModeState(g)
    assert state.updates("ref").assigns == ["bump"] and not state.updates("ref").optimizer
    assert not state.updates("res").assigns and state.updates("res").optimizer
    assert state.updates("passed").opaque and not state.updates("passed").assigns


# --- GL105 auto-numbered-name-shift ---------------------------------------------------------

def test_gl105_pairs_the_shifted_names_by_creation_line():
    path = _case("numbering_shift")
    temperature, w, b = (_line(path, "temperature = tf.compat.v1.Variable("), _line(path, "w = tf.compat.v1.Variable("),
                         _line(path, "b = tf.compat.v1.Variable("))
    first, second = _findings(lint_case(path), "GL105")
    assert (first.name, first.modes, _where(first.location)) == \
        ("Variable", ("train", "eval", "predict"), f"numbering_shift.py:{w}")
    assert "named 'Variable' in train/predict but 'Variable_1' in eval" in first.message
    assert "in eval, 'Variable' went to what the line at " in first.message
    assert "TensorFlow renamed the requested 'Variable' to 'Variable_1' in eval" in first.message
    assert "eval looks up 'Variable_1', which in train is the variable created at " in first.message
    assert "of shape [3]: a resource variable is restored without a shape check" in first.message
    assert _related(first) == {(f"numbering_shift.py:{temperature}", "in eval, this line creates 'Variable' first"),
                               (f"numbering_shift.py:{b}", "in train, 'Variable_1' is created here")}
    assert (second.name, _where(second.location)) == ("Variable_1", f"numbering_shift.py:{b}")
    assert "'Variable_1' in train/predict but 'Variable_2' in eval" in second.message
    assert "which train's checkpoint does not have: restore fails (NotFoundError)" in second.message
    assert _related(second) == {(f"numbering_shift.py:{w}", "in eval, this line creates 'Variable_1' first")}
    assert not _findings(lint_case(_case("numbering_shift_fixed")), "GL105")


HELPER_TAKER = """
import tensorflow as tf

from graphlint.rules.example_common import input_fn, params, spec  # noqa: F401


def scalar(value):
    return tf.compat.v1.Variable(value, trainable=False)  # the variable is made here, in every caller


def model_fn(features, labels, mode, params):
    temperature = 1.0
    if mode == tf.estimator.ModeKeys.EVAL:
        temperature = scalar(2.0)
    w = tf.compat.v1.Variable(tf.zeros([4, params["units"]]))
    return spec(mode, tf.matmul(features["x"], w) / temperature, labels)
"""


def test_gl105_names_the_call_that_only_one_mode_made_not_the_helper(tmp_path):
    """The variable that took the number is made in a helper: the note is on the call under the
    `if` (the line the other modes never ran, as GL101 finds it), not on the helper's line."""
    path = write_model(tmp_path, HELPER_TAKER, "helper.py")
    (f,) = [f for f in _findings(lint_case(path), "GL105") if f.name == "Variable"]
    call, helper = _line(path, "temperature = scalar(2.0)"), _line(path, "return tf.compat.v1.Variable(")
    assert (f"helper.py:{call}", "in eval, this line creates 'Variable' first") in _related(f)
    assert all(_where(r.site) != f"helper.py:{helper}" for r in f.related)
    assert f"in eval, 'Variable' went to what the line at {path}:{call} creates first" in f.message


def test_gl105_silent_wrong_restore():
    path = _case("numbering_shift_silent")
    report = lint_case(path)
    (f,) = _findings(report, "GL105")
    noise = _line(path, "noise_scale = tf.compat.v1.Variable(")
    assert (f.name, _where(f.location)) == ("Variable_1", f"numbering_shift_silent.py:{_line(path, 'bias = tf')}")
    assert (f"eval/predict look up 'Variable', which in train is the variable created at "
            f"{f.related[0].site}, of the same shape and dtype: eval/predict silently load that variable's value"
            ) in f.message
    assert _where(f.related[0].site) == f"numbering_shift_silent.py:{noise}"
    assert not _findings(report, "GL101") and not _findings(report, "GL102"), "only GL105 sees this one"


@pytest.mark.realtf
def test_gl105_claims_hold_in_tensorflow(tmp_path):
    # the shifted names: the first failure TF names is the missing key
    real = run_for_real(_case("numbering_shift"), str(tmp_path / "shift"))
    assert real.missing_keys == {"Variable_2"}
    # when EVAL skips the second variable no key is missing, and the shifted one meets another shape:
    # a resource variable (TF2's default) is restored anyway and fails where the shape matters ...
    source = open(_case("numbering_shift")).read()
    old = '    b = tf.compat.v1.Variable(tf.zeros([params["units"]]))\n'
    assert old in source
    source = source.replace(old, old.replace("b = ", "b = 0.0 if mode == tf.estimator.ModeKeys.EVAL else "))
    path = write_model(tmp_path, source, "shape.py")
    (f,) = [f for f in _findings(lint_case(path), "GL105") if f.name == "Variable"]
    assert f.message.endswith("of shape [3]: a resource variable is restored without a shape check, so eval "
                              "computes with that [3] value instead of a [4, 3] one, and fails wherever the "
                              "shape does not fit")
    shape = run_for_real(path, str(tmp_path / "shape"))
    # the fact, not TensorFlow's wording (the kernel's message differs between builds)
    assert shape.restore_error is None and shape.eval_error.startswith("InvalidArgumentError")
    # ... and a ref variable fails at restore
    source = source.replace("tf.compat.v1.Variable(tf.compat.v1.glorot_uniform_initializer()([4, params[\"units\"]]))",
                            "tf.compat.v1.Variable(tf.compat.v1.glorot_uniform_initializer()([4, params[\"units\"]]), "
                            "use_resource=False)")
    assert "use_resource=False" in source
    path = write_model(tmp_path, source, "shape_ref.py")
    (f,) = [f for f in _findings(lint_case(path), "GL105") if f.name == "Variable"]
    assert f.message.endswith("of shape [3]: restore fails (shapes differ)")
    ref = run_for_real(path, str(tmp_path / "shape_ref"))
    assert ref.restore_error.startswith("InvalidArgumentError:") and ref.eval_error is None
    # the silent one: evaluation prints the train-only variable's 7.0s as its bias
    silent = run_for_real(_case("numbering_shift_silent"), str(tmp_path / "silent"))
    assert silent.ok and silent.output.splitlines()[0] == "bias: [7.0, 7.0, 7.0]"
    assert run_for_real(_case("numbering_shift_fixed"), str(tmp_path / "fixed")).ok


def test_gl105_needs_evidence_of_auto_numbering(tmp_path):
    """Numbers the user chose (a loop over mode-dependent ranges) are not TensorFlow's."""
    source = '''
import tensorflow as tf

from graphlint.rules.example_common import input_fn, params, spec  # noqa: F401


def model_fn(features, labels, mode, params):
    first = 1 if mode == tf.estimator.ModeKeys.EVAL else 0
    logits = features["x"][:, :params["units"]]
    for i in range(first, first + 2):
        logits += tf.compat.v1.get_variable("head_%d" % (i + 1), [params["units"]])
    return spec(mode, logits, labels)
'''
    report = lint_case(write_model(tmp_path, source))
    assert not _findings(report, "GL105")
    assert _findings(report, "GL101")  # the symptom is still reported


# --- GL106 per-mode-params-shape ------------------------------------------------------------

def test_gl106_is_silent_when_the_params_are_the_same(tmp_path):
    """The shape depends on the mode itself (GL102 and its `if` note say so), not on the params."""
    source = '''
import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401


def model_fn(features, labels, mode, params):
    units = params["units"] + (1 if mode == tf.estimator.ModeKeys.EVAL else 0)
    return spec(mode, linear(features, units), labels)
'''
    report = lint_case(write_model(tmp_path, source))
    assert _findings(report, "GL102") and not _findings(report, "GL106")


def test_gl106_names_the_param_that_sizes_the_variable():
    path = _case("params_shape")
    (f,) = _findings(lint_case(path), "GL106")
    assert (f.name, f.modes, f.severity) == ("w", ("train", "eval", "predict"), "error")
    assert "restoring one mode's checkpoint in another" in f.message  # what GL102 would have said
    assert "batch_size (train: 4, eval: 8, predict: 4); units (train: 3, eval: 4, predict: 3)" in f.message
    assert "the differing dimension equals 'units' in every mode" in f.message
    assert f.fix.startswith("give every mode the same units ")
    assert "model.layers" not in f.message  # nested params are compared, and these are equal
    # w is made by the shared example model's linear(), which is graphlint's code, not the user's:
    # the finding is at the model file's line that calls it
    assert _where(f.location) == f"params_shape.py:{_line(path, 'linear(features')}"
    (g,) = _findings(lint_case(_case("shape_by_params")), "GL106")
    assert "units (train: 3, eval: 4, predict: 3)" in g.message


# --- GL107 ema-shadow-not-trained -----------------------------------------------------------

def test_gl107_explains_the_missing_ema_key():
    path = _case("ema_eval_only")
    (f,) = _findings(lint_case(path), "GL107")
    assert (f.name, f.modes, f.severity) == ("w/ExponentialMovingAverage", ("eval", "predict"), "error")
    assert _where(f.location) == f"ema_eval_only.py:{_line(path, 'Saver(ema.variables_to_restore())')}"
    assert "the moving-average shadow of 'w': the eval/predict Saver restores 'w' from it" in f.message
    assert "the train graph creates no '.../ExponentialMovingAverage' variable at all" in f.message
    assert "NotFoundError: Key w/ExponentialMovingAverage not found in checkpoint" in f.message
    assert _related(f) == {(f"ema_eval_only.py:{_line(path, 'linear(features')}", "'w' is created here")}
    assert not _findings(lint_case(_case("ema_fixed")), "GL107")


_PARTIAL_EMA = open(os.path.join(CASES, "ema_eval_only.py")).read().replace(
    '        if params["use_ema"]:\n            with tf.control_dependencies([train_op]):\n'
    '                train_op = ema.apply(tf.compat.v1.trainable_variables())\n',
    '        bias = tf.compat.v1.get_variable("bias", [], trainable=False)\n'
    '        with tf.control_dependencies([train_op]):\n'
    '            train_op = ema.apply([bias])\n')


@pytest.mark.realtf
def test_gl107_when_training_averages_other_variables(tmp_path):
    assert _PARTIAL_EMA != open(os.path.join(CASES, "ema_eval_only.py")).read()
    path = write_model(tmp_path, _PARTIAL_EMA)
    (f,) = _findings(lint_case(path), "GL107")
    assert "the train graph averages other variables (e.g. 'bias/ExponentialMovingAverage') but not 'w'" in f.message
    real = run_for_real(path, str(tmp_path / "work"))
    assert real.missing_keys == {"w/ExponentialMovingAverage"}


@pytest.mark.realtf
def test_gl107_claims_hold_in_tensorflow(tmp_path):
    real = run_for_real(_case("ema_eval_only"), str(tmp_path / "bad"))
    assert real.restore_error.startswith("NotFoundError:")
    assert real.missing_keys == {"w/ExponentialMovingAverage"}
    assert run_for_real(_case("ema_fixed"), str(tmp_path / "fixed")).ok
    # and the fix with the EMA on: training makes the averages, evaluation restores them
    source = open(_case("ema_fixed")).read().replace('"use_ema": False', '"use_ema": True')
    path = write_model(tmp_path, source, "ema_on.py")
    assert run_for_real(path, str(tmp_path / "on")).ok
    assert _ckpt_value(str(tmp_path / "on"), "w/ExponentialMovingAverage")
    assert not [f for f in lint_case(path).findings if f.severity == "error"]
