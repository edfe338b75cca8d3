"""`graphlint ckpt diff A B` against real checkpoints written by TensorFlow's Saver (sharded,
partitioned), and the warm-start check against real warm-started training runs."""

from __future__ import annotations

import json
import os
import textwrap

import numpy as np
import pytest

from graphlint.checkpoint import diff as diff_lib
from graphlint.checkpoint import warmstart
from graphlint.cli import main
from graphlint.model.tfcompat import tf
from realtf.checkpoints import write_variables

KERNEL = np.arange(12, dtype="float32").reshape(4, 3) + 1
EMB = np.arange(20, dtype="float32").reshape(10, 2)
ENC = np.full([5, 7], 0.5, dtype="float32")

# name -> (value, partitions)
A = {"dense/kernel": (KERNEL, 1), "dense/bias": (np.ones(3, "float32"), 1), "emb": (EMB, 2),
     "enc/w": (ENC, 1), "head/w": (np.ones([3, 2], "float32"), 1), "old_only": (np.ones([6], "int64"), 1),
     "zero": (np.zeros([2], "float32"), 1)}
B = {"dense/kernel": (KERNEL * 2, 1), "dense/bias": (np.ones(3, "float32"), 1), "emb": (EMB, 3),
     "encoder/w": (ENC, 1), "head/w": (np.ones([3, 4], "float32"), 1), "new_only": (np.ones([9], "float64"), 1),
     "zero": (np.ones([2], "float32"), 1)}


def _write(model_dir, variables):
    """A sharded checkpoint over two CPU devices, so it has several data shards."""
    return write_variables(model_dir, {name: value for name, (value, _) in variables.items()}, step=0,
                           partitions={name: parts for name, (_, parts) in variables.items()}, cpus=2)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("diff")
    a, b = root / "a", root / "b"
    a.mkdir()
    b.mkdir()
    return _write(str(a), A), _write(str(b), B)


def test_checkpoints_are_sharded_and_partitioned(pair):
    for prefix in pair:
        assert len(tf().io.gfile.glob(prefix + ".data-*")) > 1
    reader = tf().train.load_checkpoint(pair[1])
    assert reader.get_variable_to_shape_map()["emb"] == [10, 2]  # 3 partitions, one key of the full shape


def test_keys_renames_changes_and_values(pair):
    d = diff_lib.diff(*pair)
    assert [e.key for e in d.only_a] == ["old_only"] and [e.key for e in d.only_b] == ["new_only"]
    assert [(r.a, r.b, r.distance.identical) for r in d.renamed] == [("enc/w", "encoder/w", True)]
    assert [(c.key, c.a, c.b) for c in d.changed] == [("head/w", ((3, 2), "float32"), ((3, 4), "float32"))]
    rows = {r.a: r.distance for r in d.common}
    # Most changed first: 'zero' (||a|| = 0: infinitely far), then the doubled kernel, then identical keys.
    assert [r.a for r in d.common] == ["zero", "dense/kernel", "dense/bias", "emb", "global_step"]
    assert rows["zero"].rel_l2 == float("inf") and rows["zero"].cosine is None
    k = rows["dense/kernel"]
    assert k.max_abs == pytest.approx(np.abs(KERNEL).max())
    assert k.rel_l2 == pytest.approx(1.0) and k.cosine == pytest.approx(1.0) and not k.identical
    # emb is saved in 2 partitions in A and 3 in B: the reader gives both whole, and they are equal.
    assert rows["emb"].identical and rows["dense/bias"].identical


def test_values_read_one_key_at_a_time(pair, monkeypatch):
    calls = []
    get = diff_lib._Values.get
    monkeypatch.setattr(diff_lib._Values, "get", lambda self, key: calls.append(key) or get(self, key))
    d = diff_lib.diff(*pair)
    # every key once per side for its comparison or its pairing sketch; a renamed pair once more
    # for its row
    keys = [r.a for r in d.common] * 2 + [e.key for e in d.only_a + d.only_b] + [r.a for r in d.renamed] * 2 \
        + [r.b for r in d.renamed] * 2
    assert sorted(calls) == sorted(keys)


def test_cosine_and_relative_l2_of_orthogonal_and_opposite_vectors():
    assert diff_lib.distance(np.array([1.0, 0.0]), np.array([0.0, 1.0])).cosine == pytest.approx(0.0)
    opposite = diff_lib.distance(np.array([1.0, 2.0]), np.array([-1.0, -2.0]))
    assert opposite.cosine == pytest.approx(-1.0) and opposite.rel_l2 == pytest.approx(2.0)
    assert diff_lib.distance(np.array([b"x"]), np.array([b"y"])) == diff_lib.Distance(False)


def test_ignore_class_filter_and_strip_prefix(pair):
    d = diff_lib.diff(*pair, ignore_classes=["global_step"], filter_regex="^(dense|global)")
    assert [r.a for r in d.common] == ["dense/kernel", "dense/bias"] and d.hidden == {"global_step": 2}
    stripped = diff_lib.diff(*pair, filter_regex="^enc", strip_prefix="enc/=encoder/")
    assert [(r.a, r.b) for r in stripped.common] == [("enc/w", "encoder/w")] and not stripped.renamed


def test_cli_text_json_and_the_listing_still_works(pair, capsys):
    assert main(["ckpt", "diff", *pair, "--top", "1"]) == 0
    text = capsys.readouterr().out
    assert '"enc/w": "encoder/w",' in text and "most changed shown" in text
    assert main(["ckpt", *pair, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["assignment_map"] == {"enc/w": "encoder/w"} and doc["common"][0]["rel_l2"] == "inf"
    assert main(["ckpt", pair[0]]) == 0 and "dense/kernel" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["ckpt", "diff", "x"], ["ckpt", "diff", "A", "B", "--filter", "("],
                                  ["ckpt", "diff", "A", "B", "--ignore-class", "slots"],
                                  ["ckpt", "diff", "A", "B", "--strip-prefix", "nope"],
                                  ["ckpt", "one", "--top", "3"]])
def test_bad_input_is_one_line_and_exit_2(pair, argv, capsys):
    argv = [pair[0] if a == "A" else pair[1] if a == "B" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("graphlint: error: ") and err.count("\n") == 1


# -- the warm-start check, on real warm-started training runs ----------------------------------

MODEL = '''
import numpy as np
import tensorflow as tf

SOURCE = {source!r}
SCOPE = {scope!r}
params = {{}}


def input_fn(params):
    x = np.linspace(0, 1, 32, dtype="float32").reshape(8, 4)
    return tf.data.Dataset.from_tensor_slices(({{"x": x}}, x[:, :1])).repeat().batch(4)


def shared_names_map(checkpoint):
    """BERT's way: map the variables whose names the graph and the checkpoint share."""
    in_ckpt = {{name for name, _ in tf.train.list_variables(checkpoint)}}
    return {{v.op.name: v.op.name for v in tf.compat.v1.trainable_variables() if v.op.name in in_ckpt}}


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope(SCOPE):
        w = tf.compat.v1.get_variable("w", [4, 3])
        b = tf.compat.v1.get_variable("b", [3])
    tf.compat.v1.train.init_from_checkpoint(SOURCE, shared_names_map(SOURCE))
    logits = tf.matmul(features["x"], w) + b
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    step = tf.compat.v1.train.get_global_step()
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.01).minimize(loss, global_step=step)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, predictions={{"y": logits}})
'''


def _pretrained(folder):
    rng = np.random.default_rng(1)
    return write_variables(folder, {"bert/w": rng.normal(size=(4, 3)).astype("float32"),
                                    "bert/b": np.full([3], 0.7, "float32")}, name="pretrained.ckpt")


@pytest.fixture(scope="module")
def warm_runs(tmp_path_factory):
    """Two real training runs warm-started from one checkpoint: one whose scope matches the
    checkpoint's (loads), one renamed (BERT's shared-names map is empty: silently loads nothing)."""
    from tests.realtf import run_for_real

    root = tmp_path_factory.mktemp("warm")
    source = _pretrained(str(root))
    runs = {}
    for name, scope in (("loads", "bert"), ("renamed", "encoder")):
        model = root / f"{name}.py"
        model.write_text(textwrap.dedent(MODEL.format(source=source, scope=scope)))
        outcome = run_for_real(str(model), str(root / name), train_steps=1, eval_steps=1)
        assert outcome.ok, outcome
        runs[name] = (str(model), str(root / name))
    return source, runs


def test_warm_start_that_loads(warm_runs):
    source, runs = warm_runs
    model, model_dir = runs["loads"]
    calls, pairs = warmstart.mapped_by(model)
    assert calls == 1 and pairs == [("bert/b", "bert/b"), ("bert/w", "bert/w")]
    ws = warmstart.check(source, model_dir, pairs, calls, model)
    assert ws.loaded and ws.close == 2
    # TF's own reader agrees: one small step away from the source, far closer than a fresh init.
    loaded, src = (tf().train.load_variable(p, "bert/w") for p in (model_dir, source))
    assert np.linalg.norm(loaded - src) / np.linalg.norm(src) < diff_lib.CLOSE_REL_L2


def test_warm_start_that_silently_loads_nothing(warm_runs, capsys):
    source, runs = warm_runs
    model, model_dir = runs["renamed"]
    calls, pairs = warmstart.mapped_by(model)
    assert calls == 1 and pairs == []
    src = tf().train.load_variable(source, "bert/w")
    trained = tf().train.load_variable(model_dir, "encoder/w")
    assert np.linalg.norm(trained - src) / np.linalg.norm(src) > diff_lib.CLOSE_REL_L2  # TF: not loaded
    assert main(["ckpt", "diff", source, model_dir, "--mapped-by", model]) == 0
    out = capsys.readouterr().out
    assert "empty assignment_map: nothing was loaded" in out
    # one layer under two unrelated scope names, values that cannot tell (12 entries, a constant):
    # the pairing says it is unsure and prints no map line for them
    assert "unsure (2)" in out and '"bert/w": "encoder/w",' not in out
    # The map a user meant (bert/ -> encoder/): TF never applied it, and no value matches its source.
    assert main(["ckpt", "diff", source, model_dir, "--assignment-map", '{"bert/": "encoder/"}',
                 "--format", "json"]) == 0
    ws = json.loads(capsys.readouterr().out)["warm_start"]
    assert (ws["mapped"], ws["close"], ws["loaded"]) == (2, 0, False)
