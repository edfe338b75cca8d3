"""The TF1 runtime (graphlint/tf1): what `import tensorflow` gives TF1 code inside it, what TF 1.x
builds there, the contrib names it provides or refuses in one line, and that nothing is left after it."""

import builtins
import importlib
import sys
import textwrap

import pytest

from graphlint import tf1
from graphlint.model import tfcompat

tf2 = tfcompat.tf()  # the real TensorFlow 2 module, as this process has it


def _switches() -> dict:
    """TensorFlow's global 1.x/2.x switches, read where TF keeps them."""
    from tensorflow.python import tf2 as tf2_flag
    from tensorflow.python.data.ops import dataset_ops
    from tensorflow.python.framework import tensor, tensor_shape
    from tensorflow.python.ops import control_flow_util

    v1 = tf2.compat.v1
    return {"tf2": tf2_flag.enabled(), "eager": tf2.executing_eagerly(), "resource": v1.resource_variables_enabled(),
            "shape_v2": tensor_shape._TENSORSHAPE_V2_OVERRIDE, "cf_v2": control_flow_util.ENABLE_CONTROL_FLOW_V2,
            "equality": tensor.Tensor._USE_EQUALITY, "dataset": dataset_ops.Dataset}


def test_inside_tf1_code_gets_the_1x_api_and_graph_mode():
    with tfcompat.estimator_api(), tf1.runtime():
        import tensorflow as tf

        assert tf.flags is tf2.compat.v1.flags and tf.app.run is tf2.compat.v1.app.run
        assert tf.variable_scope is tf2.compat.v1.variable_scope
        assert not tf.executing_eagerly()
        assert tf.estimator is tf2.compat.v1.estimator


def test_everything_is_restored_after_the_runtime():
    before, modules, importer, import_module = _switches(), dict(sys.modules), builtins.__import__, importlib.import_module
    with tf1.runtime():
        import tensorflow as tf

        assert tf.flags
        assert _switches() != before  # it did switch something (the test can fail)
    import tensorflow as tf

    assert tf is tf2
    with pytest.raises(AttributeError):
        tf.flags  # noqa: B018 - TF 2 has no tf.flags, as before the runtime
    assert _switches() == before
    assert builtins.__import__ is importer and importlib.import_module is import_module
    assert {k: v for k, v in sys.modules.items() if k in modules} == modules
    assert not [name for name in sys.modules if name.startswith("tensorflow.contrib")]
    assert not tf1.active()


def test_variables_are_ref_variables_as_tf_1_15_built_them_unless_asked():
    with tf1.runtime():
        import tensorflow as tf

        with tf.Graph().as_default() as graph:
            with tf.variable_scope("enc"):
                w = tf.get_variable("w", [2, 3])
                r = tf.get_variable("r", [2], use_resource=True)
            y = tf.matmul(tf.ones([1, 2]), w)
        assert graph.get_operation_by_name("enc/w").type == "VariableV2"
        assert y.op.inputs[1].op.name == "enc/w/read"  # what a TF1 hook fetches
        assert graph.get_operation_by_name("enc/r").type == "VarHandleOp"
        assert r.op.name == "enc/r"


def test_layer_norm_makes_tf1s_variable_names():
    with tf1.runtime():
        import tensorflow as tf
        from tensorflow.contrib import layers

        with tf.Graph().as_default():
            with tf.variable_scope("bert/embeddings"):
                layers.layer_norm(tf.ones([2, 4]), begin_norm_axis=-1, begin_params_axis=-1)
            names = [v.op.name for v in tf.global_variables()]
    assert names == ["bert/embeddings/LayerNorm/beta", "bert/embeddings/LayerNorm/gamma"]


def test_each_import_form_gives_the_contrib_symbols():
    if tfcompat.real_estimator() is None:
        pytest.skip("TPUEstimator is tensorflow-estimator's (TensorFlow 2.15); see the test of its refusal below")
    real = tf2.compat.v1
    with tfcompat.estimator_api() as est, tf1.runtime():
        import tensorflow as tf
        import tensorflow.contrib.data as contrib_data
        from tensorflow.contrib import cluster_resolver, layers, tpu
        from tensorflow.contrib.tpu import TPUEstimator

        assert TPUEstimator is tf.contrib.tpu.TPUEstimator is est.tpu.TPUEstimator
        assert tpu.TPUEstimatorSpec is est.tpu.TPUEstimatorSpec and tpu.RunConfig is est.tpu.RunConfig
        assert tpu.TPUConfig is est.tpu.TPUConfig and tpu.InputPipelineConfig is est.tpu.InputPipelineConfig
        assert tpu.CrossShardOptimizer is real.tpu.CrossShardOptimizer
        assert cluster_resolver.TPUClusterResolver is real.distribute.cluster_resolver.TPUClusterResolver
        assert contrib_data.map_and_batch is real.data.experimental.map_and_batch
        assert tf.contrib.data.parallel_interleave is real.data.experimental.parallel_interleave
        assert layers.layer_norm.__module__ == "tf_slim.layers.layers"
        from tensorflow.contrib import metrics

        assert metrics.streaming_pearson_correlation.__module__ == "tf_slim.metrics.metric_ops"
        assert tf.contrib.metrics.streaming_concat.__module__ == "tf_slim.metrics.metric_ops"


@pytest.mark.parametrize("statement,name", [
    ("from tensorflow.contrib import slim", "tf.contrib.slim"),
    ("import tensorflow.contrib.training.python.training.bucket_ops", "tf.contrib.training.python.training.bucket_ops"),
    ("import importlib; importlib.import_module('tensorflow.contrib.rnn')", "tf.contrib.rnn"),
    ("import tensorflow as tf; tf.contrib.tpu.TPUDistributionStrategy", "tf.contrib.tpu.TPUDistributionStrategy"),
    ("from tensorflow.contrib.layers import xavier_initializer", "tf.contrib.layers.xavier_initializer"),
])
def test_a_contrib_name_not_provided_is_one_clear_error(statement, name):
    with tf1.runtime(), pytest.raises(tf1.MissingSymbol) as raised:
        exec(statement, {"__name__": "users_code"})
    assert raised.value.symbol == name
    assert str(raised.value).startswith(f"{name} is not provided") and "\n" not in str(raised.value)


def test_tpu_estimator_without_tensorflow_estimator_is_refused_by_name():
    if tfcompat.real_estimator() is not None:
        pytest.skip("this TensorFlow has tensorflow-estimator's TPUEstimator")
    with tfcompat.estimator_api(), tf1.runtime(), pytest.raises(tf1.MissingSymbol) as raised:
        exec("from tensorflow.contrib.tpu import TPUEstimator", {"__name__": "users_code"})
    assert raised.value.symbol == "tf.contrib.tpu.TPUEstimator"
    assert "this TensorFlow has no tf.estimator.tpu.TPUEstimator" in str(raised.value)


def test_tensorflows_own_libraries_keep_tensorflow_2():
    with tf1.runtime():
        scope = {"__name__": "tensorflow_estimator.python.estimator.some_module"}
        exec("import tensorflow as tf", scope)
    assert scope["tf"] is tf2


def _write(folder, name, text):
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return str(path)


@pytest.mark.parametrize("source,tf1_code", [
    ("import tensorflow as tf\nflags = tf.flags\n", True),
    ("import tensorflow as tf\nx = tf.train.AdamOptimizer(0.1)\n", True),
    ("import tensorflow as t\nt.logging.info('x')\n", True),
    ("from tensorflow.contrib import layers\n", True),
    ("from tensorflow import gfile\n", True),
    ("import importlib\nslim = importlib.import_module('tensorflow.contrib.slim')\n", True),
    ("import tensorflow.compat.v1 as tf\ntf.logging.info('x')\n", False),  # runs on TF 2 as it is
    ("import tensorflow as tf\nx = tf.compat.v1.get_variable('x', [1])\n", False),
    ("import tensorflow as tf\nx = tf.keras.layers.Dense(2)\n", False),
])
def test_tf1_code_is_recognized_by_its_source(tmp_path, source, tf1_code):
    from graphlint.tf1 import detect

    assert detect.uses_tf1(_write(tmp_path, "model.py", source)) is tf1_code


def test_tf1_code_in_a_module_of_the_users_folder_counts(tmp_path):
    from graphlint.tf1 import detect

    (tmp_path / "pkg").mkdir()
    _write(tmp_path / "pkg", "__init__.py", "")
    _write(tmp_path / "pkg", "layers.py", "import tensorflow as tf\nw = tf.get_variable\n")
    main = _write(tmp_path, "model.py", "import tensorflow.compat.v1 as tf\nfrom pkg import layers\n")
    assert detect.uses_tf1(main)
    clean = _write(tmp_path, "other.py", "import tensorflow.compat.v1 as tf\nimport json\n")
    assert not detect.uses_tf1(clean)


TF1_MODEL = """\
import tensorflow as tf


def model_fn(features, labels, mode, params):
    with tf.variable_scope("net"):
        w = tf.get_variable("w", [4, 2])
    logits = tf.matmul(features["x"], w)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    step = tf.train.get_or_create_global_step()
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=tf.train.AdamOptimizer(0.1).minimize(loss, step))


def input_fn():
    x = tf.ones([8, 4])
    return tf.data.Dataset.from_tensor_slices(({"x": x}, tf.zeros([8], tf.int32))).batch(2)
"""


def test_graphlint_diff_of_tf1_code_says_so_and_leaves_no_trace(cli, tmp_path):
    before = _switches()
    model = _write(tmp_path, "model.py", TF1_MODEL)
    code, out, err = cli("diff", model, "--jobs", "1")
    assert code == 0, err
    assert "TF1 runtime" in out.splitlines()[0]
    assert _switches() == before
    import tensorflow as tf

    assert tf is tf2


def test_tf1_runtime_on_request_and_off_by_default(cli, tmp_path):
    model = _write(tmp_path, "model.py", TF1_MODEL.replace("import tensorflow as tf", "import tensorflow.compat.v1 as tf"))
    code, out, err = cli("diff", model, "--jobs", "1")
    assert code == 0, err
    assert "TF1 runtime" not in out.splitlines()[0]
    code, out, err = cli("diff", model, "--jobs", "1", "--tf1")
    assert code == 0, err
    assert "TF1 runtime" in out.splitlines()[0]
    (tmp_path / "pyproject.toml").write_text("[tool.graphlint]\ntf1 = true\n")
    code, out, err = cli("diff", model, "--jobs", "1")
    assert "TF1 runtime" in out.splitlines()[0]


def test_a_model_using_a_missing_contrib_symbol_is_one_line_and_exit_2(cli, tmp_path):
    model = _write(tmp_path, "model.py", "import tensorflow as tf\nslim = tf.contrib.slim\n" + TF1_MODEL)
    code, out, err = cli("diff", model, "--jobs", "1")
    assert code == 2
    (line,) = [ln for ln in err.splitlines() if ln.startswith("graphlint:")]
    assert "model.py:2: tf.contrib.slim is not provided by graphlint's TF1 runtime" in line
    assert "Traceback" not in err


def test_a_program_using_a_missing_contrib_symbol_is_one_line_and_exit_2(cli, tmp_path):
    program = _write(tmp_path, "train.py", "import tensorflow as tf\nfrom tensorflow.contrib import slim\n")
    code, out, err = cli("run", "--", program)
    assert code == 2
    (line,) = [ln for ln in err.splitlines() if ln.startswith("graphlint:")]
    assert "train.py:2: tf.contrib.slim is not provided by graphlint's TF1 runtime" in line
    assert "Traceback" not in err
    assert not tf1.active()


def test_a_cached_report_is_not_reused_across_tf1(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("GRAPHLINT_NO_CACHE", raising=False)
    model = _write(tmp_path, "model.py", TF1_MODEL.replace("import tensorflow as tf", "import tensorflow.compat.v1 as tf"))
    cache = tmp_path / "cache"
    code, out, err = cli("diff", model, "--jobs", "1", "--cache-dir", cache)
    assert "TF1 runtime" not in out.splitlines()[0]
    code, out, err = cli("diff", model, "--jobs", "1", "--cache-dir", cache, "--tf1")
    assert "TF1 runtime" in out.splitlines()[0]
