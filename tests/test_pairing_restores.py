"""graphlint's rename pairing, applied for real, restores the checkpoint's values; and
`graphlint check` never writes to the checkpoint it reads.

The checkpoint is written by tests/scenarios/scenario_model.py under the scope old/ (with
model/extra, so that old/b and old/extra share a shape and the pairing has to choose by name);
the reader is the same model under new/. graphlint pairs each new/* key it cannot find with
the old/* key it leaves unused, and its assignment_map is then used, as a user would paste it,
(1) by init_from_checkpoint and (2) as a Saver var_list.
"""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from corpus import lint_case  # noqa: E402
from graphlint.report import pairing  # noqa: E402
from graphlint.model.tfcompat import estimator_api, tf  # noqa: E402
from realtf import _build, _import_model  # noqa: E402
from realtf.checkpoints import train_checkpoint  # noqa: E402

pytestmark = pytest.mark.realtf  # every test here runs real TensorFlow (trains, evaluates or restores)

MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios", "scenario_model.py")

WRITER = {"scope": "old", "extra": True}
READER = {"scope": "new", "extra": True}
VARIABLES = ("w", "b", "emb", "extra")


def _check(checkpoint, params):
    return lint_case(MODEL, "--checkpoint", checkpoint, "--params", json.dumps(params), command="check")


@pytest.fixture(scope="module")
def renamed(tmp_path_factory):
    prefix = train_checkpoint(MODEL, str(tmp_path_factory.mktemp("renamed")), steps=2, params=WRITER)
    return prefix, _check(prefix, READER)


def _fresh(mode, workdir):
    """A new graph with the reader's model_fn built for `mode`, as Estimator builds it."""
    graph = tf().Graph()
    with graph.as_default(), estimator_api() as est:
        key = {"train": est.ModeKeys.TRAIN, "eval": est.ModeKeys.EVAL, "predict": est.ModeKeys.PREDICT}[mode]
        _build(_import_model(MODEL), key, workdir, READER)
    return graph


def _values(sess):
    v1 = tf().compat.v1
    return {v.op.name: sess.run(v) for v in v1.global_variables() if v.op.name.startswith("new/")}


def _assert_hold_checkpoint_values(values, prefix, amap):
    reader = tf().train.load_checkpoint(prefix)
    graph_to_ckpt = {g: c for c, g in amap.items()}
    for name in (f"new/{v}" for v in VARIABLES):
        np.testing.assert_array_equal(values[name], reader.get_tensor(graph_to_ckpt[name]), err_msg=name)


def test_pairing_is_the_rename(renamed):
    _, report = renamed
    primary = [(p.a, p.b) for p in report.renames if p.evidence != "slot"]
    assert primary == [(f"new/{v}", f"old/{v}") for v in sorted(VARIABLES)]
    assert pairing.assignment_map(report.renames) == {f"old/{v}": f"new/{v}" for v in VARIABLES}


@pytest.mark.parametrize("mode", ["train", "eval", "predict"])
def test_assignment_map_warm_starts_the_checkpoint_values(renamed, mode):
    prefix, report = renamed
    amap = pairing.assignment_map(report.renames)
    v1 = tf().compat.v1
    with _fresh(mode, os.path.dirname(prefix)).as_default():
        v1.train.init_from_checkpoint(prefix, amap)
        init = [v1.global_variables_initializer(), v1.local_variables_initializer()]
        with v1.Session() as sess:
            sess.run(init)
            _assert_hold_checkpoint_values(_values(sess), prefix, amap)


@pytest.mark.parametrize("mode", ["train", "eval", "predict"])
def test_saver_var_list_restores_the_checkpoint_values(renamed, mode):
    """The Saver form includes the optimizer slots (new/*/Momentum <- old/*/Momentum), paired
    along with their variables, so it restores a TRAIN graph too."""
    prefix, report = renamed
    renames = pairing.saver_map(report.renames)
    v1 = tf().compat.v1
    with _fresh(mode, os.path.dirname(prefix)).as_default():
        var_list = {v.op.name: v for v in v1.global_variables()}
        for ckpt_key, graph_key in renames.items():
            if graph_key in var_list:
                var_list[ckpt_key] = var_list.pop(graph_key)
        saver = v1.train.Saver(var_list)
        with v1.Session() as sess:
            saver.restore(sess, prefix)
            _assert_hold_checkpoint_values(_values(sess), prefix, pairing.assignment_map(report.renames))


def test_pasted_code_works_as_printed(renamed):
    """The text `graphlint check` prints, executed in the reader's graph: the warm start
    initializes from old/*, and its Saver restores old/* over any other values."""
    prefix, report = renamed
    amap = pairing.assignment_map(report.renames)
    v1 = tf().compat.v1
    with _fresh("eval", os.path.dirname(prefix)).as_default():
        scope = {"tf": tf()}
        exec(pairing.code(report.renames, prefix), scope)  # noqa: S102 - our own output
        zero = [v.assign(tf().zeros_like(v)) for v in v1.global_variables() if v.op.name.startswith("new/")]
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            _assert_hold_checkpoint_values(_values(sess), prefix, amap)
            sess.run(zero)
            scope["saver"].restore(sess, prefix)
            _assert_hold_checkpoint_values(_values(sess), prefix, amap)


def test_slots_are_paired_with_their_variables(renamed):
    """TRAIN also restores the optimizer's slots; each is paired under its variable's pair."""
    _, report = renamed
    slots = {f"old/{v}/Momentum": f"new/{v}/Momentum" for v in VARIABLES}
    assert slots.items() <= pairing.saver_map(report.renames).items()
    assert not slots.keys() & pairing.assignment_map(report.renames).keys()


def _snapshot(directory):
    out = {}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        with open(path, "rb") as fh:
            out[name] = (hashlib.sha256(fh.read()).hexdigest(), os.stat(path).st_mtime_ns, os.stat(path).st_size)
    return out


def test_check_never_writes_to_the_checkpoint(renamed):
    prefix, _ = renamed
    directory = os.path.dirname(prefix)
    before = _snapshot(directory)
    _check(prefix, READER)
    # A warm-starting model_fn reads the checkpoint while graphlint builds it.
    warm = dict(READER, warm_start={"path": prefix, "map": {"old/": "new/"}})
    _check(directory, warm)
    assert _snapshot(directory) == before
