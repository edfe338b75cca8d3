"""GL305 and GL309 tell apart the two reasons TF rejects an init_from_checkpoint map, both a
ValueError at graph build: a key the checkpoint lacks, and a key it has with another shape.
Each verdict is checked against TF: the build raises, a real training run fails, and the
checkpoint has (or lacks) the key with the shape the message gives."""

import os
import sys

import pytest

from conftest import CASES
from corpus import lint_case, literal
from graphlint.model.tfcompat import estimator_api, real_estimator, tf
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


@pytest.mark.realtf
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


EVAL_ONLY = os.path.join(CASES, "warm_start_eval_only.py")


@pytest.mark.realtf
def test_a_scope_map_names_the_eval_only_variable_the_source_lacks(tmp_path):
    """{'enc/': 'encoder/'}: TRAIN's encoder/w has enc/w; EVAL's encoder/eval_scale has no
    enc/eval_scale. TF trains, then fails building EVAL; GL305 names that variable and its key,
    with the line of the init_from_checkpoint call."""
    (finding,) = lint_case(EVAL_ONLY).findings
    assert (finding.code, finding.modes, finding.name) == ("GL305", ("eval",), "encoder/eval_scale")
    assert "'enc/eval_scale'" in finding.message and finding.location.line == 20
    assert "enc/eval_scale" not in tf().train.load_checkpoint(SOURCE).get_variable_to_shape_map()
    outcome = run_for_real(EVAL_ONLY, str(tmp_path), train_steps=1, eval_steps=1)
    assert outcome.train_error is None
    assert (outcome.eval_error or outcome.restore_error or "").startswith("ValueError")


@pytest.mark.realtf
def test_a_scope_map_names_every_variable_the_source_lacks(tmp_path):
    """TF stops at the first variable of a scope entry whose key is missing; GL305 names each."""
    path = tmp_path / "model.py"
    path.write_text(f'''
import tensorflow as tf

from graphlint.rules.example_common import input_fn, params, spec


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope("encoder"):
        w = tf.compat.v1.get_variable("w", [4, 3])
        v = tf.compat.v1.get_variable("v", [3])
        u = tf.compat.v1.get_variable("u", [3])
    tf.compat.v1.train.init_from_checkpoint({SOURCE!r}, {{"enc/": "encoder/"}})
    return spec(mode, tf.matmul(features["x"], w) + v + u, labels)
''')
    got = sorted((f.code, f.name, f.location.line) for f in lint_case(path).findings)
    assert got == [("GL305", "encoder/u", 12), ("GL305", "encoder/v", 12)]
    outcome = run_for_real(str(path), str(tmp_path / "real"), train_steps=1, eval_steps=1)
    assert (outcome.train_error or "").startswith("ValueError:")


PROGRAM = '''
import sys
sys.path.insert(0, {cases!r})
import tensorflow as tf
from warm_start_eval_only import input_fn, model_fn
est = tf.estimator.Estimator(model_fn, model_dir=sys.argv[1], params={{"units": 3}})
est.train(lambda: input_fn({{}}), steps=1)
est.evaluate(lambda: input_fn({{}}), steps=1)
'''


@pytest.mark.skipif(real_estimator() is None, reason="the program runs the real Estimator")
def test_the_call_line_when_model_fn_lives_outside_the_program_folder(tmp_path):
    """`graphlint run` of a program whose model_fn is imported from another folder: no frame is in
    the program's folder, yet GL305 gives the line of the init_from_checkpoint call."""
    import json
    import subprocess

    from conftest import ROOT

    program = tmp_path / "task.py"
    program.write_text(PROGRAM.format(cases=CASES))
    proc = subprocess.run([sys.executable, "-m", "graphlint", "run", "--format", "json", "--jobs", "1", "--",
                           str(program), str(tmp_path / "m")], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2"))
    (finding,) = [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "GL305"]
    assert finding["name"] == "encoder/eval_scale" and finding["modes"] == ["eval"]
    assert finding["location"]["file"].endswith("warm_start_eval_only.py") and finding["location"]["line"] == 20
    real = subprocess.run([sys.executable, str(program), str(tmp_path / "real")], capture_output=True, text=True,
                          timeout=600, env=dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2"))
    assert real.returncode != 0 and "ValueError" in real.stderr.strip().splitlines()[-1]
    assert tf().train.latest_checkpoint(str(tmp_path / "real"))  # train ran; evaluate failed building EVAL
