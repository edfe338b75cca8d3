"""The shared boilerplate of the runnable examples in the rule docstrings.

Every rule's `## Example` and `## Fix` section holds one ```python block that is a complete model
file. The docstrings import the boilerplate every model file needs from here, so each shows only
what matters for its rule:

    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec

    def model_fn(features, labels, mode, params):
        return spec(mode, linear(features, params["units"]), labels)

What users read (`graphlint rules CODE`, docs/rules.md) has that import replaced by the source of
the helpers it names and those they use (graphlint.rules.docs.pasteable), so a printed block
imports only TensorFlow (and numpy, which TensorFlow depends on): save it as model.py and run
`graphlint diff model.py` to see the rule fire (Example) or stay silent (Fix); for the checkpoint
rules (GL3xx), train the Fix for a step to get a checkpoint, then `graphlint check model.py
--checkpoint DIR` the Example. Keep the helpers self-contained top-level definitions: their source
is copied as it is written here.

tests/test_rule_examples.py runs every registered rule's printed Example and Fix. The Example must
produce at least one finding of the rule's code and, from other rules, nothing above info
severity; the Fix must produce no finding of the rule's code and nothing above info severity.
A rule class may set (graphlint.rules.Rule declares them, with the defaults that mean none):

 * `example_also = ("GL101",)`: other codes its Example may also produce at warning or error
   severity, when the rule explains a symptom that another rule reports (a cause rule and its
   symptom fire together). The Fix must still be clean.
 * `example_options = {"per_mode_params": {"eval": {"units": 4}}}`: keyword arguments for
   `graphlint.lint()` that a model file cannot express (per-mode params, modes).
 * `example_needs = "why"`: the rule has no runnable example yet (the test skips it, saying why).
   Without it, a rule whose docstring has no runnable Example or Fix fails the test.

It is also the test suite's one example model: the models in tests/cases/ and the tests' own model
sources import it as a user's model imports a library (so a finding on a variable `linear` makes
is at the model file's line that calls it). A change here changes their graphs: re-make the fast
lane's recordings (tests/fast/recording.py says how).

This module imports TensorFlow; nothing in graphlint imports it (docs reads its source as text), so
`graphlint rules` stays fast.
"""

import numpy as np
import tensorflow as tf

params = {"units": 3}


def input_fn(params):
    """Eight rows of four features `x` and a 0/1 label, repeated, in batches of four."""
    x = np.arange(32, dtype="float32").reshape(8, 4) / 32.0
    y = (x[:, :1] > 0.5).astype("float32")
    return tf.data.Dataset.from_tensor_slices(({"x": x}, y)).repeat().batch(4)


def linear(features, units, name="w", dtype=tf.float32):
    """x @ w, with w = tf.compat.v1.get_variable(name, [4, units], dtype)."""
    w = tf.compat.v1.get_variable(name, [4, units], dtype=dtype)
    return tf.matmul(tf.cast(features["x"], dtype), w)


def train_op(mode, loss):
    """In TRAIN, one gradient-descent step on every trainable variable, counting global_step;
    None in the other modes (they need no train_op, and building gradients is slow)."""
    if mode != tf.estimator.ModeKeys.TRAIN:
        return None
    return tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
        loss, global_step=tf.compat.v1.train.get_global_step())


_old_checkpoint = []


def old_checkpoint():
    """The folder of a checkpoint written by an older version of the model, to warm-start from:
    it has `enc/w` [4, 3] (and global_step). Written once per process, in a temporary folder that
    is removed at exit."""
    if not _old_checkpoint:
        import atexit
        import os
        import shutil
        import tempfile

        folder = tempfile.mkdtemp(prefix="graphlint-example-")
        atexit.register(shutil.rmtree, folder, True)
        with tf.Graph().as_default():
            step = tf.compat.v1.train.get_or_create_global_step()
            with tf.compat.v1.variable_scope("enc"):
                tf.compat.v1.get_variable("w", [4, 3])
            with tf.compat.v1.Session() as session:
                session.run(tf.compat.v1.global_variables_initializer())
                tf.compat.v1.train.Saver().save(session, os.path.join(folder, "model.ckpt"), global_step=step,
                                                write_meta_graph=False)
        _old_checkpoint.append(folder)
    return _old_checkpoint[0]


def spec(mode, logits, labels, **kwargs):
    """The EstimatorSpec for `mode`: in PREDICT the predictions only (returned before the labels
    are used), else a squared-error loss on the first logit, and in TRAIN its train_op. Other
    keyword arguments (hooks, scaffold, eval_metric_ops) go to EstimatorSpec as they are."""
    predictions = tf.identity(logits, name="predictions")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": predictions}, **kwargs)
    loss = tf.reduce_mean(tf.square(tf.cast(logits[:, :1], tf.float32) - labels))
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op(mode, loss), **kwargs)
