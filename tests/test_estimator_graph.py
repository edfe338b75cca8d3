"""graphlint's graphs are the graphs real Estimator builds, at the moments hooks look at them.

A recording hook, first among the spec's hooks, notes the op names at its begin() and its
after_create_session(), once inside real Estimator.train/evaluate/predict (TF 2.15 with
tensorflow-estimator) and once inside graphlint's build of the same model_fn: the names must be
the same, Estimator's own ops included (its loss summary, loss metric, eval step, Saver, init ops:
the last two once a hook looks one of them up, model/estimator_ops.Session).
"""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from graphlint.model.tfcompat import real_estimator  # noqa: E402

if real_estimator() is None:
    pytest.skip("needs the real tf.estimator (TF 2.15 with tensorflow-estimator)", allow_module_level=True)

import graphlint  # noqa: E402

PARAMS = {"units": 3}
MODE_NAMES = {"train": tf.estimator.ModeKeys.TRAIN, "eval": tf.estimator.ModeKeys.EVAL,
              "predict": tf.estimator.ModeKeys.PREDICT}


def input_fn(params):
    x = np.arange(32, dtype="float32").reshape(8, 4) / 32.0
    y = (x[:, :1] > 0.5).astype("float32")
    return tf.data.Dataset.from_tensor_slices(({"x": x}, y)).repeat().batch(4)


def _spec(mode, logits, labels, loss_fn=None, **extra):
    predictions = tf.identity(logits, name="predictions")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"p": predictions})
    loss = (loss_fn or (lambda: tf.reduce_mean(tf.square(logits[:, :1] - labels))))()
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        train_op = extra.pop("optimizer", tf.compat.v1.train.GradientDescentOptimizer(0.1)).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step())
    extra.pop("optimizer", None)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, **extra)


def linear(features, labels, mode, params):
    w = tf.compat.v1.get_variable("w", [4, params["units"]])
    return _spec(mode, tf.matmul(features["x"], w), labels)


def layers_with_metrics(features, labels, mode, params):
    """tf.compat.v1.layers, Adam, a metrics dict of its own (its `mean` pushes Estimator's to mean_1)."""
    hidden = tf.compat.v1.layers.dense(features["x"], 8, activation=tf.nn.relu, name="hidden")
    logits = tf.compat.v1.layers.dense(hidden, params["units"], name="logits")
    metrics = None
    if mode == tf.estimator.ModeKeys.EVAL:
        metrics = {"accuracy": tf.compat.v1.metrics.accuracy(labels, tf.round(tf.sigmoid(logits[:, :1]))),
                   "mean_logit": tf.compat.v1.metrics.mean(logits)}
    return _spec(mode, logits, labels, eval_metric_ops=metrics, optimizer=tf.compat.v1.train.AdamOptimizer())


def batch_norm_own_loss_summary(features, labels, mode, params):
    """Batch norm with UPDATE_OPS, Momentum, and a summary named `loss` (Estimator then adds none)."""
    training = mode == tf.estimator.ModeKeys.TRAIN
    net = tf.compat.v1.layers.batch_normalization(features["x"], training=training)
    logits = tf.compat.v1.layers.dense(net, params["units"])

    def loss_fn():
        loss = tf.compat.v1.losses.mean_squared_error(labels, logits[:, :1])
        tf.compat.v1.summary.scalar("loss", loss)
        return loss

    if not training:
        return _spec(mode, logits, labels, loss_fn)
    with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
        return _spec(mode, logits, labels, loss_fn, optimizer=tf.compat.v1.train.MomentumOptimizer(0.1, 0.9))


def scaffold_with_local_init(features, labels, mode, params):
    """A Scaffold with its own local_init_op and Saver: EVAL regroups the local init (Estimator)."""
    w = tf.compat.v1.get_variable("w", [4, params["units"]])
    seen = tf.compat.v1.get_variable("seen", [], collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES],
                                     initializer=tf.zeros_initializer())
    logits = tf.matmul(features["x"], w) + 0.0 * seen
    scaffold = tf.compat.v1.train.Scaffold(
        local_init_op=tf.group(tf.compat.v1.local_variables_initializer(), name="my_local_init"),
        saver=tf.compat.v1.train.Saver(name="my_saver"))
    return _spec(mode, logits, labels, scaffold=scaffold)


def summaries_and_names(features, labels, mode, params):
    """Histogram and scalar summaries in every mode, user tf.identity names, a variable scope."""
    with tf.compat.v1.variable_scope("tower"):
        w = tf.compat.v1.get_variable("w", [4, params["units"]])
        logits = tf.identity(tf.matmul(features["x"], w), name="logits")
    tf.compat.v1.summary.histogram("w", w)
    tf.compat.v1.summary.scalar("mean_logit", tf.reduce_mean(logits))
    return _spec(mode, logits, labels)


MODELS = [linear, layers_with_metrics, batch_norm_own_loss_summary, scaffold_with_local_init,
          summaries_and_names]


class Recorder(tf.compat.v1.train.SessionRunHook):
    """Notes the op names of the default graph when begin() and after_create_session() run, and
    looks up the op `look_up` names for its mode in before_run()."""

    def __init__(self, log, mode, look_up=None):
        self.log, self.mode, self.look_up = log, mode, (look_up or {}).get(mode)

    def begin(self):
        self.log[(self.mode, "begin")] = _names()

    def after_create_session(self, session, coord):
        self.log[(self.mode, "session")] = _names()

    def before_run(self, run_context):
        if self.look_up:
            tf.compat.v1.get_default_graph().get_operation_by_name(self.look_up)


def _names():
    return frozenset(op.name for op in tf.compat.v1.get_default_graph().get_operations())


def _recorded(model_fn, log, look_up=None):
    """model_fn with a Recorder first among the hooks of the mode it builds."""
    def recorded(features, labels, mode, params):
        spec = model_fn(features, labels, mode, params)
        field = {tf.estimator.ModeKeys.TRAIN: "training_chief_hooks",
                 tf.estimator.ModeKeys.EVAL: "evaluation_hooks",
                 tf.estimator.ModeKeys.PREDICT: "prediction_hooks"}[mode]
        mode_name = {v: k for k, v in MODE_NAMES.items()}[mode]
        return spec._replace(**{field: (Recorder(log, mode_name, look_up),) + tuple(getattr(spec, field))})
    return recorded


def _real(model_fn, workdir):
    log = {}
    estimator = tf.estimator.Estimator(_recorded(model_fn, log), model_dir=str(workdir), params=PARAMS)
    estimator.train(lambda: input_fn(PARAMS), steps=1)
    estimator.evaluate(lambda: input_fn(PARAMS), steps=1)
    next(estimator.predict(lambda: input_fn(PARAMS)))
    return log


@pytest.mark.realtf
@pytest.mark.parametrize("model_fn", MODELS, ids=lambda f: f.__name__)
def test_graphlint_sees_the_names_real_estimator_has_at_begin_and_at_session(model_fn, tmp_path):
    """The session's ops (Saver, init and readiness ops) are built when a hook looks one up, as
    here: each mode's Recorder asks for one of them in before_run()."""
    real = _real(model_fn, tmp_path)
    ours = {}
    look_up = {m: min(real[(m, "session")] - real[(m, "begin")]) for m in MODE_NAMES}
    report = graphlint.lint(model_fn=_recorded(model_fn, ours, look_up), input_fn=input_fn, params=PARAMS)
    for mode in MODE_NAMES:
        snap = report.snapshots[mode]
        assert snap.built, snap.failure
        at_begin = frozenset(snap.ops) - snap.late_ops
        assert ours[(mode, "begin")] == real[(mode, "begin")], (mode, _delta(ours[(mode, "begin")], real[(mode, "begin")]))
        assert at_begin == real[(mode, "begin")], (mode, _delta(at_begin, real[(mode, "begin")]))
        assert frozenset(snap.ops) == real[(mode, "session")], (mode, _delta(frozenset(snap.ops), real[(mode, "session")]))
    assert not report.errors, report.findings


def test_the_session_ops_are_built_only_for_a_hook_that_looks_one_up():
    ours = {}
    report = graphlint.lint(model_fn=_recorded(linear, ours), input_fn=input_fn, params=PARAMS)
    for mode in MODE_NAMES:
        snap = report.snapshots[mode]
        assert not snap.late_ops and frozenset(snap.ops) == ours[(mode, "begin")], mode
    assert not report.errors, report.findings


def test_estimator_ops_are_expected_classes_in_the_mode_diff():
    look_up = {m: "init" for m in MODE_NAMES}
    report = graphlint.lint(model_fn=_recorded(layers_with_metrics, {}, look_up), input_fn=input_fn, params=PARAMS)
    estimator_ops = set().union(*(s.estimator_ops for s in report.snapshots.values()))
    assert {"loss", "eval_step", "save/Const", "init"} <= estimator_ops
    rows = [r for r in report.mode_diff if set(r.examples) & estimator_ops]
    assert rows and all(r.cls != "other" for r in rows), rows


def _delta(ours, real):
    return {"graphlint only": sorted(ours - real)[:10], "estimator only": sorted(real - ours)[:10]}


def two_savers_in_eval(features, labels, mode, params):
    """Two Savers in the SAVERS collection: the session's Scaffold cannot pick one."""
    spec = linear(features, labels, mode, params)
    if mode == tf.estimator.ModeKeys.EVAL:
        for _ in range(2):
            tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.SAVERS, tf.compat.v1.train.Saver())
    return spec


@pytest.mark.realtf
def test_a_scaffold_that_cannot_be_finalized_fails_the_mode_without_building_its_ops(tmp_path):
    """The Scaffold's collection checks run although no hook makes graphlint build its ops."""
    estimator = tf.estimator.Estimator(two_savers_in_eval, model_dir=str(tmp_path), params=PARAMS)
    estimator.train(lambda: input_fn(PARAMS), steps=1)
    with pytest.raises(RuntimeError):
        estimator.evaluate(lambda: input_fn(PARAMS), steps=1)
    report = graphlint.lint(model_fn=two_savers_in_eval, input_fn=input_fn, params=PARAMS)
    assert [(f.code, f.severity, f.modes) for f in report.findings if f.severity == "error"] == \
        [("GL203", "error", ("eval",))]
    assert not report.snapshots["eval"].late_ops
