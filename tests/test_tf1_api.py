"""graphlint.lint(..., tf1=...): the Python API's door to the TF1 runtime, as --tf1 is the command
line's, and the process after the call as it was before (switches, import machinery, sys.modules).

The model is compat.v1 code whose training hook fetches `net/w/read:0`, the read op of a ref
variable: TF 1.x built it (and so does the runtime), TensorFlow 2's resource variable has none, so
the same code is GL201 without the runtime and clean with it.
"""

import builtins
import importlib
import sys

import pytest

import graphlint
from graphlint import tf1
from graphlint.model import tfcompat

tf2 = tfcompat.tf()

MODEL = """\
import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode, params):
    with tf.variable_scope("net"):
        w = tf.get_variable("w", [4, 2])
    logits = tf.matmul(features["x"], w)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    step = tf.train.get_or_create_global_step()
    hook = tf.train.LoggingTensorHook({"w": "net/w/read:0"}, every_n_iter=1)  # a ref variable's read
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=tf.train.AdamOptimizer(0.1).minimize(loss, step),
                                      training_hooks=[hook])


def input_fn():
    x = tf.ones([8, 4])
    return tf.data.Dataset.from_tensor_slices(({"x": x}, tf.zeros([8], tf.int32))).batch(2)
"""


def _process():
    """What the runtime may touch, as this process has it now."""
    from tensorflow.python import tf2 as tf2_flag
    from tensorflow.python.framework import tensor_shape
    from tensorflow.python.ops import control_flow_util

    return {"tf2": tf2_flag.enabled(), "eager": tf2.executing_eagerly(),
            "resource": tf2.compat.v1.resource_variables_enabled(), "shape_v2": tensor_shape._TENSORSHAPE_V2_OVERRIDE,
            "cf_v2": control_flow_util.ENABLE_CONTROL_FLOW_V2, "import": builtins.__import__,
            "import_module": importlib.import_module, "tensorflow": sys.modules["tensorflow"],
            "contrib": sorted(n for n in sys.modules if n.startswith("tensorflow.contrib")), "active": tf1.active()}


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(MODEL)
    return str(path)


def _linted(*args, **kwargs):
    before = _process()
    report = graphlint.lint(*args, modes=["train"], **kwargs)
    assert _process() == before  # no trace of the runtime after the call
    return {f.code for f in report.errors}, "TF1 runtime" in report.info.estimator_api


def test_lint_tf1_true_builds_a_file_under_the_runtime(model):
    assert _linted(model) == ({"GL201"}, False)  # TF 2's resource variable has no net/w/read
    assert _linted(model, tf1=True) == (set(), True)


def test_lint_tf1_none_is_the_config_and_false_overrides_it(model, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.graphlint]\ntf1 = true\n")
    assert _linted(model) == (set(), True)
    assert _linted(model, tf1=False) == ({"GL201"}, False)


def test_lint_tf1_true_builds_callables_with_tf1s_switches(model):
    spec = importlib.util.spec_from_file_location("tf1_api_model", model)
    module = importlib.util.module_from_spec(spec)
    with tfcompat.estimator_api():
        spec.loader.exec_module(module)
    assert _linted(model_fn=module.model_fn, input_fn=module.input_fn) == ({"GL201"}, False)
    assert _linted(model_fn=module.model_fn, input_fn=module.input_fn, tf1=True) == (set(), True)


def test_lint_of_tf1_code_needs_no_flag_and_leaves_no_trace(tmp_path):
    path = tmp_path / "tf1_model.py"
    path.write_text(MODEL.replace("import tensorflow.compat.v1 as tf", "import tensorflow as tf"))
    assert _linted(str(path)) == (set(), True)  # `import tensorflow as tf` with tf.variable_scope: TF1 code
    import tensorflow as tf

    assert tf is tf2 and not hasattr(tf, "variable_scope")
