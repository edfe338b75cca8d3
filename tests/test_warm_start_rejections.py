"""GL305 and GL309 tell apart the two reasons TF rejects an init_from_checkpoint map, both a
ValueError at graph build: a key the checkpoint lacks, and a key it has with another shape.
Each verdict is checked against TF: the build raises, a real training run fails, and the
checkpoint has (or lacks) the key with the shape the message gives."""

import os
import sys

import pytest

from conftest import CASES
from corpus import lint_case, literal
from graphlint.model.tfcompat import estimator_api, tf
from realtf import run_for_real

SOURCE = os.path.join(CASES, "warm_start_ckpt", "model.ckpt-1")
SHAPE, MISSING = (os.path.join(CASES, f"warm_start_{n}.py") for n in ("shape", "missing_key"))


def _build_train_graph(params):
    """model_fn in TRAIN, in a fresh graph, as Estimator calls it."""
    sys.path.insert(0, CASES)
    try:
        import warm_start_shape
    finally:
        sys.path.remove(CASES)
    t = tf()
    with t.Graph().as_default():
        features = {"x": t.compat.v1.placeholder(t.float32, [None, 4])}
        labels = t.compat.v1.placeholder(t.float32, [None, 1])
        t.compat.v1.train.get_or_create_global_step()
        warm_start_shape.model_fn(features, labels, t.estimator.ModeKeys.TRAIN, params)


def test_the_checkpoint_has_enc_w_of_shape_4_3_only():
    assert tf().train.load_checkpoint(SOURCE).get_variable_to_shape_map() == {"enc/w": [4, 3]}


@pytest.mark.parametrize("path, code, other", [(SHAPE, "GL309", "GL305"), (MISSING, "GL305", "GL309")])
def test_each_rejection_is_one_rule_and_tf_fails_the_build_and_training(path, code, other, tmp_path):
    findings = lint_case(path).findings
    assert [f.code for f in findings] == [code]
    with estimator_api(), pytest.raises(ValueError):
        _build_train_graph(literal(path, "params", None))
    outcome = run_for_real(path, str(tmp_path), train_steps=1, eval_steps=1)
    assert outcome.train_error is not None and outcome.train_error.startswith("ValueError:")


def test_shape_message_gives_both_shapes():
    (finding,) = lint_case(SHAPE).findings
    assert "'enc/w' [4, 3]" in finding.message and "'encoder/w' [4, 5]" in finding.message


def test_the_same_model_with_the_checkpoint_shape_builds():
    """The only difference from warm_start_shape.py is the width: the key and map are fine."""
    with estimator_api():
        _build_train_graph({"units": 3, "key": "enc/w"})
    assert lint_case(SHAPE, "--params", '{"units": 3}').findings == []


def test_a_map_with_both_problems_reports_both(tmp_path):
    """TF stops at the first entry it rejects (in key order); each entry alone fails too."""
    path = tmp_path / "model.py"
    path.write_text(f'''
import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope("encoder"):
        logits = linear(features, 5)
    tf.compat.v1.train.init_from_checkpoint({SOURCE!r}, {{"enc/w": "encoder/w", "enc/v": "encoder/w"}})
    return spec(mode, logits, labels)
''')
    got = sorted((f.code, f.name) for f in lint_case(path).findings)
    assert got == [("GL305", "enc/v"), ("GL309", "encoder/w")]
    for key in ("enc/w", "enc/v"):
        with estimator_api(), pytest.raises(ValueError):
            _build_train_graph({"units": 5, "key": key})
