"""GL301 says "no checkpoint key has the same shape and dtype" only when that is true of the
checkpoint (read with TF's own reader); otherwise it names the best such keys and why each was
not offered as the rename."""

import os
import re

import pytest

from conftest import CASES
from corpus import lint_case
from graphlint.model.tfcompat import tf

SOURCE = os.path.join(CASES, "warm_start_ckpt", "model.ckpt-1")  # holds enc/w [4, 3] only

MODEL = '''
import tensorflow as tf

from graphlint.rules.example_common import input_fn, params, spec


def model_fn(features, labels, mode, params):
    x = tf.cast(features["x"], tf.float32)
    logits = 0.0
    for name, shape in {variables!r}:
        v = tf.compat.v1.get_variable(name, shape)
        logits += tf.reduce_sum(v) * x[:, :1]
    return spec(mode, logits, labels)
'''


@pytest.fixture(scope="module")
def four_alike(tmp_path_factory):
    """A checkpoint with a/w, b/w, c/w, d/w, all [4, 3] float32."""
    folder = tmp_path_factory.mktemp("ckpt")
    t = tf()
    with t.Graph().as_default():
        for name in ("a/w", "b/w", "c/w", "d/w"):
            t.compat.v1.get_variable(name, [4, 3])
        with t.compat.v1.Session() as session:
            session.run(t.compat.v1.global_variables_initializer())
            return t.compat.v1.train.Saver().save(session, str(folder / "model.ckpt"), write_meta_graph=False)


def _gl301(tmp_path, variables, ckpt):
    path = tmp_path / "model.py"
    path.write_text(MODEL.format(variables=variables))
    report = lint_case(path, "--checkpoint", ckpt, "--modes", "eval", command="check")
    return {f.name: f.message for f in report.findings if f.code == "GL301"}


def _alike(ckpt, shape):
    return [k for k, s in tf().train.list_variables(ckpt) if s == shape
            and tf().train.load_checkpoint(ckpt).get_variable_to_dtype_map()[k] == tf().float32]


@pytest.mark.realtf
def test_none_alike_is_said_only_when_the_checkpoint_has_none(tmp_path, four_alike):
    assert _alike(four_alike, [7]) == []
    message = _gl301(tmp_path, [("a/w", [4, 3]), ("zz", [7])], four_alike)["zz"]
    assert message.endswith("no checkpoint key has the same shape and dtype")


@pytest.mark.realtf
def test_alike_keys_are_named_best_first_three_at_most(tmp_path, four_alike):
    assert sorted(_alike(four_alike, [4, 3])) == ["a/w", "b/w", "c/w", "d/w"]
    message = _gl301(tmp_path, [("a/w", [4, 3]), ("zz", [4, 3])], four_alike)["zz"]
    assert "no checkpoint key" not in message
    assert "4 checkpoint keys of the same shape and dtype" in message
    named = re.findall(r"'([abcd]/w)' \(([^)]*)\)", message)
    assert [k for k, _ in named] == ["a/w", "b/w", "c/w"]  # equally unlike 'zz': by name
    assert named[0][1] == "the graph restores it under its own name"
    assert named[1][1] == named[2][1] == "its name is too unlike to pair"


def test_a_key_taken_by_a_likelier_name_is_named_with_its_pair(tmp_path):
    assert _alike(SOURCE, [4, 3]) == ["enc/w"]
    messages = _gl301(tmp_path, [("encoder/w", [4, 3]), ("zz", [4, 3])], SOURCE)
    assert "the checkpoint has 'enc/w' with the same shape and dtype" in messages["encoder/w"]
    assert messages["zz"].endswith(
        "1 checkpoint key of the same shape and dtype, none paired with it: 'enc/w' (paired with 'encoder/w')")
