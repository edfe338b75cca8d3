"""A printed fix is a claim: GL310's assignment_map is pasted into the model's own
init_from_checkpoint call in its real TRAIN graph, and every variable it names must then hold the
checkpoint value of the key it maps. Models: a BERT-style fine-tune whose encoder scope was renamed
(tests/realcode/bert_style/warm_start_renamed.py; its call runs in scaffold_fn, after the
optimizer), and a two-tower recommender whose towers moved under a new scope
(tests/newuser/two_tower_warm.py)."""

from __future__ import annotations

import ast
import json
import os
import sys

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from conftest import ROOT  # noqa: E402
from corpus import lint_case  # noqa: E402
from graphlint.model.tfcompat import estimator_api, tf  # noqa: E402
from realtf import _build, _import_model  # noqa: E402

pytestmark = pytest.mark.realtf  # every test here runs real TensorFlow (trains, evaluates or restores)

BERT = os.path.join(ROOT, "tests", "realcode", "bert_style")
MODEL = os.path.join(BERT, "warm_start_renamed.py")
PRETRAINED = os.path.join(BERT, "pretrained", "bert_model.ckpt")


@pytest.fixture
def printed_map():
    report = lint_case(MODEL)
    (finding,) = [f for f in report.findings if f.code == "GL310"]
    return ast.literal_eval(finding.fix.split("assignment_map: ", 1)[1])


def _resolve(amap, keys):
    """{checkpoint key: variable name} that a scope entry ('bert/': 'bert_model/') stands for."""
    out = {}
    for src, dst in amap.items():
        for key in keys:
            if key == src or (src.endswith("/") and key.startswith(src)):
                out[key] = dst + key[len(src):] if src.endswith("/") else dst
    return out


def test_the_printed_warm_start_map_pasted_loads_what_it_names(printed_map, tmp_path):
    t = tf()
    v1 = t.compat.v1
    reader = t.train.load_checkpoint(PRETRAINED)
    keys = sorted(reader.get_variable_to_shape_map())
    expected = _resolve(printed_map, keys)
    assert sorted(expected) == keys  # every pretrained variable is named by the map
    real = v1.train.init_from_checkpoint
    calls = []

    def pasted(ckpt, assignment_map):  # the model's own call, at its own line, with the printed map
        calls.append(assignment_map)
        return real(ckpt, printed_map)

    sys.path.insert(0, BERT)  # the model imports its neighbours, as under `graphlint diff`
    v1.train.init_from_checkpoint = pasted
    try:
        with t.Graph().as_default(), estimator_api() as est:
            spec, _ = _build(_import_model(MODEL), est.ModeKeys.TRAIN, str(tmp_path), {"use_tpu": False})
            spec.as_estimator_spec()  # runs scaffold_fn, the model's init_from_checkpoint, as TPUEstimator does
            assert calls == [{}]  # what the model passes on its own: the empty map of shared names
            variables = {v.op.name: v for v in v1.global_variables()}
            with v1.Session() as sess:
                sess.run(v1.global_variables_initializer())
                for key, name in expected.items():
                    np.testing.assert_array_equal(sess.run(variables[name]), reader.get_tensor(key))
    finally:
        v1.train.init_from_checkpoint = real
        sys.path.remove(BERT)


TWO_TOWER = os.path.join(ROOT, "tests", "newuser", "two_tower_warm.py")


def _old_towers(folder):
    """The older checkpoint, trained 3 real Adam steps with towers item_tower/ and user_tower/."""
    t = tf()
    v1 = t.compat.v1
    sys.path.insert(0, os.path.dirname(TWO_TOWER))
    try:
        model = _import_model(TWO_TOWER)
    finally:
        sys.path.remove(os.path.dirname(TWO_TOWER))
    with t.Graph().as_default():
        x = t.constant(np.random.default_rng(1).normal(size=(4, 8)).astype("float32"))
        item, user = model.towers(x, 8, names=("item_tower", "user_tower"))
        loss = t.reduce_mean(t.square(item * user - 1.0))
        train = v1.train.AdamOptimizer(0.01).minimize(loss)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            for _ in range(3):
                sess.run(train)
            return v1.train.Saver().save(sess, os.path.join(folder, "model.ckpt"))


def test_the_printed_two_tower_map_pasted_loads_each_tower_into_its_own(tmp_path):
    from corpus import has_v1_layers

    if not has_v1_layers():
        pytest.skip("tf.compat.v1.layers needs tf-keras on TensorFlow 2.16+")

    t = tf()
    v1 = t.compat.v1
    old = _old_towers(str(tmp_path))
    report = lint_case(TWO_TOWER, "--params", json.dumps({"old": old}))
    (finding,) = [f for f in report.findings if f.code == "GL310"]
    printed = ast.literal_eval(finding.fix.split("assignment_map: ", 1)[1])
    assert printed == {"item_tower/": "two_tower/item/", "user_tower/": "two_tower/user/"}
    reader = t.train.load_checkpoint(old)
    real = v1.train.init_from_checkpoint
    v1.train.init_from_checkpoint = lambda ckpt, assignment_map: real(ckpt, printed)  # pasted at its line
    try:
        with t.Graph().as_default(), estimator_api() as est:
            _build(_import_model(TWO_TOWER), est.ModeKeys.TRAIN, str(tmp_path), {"old": old})
            variables = {v.op.name: v for v in v1.global_variables()}
            with v1.Session() as sess:
                sess.run(v1.global_variables_initializer())
                for key in reader.get_variable_to_shape_map():
                    if key.startswith(("item_tower/", "user_tower/")) and "/Adam" not in key:
                        name = "two_tower/" + key.replace("_tower", "", 1)
                        np.testing.assert_array_equal(sess.run(variables[name]), reader.get_tensor(key))
    finally:
        v1.train.init_from_checkpoint = real
