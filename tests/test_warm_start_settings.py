"""GL310 on an Estimator's WarmStartSettings, evaluated with TensorFlow's own variable selection,
and partitioned variables (a canned estimator's, an init_from_checkpoint's) counted once. Each
verdict is checked against a real training run of the real Estimator (TF 2.15 +
tensorflow-estimator): learning rate 0, so a variable TF warm-started still holds its source
value exactly, and one it did not holds its own initial value."""

import numpy as np
import pytest

import graphlint
from graphlint.model.tfcompat import estimator_api, real_estimator, tf
from realtf.checkpoints import write_variables

pytestmark = pytest.mark.realtf  # every test here runs real TensorFlow (trains, evaluates or restores)

# graphlint's verdicts run on every TensorFlow (TF 2.16+: its stand-in Estimator and
# WarmStartSettings); the real training runs that prove them need tensorflow-estimator.
REAL = real_estimator() is not None
needs_estimator = pytest.mark.skipif(not REAL, reason="canned estimators need the real tensorflow-estimator")

W = np.arange(12, dtype="float32").reshape(4, 3) / 10 + 1
B = np.full([3], 0.7, "float32")


def input_fn():
    x = np.linspace(0, 1, 32, dtype="float32").reshape(8, 4)
    return tf().data.Dataset.from_tensor_slices(({"x": x}, x[:, :1])).repeat().batch(4)


def model_fn(features, labels, mode):
    t = tf()
    v1 = t.compat.v1
    with v1.variable_scope("encoder"):
        w = v1.get_variable("w", [4, 3])
        b = v1.get_variable("b", [3], initializer=v1.zeros_initializer())
    logits = t.matmul(features["x"], w) + b
    loss = t.reduce_mean(t.square(logits[:, :1] - labels))
    train_op = v1.train.GradientDescentOptimizer(0.0).minimize(loss, global_step=v1.train.get_global_step())
    return t.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, predictions={"y": logits})


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return write_variables(str(tmp_path_factory.mktemp("source")), {"encoder/w": W, "encoder/b": B}, step=5)


def _estimator(model_dir, settings):
    with estimator_api():
        return _api().Estimator(model_fn, model_dir=str(model_dir), warm_start_from=settings)


def _api():
    """tf.estimator, or graphlint's stand-in for it (Estimator, WarmStartSettings) on TF 2.16+."""
    if REAL:
        with estimator_api():
            return tf().estimator
    from graphlint.program import standin

    return standin


def _gl310(model_dir, settings):
    report = graphlint.lint(estimator=_estimator(model_dir, settings), input_fn=input_fn, modes=("train",))
    return [f for f in report.findings if f.code == "GL310"]


def _trained(model_dir, settings):
    """Train 1 step for real; {variable: value} from the checkpoint it wrote."""
    _estimator(model_dir, settings).train(input_fn, steps=1)
    reader = tf().train.load_checkpoint(str(model_dir))
    return {name: reader.get_tensor(name) for name in ("encoder/w", "encoder/b")}


@pytest.mark.parametrize("selection", ["^decoder/", ["^decoder/"], ["decoder/w", "decoder/b"], "^ncoder/", None])
def test_a_selection_that_matches_no_variable_loads_nothing_silently(source, tmp_path, selection):
    settings = _api().WarmStartSettings(source, vars_to_warm_start=selection)
    (finding,) = _gl310(tmp_path / "gl", settings)
    assert finding.severity == "error" and "selects none of the 2 trainable variables" in finding.message
    if not REAL:
        return
    trained = _trained(tmp_path / "real", settings)  # TF raises nothing, and loads nothing
    np.testing.assert_array_equal(trained["encoder/b"], np.zeros(3))  # its initializer, not the source's 0.7
    assert not np.allclose(trained["encoder/w"], W)


@pytest.mark.parametrize("selection", [".*", "^encoder/", ["^encoder/w", "encoder/b"], "encoder/w"])
def test_a_selection_that_matches_is_loaded_and_quiet(source, tmp_path, selection):
    settings = _api().WarmStartSettings(source, vars_to_warm_start=selection)
    assert _gl310(tmp_path / "gl", settings) == []
    if not REAL:
        return
    trained = _trained(tmp_path / "real", settings)
    np.testing.assert_array_equal(trained["encoder/w"], W)
    if selection != "encoder/w":  # the regex 'encoder/w' selects w only: b keeps its zeros
        np.testing.assert_array_equal(trained["encoder/b"], B)
    else:
        np.testing.assert_array_equal(trained["encoder/b"], np.zeros(3))


# --- a canned estimator with partitioned variables, warm-started from its own architecture -----

def _canned(model_dir, warm_start_from=None, learning_rate=0.0):
    t = tf()
    v1 = t.compat.v1
    column = t.feature_column.embedding_column(t.feature_column.categorical_column_with_hash_bucket("c", 20), 3)
    with estimator_api():
        return v1.estimator.DNNClassifier(
            [8, 4], [t.feature_column.numeric_column("x", shape=[4]), column], model_dir=str(model_dir),
            warm_start_from=warm_start_from, optimizer=v1.train.GradientDescentOptimizer(learning_rate),
            input_layer_partitioner=v1.min_max_variable_partitioner(max_partitions=2, min_slice_size=1))


def canned_input_fn():
    x = np.linspace(0, 1, 32, dtype="float32").reshape(8, 4)
    c = np.array([b"a", b"b", b"c", b"d"] * 2)
    return tf().data.Dataset.from_tensor_slices(({"x": x, "c": c}, (x[:, :1] > 0.5).astype("int32"))).repeat().batch(4)


@needs_estimator
def test_a_canned_estimator_warm_started_from_its_own_architecture_loads_every_variable(tmp_path):
    _canned(tmp_path / "source", learning_rate=0.1).train(canned_input_fn, steps=3)
    source = tf().train.latest_checkpoint(str(tmp_path / "source"))
    report = graphlint.lint(estimator=_canned(tmp_path / "gl", source), input_fn=canned_input_fn, modes=("train",))
    assert [f for f in report.findings if f.code == "GL310"] == []
    _canned(tmp_path / "real", source).train(canned_input_fn, steps=1)
    src, trained = (tf().train.load_checkpoint(p) for p in (source, str(tmp_path / "real")))
    weights = [k for k in src.get_variable_to_shape_map() if k.startswith("dnn/") and "/part_" not in k]
    partitioned = [k for k in weights if "embedding_weights" in k]
    assert len(weights) == 7 and partitioned  # 3 layers' kernel and bias, and the embedding in 2 partitions
    for key in weights:  # learning rate 0: every value is still its source's, so TF loaded every one
        np.testing.assert_array_equal(trained.get_tensor(key), src.get_tensor(key))


# --- init_from_checkpoint onto a partitioned variable ------------------------------------------

PARTITIONED = '''
import numpy as np
import tensorflow as tf

SOURCE = {source!r}
params = {{}}


def input_fn(params):
    x = np.linspace(0, 1, 32, dtype="float32").reshape(8, 4)
    return tf.data.Dataset.from_tensor_slices(({{"x": x}}, x[:, :1])).repeat().batch(4)


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope("encoder", partitioner=tf.compat.v1.fixed_size_partitioner(2)):
        w = tf.compat.v1.get_variable("w", [6, 4])  # glorot_uniform, in 2 partitions of [3, 4]
    tf.compat.v1.train.init_from_checkpoint(SOURCE, {{"enc/": "encoder/"}})
    logits = tf.matmul(features["x"], tf.transpose(w))
    loss = tf.reduce_mean(tf.square(logits - labels))
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.0).minimize(
        loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, predictions={{"y": logits}})
'''


def test_a_partitioned_variable_is_one_variable_to_gl310_and_to_ckpt_diff(tmp_path):
    """init_from_checkpoint loads the 2 partitions of encoder/w from enc/w (saved in 3): TF's
    values prove it; GL310 counts the variable once, under its whole name, and `ckpt diff
    --mapped-by` draws its initializer whole."""
    from corpus import lint_case
    from graphlint.checkpoint import warmstart
    from realtf import run_for_real

    value = np.random.default_rng(3).normal(size=(6, 4)).astype("float32")
    source = write_variables(str(tmp_path / "source"), {"enc/w": value}, partitions={"enc/w": 3})
    model = tmp_path / "model.py"
    model.write_text(PARTITIONED.format(source=source))
    assert [f for f in lint_case(model).findings if f.code == "GL310"] == []
    outcome = run_for_real(str(model), str(tmp_path / "real"), train_steps=1, eval_steps=1)
    assert outcome.ok, outcome
    np.testing.assert_array_equal(tf().train.load_variable(str(tmp_path / "real"), "encoder/w"), value)
    calls, pairs, initial = warmstart.mapped_by(str(model))
    assert pairs == [("enc/w", "encoder/w")]
    (_, _, evidence), = warmstart.check(source, str(tmp_path / "real"), pairs, calls, str(model), initial).pairs
    assert evidence.verdict == "loaded" and evidence.to_source == 0 and evidence.initializer.startswith("random")
    assert evidence.without_loading[0] > 0


@pytest.mark.parametrize("field", ["var_name_to_prev_var_name", "var_name_to_vocab_info"])
def test_a_map_naming_a_variable_the_selection_leaves_out_is_gl310_and_tf_raises(source, tmp_path, field):
    value = ("encoder/w" if field == "var_name_to_prev_var_name"  # tf.estimator.VocabInfo is this class
             else tf().compat.v1.train.VocabInfo("new_vocab.txt", 3, 0, "old_vocab.txt"))
    settings = _api().WarmStartSettings(source, vars_to_warm_start="^decoder/", **{field: {"decoder/w": value}})
    report = graphlint.lint(estimator=_estimator(tmp_path / "gl", settings), input_fn=input_fn, modes=("train",))
    assert [(f.code, f.severity) for f in report.findings] == [("GL310", "error")]
    assert "'decoder/w'" in report.findings[0].message
    if REAL:
        with pytest.raises(ValueError):
            _trained(tmp_path / "real", settings)
