"""`graphlint ckpt diff A B` against real checkpoints written by TensorFlow's Saver (sharded,
partitioned), and the warm-start check against real warm-started training runs."""

from __future__ import annotations

import json
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

UNITS = 64  # wide enough that draws of the initializer are about equally far from the source
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
    tf.compat.v1.set_random_seed(7)
    with tf.compat.v1.variable_scope(SCOPE):
        w = tf.compat.v1.get_variable("w", [4, {units}])  # glorot_uniform
        b = tf.compat.v1.get_variable("b", [{units}], initializer=tf.compat.v1.zeros_initializer())
    if SOURCE:
        tf.compat.v1.train.init_from_checkpoint(SOURCE, shared_names_map(SOURCE))
    logits = tf.matmul(features["x"], w) + b
    loss = tf.reduce_mean(tf.square(logits - labels))  # every column learns
    step = tf.compat.v1.train.get_global_step()
    train_op = tf.compat.v1.train.AdamOptimizer(0.02).minimize(loss, global_step=step)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, predictions={{"y": logits}})
'''
STEPS = 10  # fine-tuning steps at a normal learning rate: they move a loaded variable 10-80% of its norm


def _pretrained(folder):
    rng = np.random.default_rng(1)
    return write_variables(folder, {"bert/w": rng.normal(scale=0.5, size=(4, UNITS)).astype("float32"),
                                    "bert/b": np.full([UNITS], 0.7, "float32")}, name="pretrained.ckpt")


@pytest.fixture(scope="module")
def warm_runs(tmp_path_factory):
    """Real training runs of STEPS Adam steps: warm-started from one checkpoint with the scope the
    checkpoint has (loads); renamed (BERT's shared-names map is empty: silently loads nothing);
    and the loading model resumed in a model_dir that already had a checkpoint from scratch
    (Estimator restores it, so the warm start's initializers never run: mapped, not loaded)."""
    from tests.realtf import run_for_real

    root = tmp_path_factory.mktemp("warm")
    source = _pretrained(str(root))
    models = {}
    for name, scope, src in (("loads", "bert", source), ("renamed", "encoder", source), ("scratch", "bert", "")):
        models[name] = root / f"{name}.py"
        models[name].write_text(textwrap.dedent(MODEL.format(source=src, scope=scope, units=UNITS)))
    runs = {}
    for name, model, model_dir in (("loads", "loads", "loads"), ("renamed", "renamed", "renamed"),
                                   ("resumed", "scratch", "resumed"), ("resumed", "loads", "resumed")):
        outcome = run_for_real(str(models[model]), str(root / model_dir), train_steps=STEPS, eval_steps=1)
        assert outcome.ok, outcome
        runs[name] = (str(models[model]), str(root / model_dir))
    return source, runs


def _glorot_gaps(source_w, draws=8):
    """||s - r|| for independent draws r of glorot_uniform [4, UNITS], computed by numpy."""
    limit = np.sqrt(6 / (4 + UNITS))
    rng = np.random.default_rng(0)
    return [np.linalg.norm(source_w - rng.uniform(-limit, limit, source_w.shape)) for _ in range(draws)]


@pytest.mark.realtf
def test_a_fine_tune_that_loaded_is_loaded_whatever_its_distance(warm_runs, capsys):
    source, runs = warm_runs
    model, model_dir = runs["loads"]
    calls, pairs, initial = warmstart.mapped_by(model)
    assert calls == 1 and pairs == [("bert/b", "bert/b"), ("bert/w", "bert/w")]
    ws = warmstart.check(source, model_dir, pairs, calls, model, initial)
    verdicts = {d: e.verdict for _, d, e in ws.pairs}
    assert verdicts == {"bert/w": "loaded", "bert/b": "loaded"} and ws.loaded
    # TF's own values: far from the source by a fixed yardstick (the old verdict said "nothing
    # was loaded"), yet much closer to it than a fresh draw of the initializer, or than zeros.
    t, s = (tf().train.load_variable(p, "bert/w") for p in (model_dir, source))
    assert np.linalg.norm(t - s) / np.linalg.norm(s) > 0.1
    gaps = _glorot_gaps(s)
    assert 2 * np.linalg.norm(t - s) <= 2 * min(gaps) - max(gaps)
    t_b, s_b = (tf().train.load_variable(p, "bert/b") for p in (model_dir, source))
    assert np.linalg.norm(t_b - s_b) / np.linalg.norm(s_b) > 0.1
    assert 2 * np.linalg.norm(t_b - s_b) <= np.linalg.norm(t_b)  # ||t - zeros||
    w = next(e for _, d, e in ws.pairs if d == "bert/w")
    assert w.initializer.startswith("random") and w.to_source == pytest.approx(np.linalg.norm(t - s), rel=1e-5)
    b = next(e for _, d, e in ws.pairs if d == "bert/b")
    assert b.initializer == "deterministic" and b.without_loading[0] == pytest.approx(np.linalg.norm(t_b), rel=1e-5)
    assert main(["ckpt", "diff", source, model_dir, "--mapped-by", model]) == 0
    out = capsys.readouterr().out
    assert "2 of 2 mapped variables are clearly closer to their source than to their initializer" in out


@pytest.mark.realtf
def test_a_mapped_variable_restored_from_model_dir_is_not_loaded(warm_runs, capsys):
    """The map is there, but Estimator restored model_dir's checkpoint: the warm start never ran."""
    source, runs = warm_runs
    model, model_dir = runs["resumed"]
    calls, pairs, initial = warmstart.mapped_by(model)
    ws = warmstart.check(source, model_dir, pairs, calls, model, initial)
    verdicts = {d: e.verdict for _, d, e in ws.pairs}
    assert verdicts["bert/w"] == "not loaded" and not ws.loaded
    t, s = (tf().train.load_variable(p, "bert/w") for p in (model_dir, source))
    gaps = _glorot_gaps(s)
    assert np.linalg.norm(t - s) >= 2 * min(gaps) - max(gaps)  # as far from the source as a fresh draw
    assert main(["ckpt", "diff", source, model_dir, "--mapped-by", model, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)["warm_start"]
    assert doc["loaded"] == 0 and doc["not_loaded"] >= 1
    pair = next(p for p in doc["pairs"] if p["model_key"] == "bert/w")
    low, high = pair["distance_without_loading"]["min"], pair["distance_without_loading"]["max"]
    assert 2 * low - high <= pair["distance_to_source"]


@pytest.mark.realtf
def test_warm_start_that_silently_loads_nothing(warm_runs, capsys):
    source, runs = warm_runs
    model, model_dir = runs["renamed"]
    calls, pairs, _ = warmstart.mapped_by(model)
    assert calls == 1 and pairs == []
    assert main(["ckpt", "diff", source, model_dir, "--mapped-by", model]) == 0
    out = capsys.readouterr().out
    assert "map no variable: nothing was loaded" in out
    # one layer under two unrelated scope names, values that cannot tell (12 entries, a constant):
    # the pairing says it is unsure and prints no map line for them
    assert "unsure (2)" in out and '"bert/w": "encoder/w",' not in out
    # The map a user meant (bert/ -> encoder/), without a model: no initializer to compare with.
    assert main(["ckpt", "diff", source, model_dir, "--assignment-map", '{"bert/": "encoder/"}',
                 "--format", "json"]) == 0
    ws = json.loads(capsys.readouterr().out)["warm_start"]
    assert (ws["mapped"], ws["loaded"], ws["unsure"]) == (2, 0, 2) and ws["verdict"].startswith("unsure")


@pytest.mark.parametrize("to_source, unloaded, deterministic, verdict", [
    (0.5, 1.0, False, "loaded"), (0.6, 1.0, False, "unsure"), (1.0, 1.0, False, "not loaded"),
    (0.5, 1.0, True, "loaded"), (0.6, 1.0, True, "unsure"), (2.0, 1.0, True, "not loaded"),
    (0.0, 0.0, True, "unsure"), (0.0, 0.0, False, "unsure"), (5.0, -1.0, False, "unsure")])
def test_the_decision_rule(to_source, unloaded, deterministic, verdict):
    from graphlint.checkpoint.initial import decide

    assert decide(to_source, unloaded, deterministic) == verdict


KERAS_INIT = '''
import numpy as np
import tensorflow as tf

SOURCE = {source!r}
params = {{}}


def input_fn(params):
    x = np.linspace(0, 1, 32, dtype="float32").reshape(8, 4)
    return tf.data.Dataset.from_tensor_slices(({{"x": x}}, x[:, :1])).repeat().batch(4)


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope("bert"):
        w = tf.compat.v1.get_variable("w", [4, {units}], initializer=tf.keras.initializers.GlorotUniform())
        b = tf.compat.v1.get_variable("b", [{units}], initializer=tf.compat.v1.zeros_initializer())
    if SOURCE:
        tf.compat.v1.train.init_from_checkpoint(SOURCE, {{"bert/": "bert/"}})
    loss = tf.reduce_mean(tf.square(tf.matmul(features["x"], w) + b - labels))
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.0).minimize(
        loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
'''


@pytest.mark.realtf
def test_a_keras_initializer_is_random_though_one_graph_repeats_it(tmp_path):
    """Keras' GlorotUniform is a stateless op seeded when the graph is built: one graph gives the
    same value on every run, yet two real runs start from different values. So it is drawn with
    fresh seeds, not taken for a deterministic initializer."""
    from tests.realtf import run_for_real

    model = tmp_path / "model.py"
    model.write_text(KERAS_INIT.format(source="", units=UNITS))
    for run in ("one", "two"):
        assert run_for_real(str(model), str(tmp_path / run), train_steps=1, eval_steps=1).ok
    starts = [tf().train.load_variable(str(tmp_path / run), "bert/w") for run in ("one", "two")]
    assert not np.array_equal(*starts)  # learning rate 0: each is its run's own initial value
    source = _pretrained(str(tmp_path))
    model.write_text(KERAS_INIT.format(source=source, units=UNITS))
    _, pairs, initial = warmstart.mapped_by(str(model))
    assert pairs == [("bert/b", "bert/b"), ("bert/w", "bert/w")]
    assert initial.is_random("bert/w") and not initial.is_random("bert/b")
    assert not np.array_equal(initial.draw("bert/w", 1), initial.draw("bert/w", 2))
    np.testing.assert_array_equal(initial.draw("bert/w", 1), initial.draw("bert/w", 1))  # reproducible
    ws = warmstart.check(source, str(tmp_path / "one"), pairs, 1, str(model), initial)  # run "one" never loaded
    assert {d: e.verdict for _, d, e in ws.pairs} == {"bert/w": "not loaded", "bert/b": "not loaded"}


@pytest.mark.realtf
def test_draws_of_an_unseeded_initializer_are_the_same_on_every_invocation(tmp_path, capsys):
    """glorot_uniform without any seed is a stateful op TF seeds at random: graphlint draws it
    from a copy seeded once, so the evidence printed does not change between invocations."""
    from tests.realtf import run_for_real

    source = _pretrained(str(tmp_path))
    model = tmp_path / "model.py"
    model.write_text(KERAS_INIT.format(source=source, units=UNITS).replace(
        ", initializer=tf.keras.initializers.GlorotUniform()", ""))
    assert run_for_real(str(model), str(tmp_path / "run"), train_steps=1, eval_steps=1).ok
    outputs = []
    for _ in range(2):
        assert main(["ckpt", "diff", source, str(tmp_path / "run"), "--mapped-by", str(model), "--format", "json"]) == 0
        outputs.append(json.loads(capsys.readouterr().out)["warm_start"])
    assert outputs[0] == outputs[1] and outputs[0]["loaded"] == 2  # learning rate 0: B holds A's values
    w = next(p for p in outputs[0]["pairs"] if p["model_key"] == "bert/w")
    assert w["initializer"].startswith("random") and w["distance_without_loading"]["min"] > 0
