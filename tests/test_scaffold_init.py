"""GL308 (issue 12, item 4): a custom Saver that leaves a global variable out is an error only
when nothing initializes the variable after a restore. Each scaffold below is trained for two
steps and evaluated from its checkpoint for real (Estimator on TF 2.15, its graph-mode replay on
2.16+), and graphlint must report GL308 exactly when that evaluation's session never becomes ready.
"""

import textwrap

import pytest

from corpus import lint_case, write_model
from realtf import run_for_real

MODEL = '''
import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    scale = tf.compat.v1.get_variable("scale", [], initializer=tf.compat.v1.ones_initializer(),
                                      use_resource={resource})
    kept = [v for v in tf.compat.v1.global_variables() if v is not scale]
    saver = tf.compat.v1.train.Saver(kept)
    only_kept = tf.compat.v1.report_uninitialized_variables(kept)
    local_init = tf.group(tf.compat.v1.train.Scaffold.default_local_init_op(), scale.initializer)
{extra}
    return spec(mode, logits * scale, labels, scaffold=tf.compat.v1.train.Scaffold(saver=saver{scaffold}))
'''

# id: (scaffold arguments, extra lines, GL308 expected). The expectation is what TensorFlow does,
# checked against a real run below; graphlint must agree with both.
ROUTES = {
    # nothing else: restored, never initialized
    "saver_only": ("", "", True),
    # init_op, init_feed_dict and init_fn run only when there is no checkpoint to restore
    "init_op": (", init_op=tf.compat.v1.global_variables_initializer()", "", True),
    "init_feed_dict": (", init_op=tf.group(tf.compat.v1.variables_initializer(kept), scale.assign(value)), "
                       "init_feed_dict={value: 2.0}",
                       "    value = tf.compat.v1.placeholder(tf.float32, [])", True),
    "init_fn": (", init_fn=lambda scaffold, session: session.run(scale.initializer)", "", True),
    # local_init_op runs after a restore, but the default ready_for_local_init_op waits for scale
    "local_init_op_alone": (", local_init_op=local_init", "", True),
    # a ready_for_local_init_op that does not check scale, but nothing in local_init_op sets it
    "ready_for_local_init_only": (", ready_for_local_init_op=only_kept", "", True),
    # both: local_init_op initializes scale once the restored variables are ready
    "local_init_op_and_ready": (", local_init_op=local_init, ready_for_local_init_op=only_kept", "", False),
    "local_init_op_assigns": (", local_init_op=assign, ready_for_local_init_op=only_kept",
                              "    assign = tf.group(tf.compat.v1.train.Scaffold.default_local_init_op(), "
                              "scale.assign(3.0))", False),
    # Scaffold.finalize takes ready_for_local_init_op from its graph collection when not given.
    # (Not local_init_op: Estimator's evaluation adds its own metric variables to the scaffold's
    # local_init_op only, so a LOCAL_INIT_OP collection op fails on those instead.)
    "ready_collection": (", local_init_op=local_init",
                         "    tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.READY_FOR_LOCAL_INIT_OP, only_kept)",
                         False),
}
CASES = [(name, resource) for name in ROUTES for resource in (True, False)]


def _write(tmp_path, name, resource):
    scaffold, extra, _ = ROUTES[name]
    return write_model(tmp_path, textwrap.dedent(MODEL).format(resource=resource, extra=extra, scaffold=scaffold),
                       f"{name}.py")


@pytest.mark.realtf
@pytest.mark.parametrize("name,resource", CASES, ids=[f"{n}-{'resource' if r else 'ref'}" for n, r in CASES])
def test_gl308_exactly_when_the_restored_session_never_becomes_ready(tmp_path, name, resource):
    path = _write(tmp_path, name, resource)
    expected = ROUTES[name][2]
    found = {f.name: f for f in lint_case(path).findings if f.code == "GL308"}
    assert set(found) == ({"scale"} if expected else set()), [f.message for f in found.values()]
    outcome = run_for_real(path, str(tmp_path / "run"))
    assert outcome.train_error is None, outcome.train_error  # training starts from init_op: fine
    assert outcome.restore_error is None  # the Saver restores all it asks for
    # evaluation's session creation fails (a RuntimeError naming scale), or evaluation runs
    assert (outcome.eval_error is not None) == expected, outcome.eval_error
    if expected:
        assert outcome.eval_error.startswith("RuntimeError") and "scale" in outcome.eval_error


def test_the_finding_says_why_local_init_op_did_not_help(tmp_path):
    blocked = lint_case(_write(tmp_path, "local_init_op_alone", True)).errors[0]
    assert "local_init_op never runs" in blocked.message
    unset = lint_case(_write(tmp_path, "ready_for_local_init_only", True)).errors[0]
    assert "local_init_op does not initialize it" in unset.message
