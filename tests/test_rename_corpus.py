"""The rename corpus: checkpoints written and trained by real TensorFlow, renamed the ways real code
renames them (a prefix over numbered layers, Keras-style auto-number shifts, same-shaped towers
moved under a new scope, partitioned variables, optimizer slots throughout), with the new side's
values identical to the old, fine-tuned from them (real Adam steps) or freshly initialized.

`graphlint ckpt diff OLD NEW` must print exactly the true renames (an ambiguous key gets no map
line), and its assignment_map, pasted into init_from_checkpoint in a real graph of the new
names, must load into every variable the value of the old key it names.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from graphlint.checkpoint import diff as diff_lib  # noqa: E402
from graphlint.checkpoint import diff_report  # noqa: E402
from graphlint.model.tfcompat import tf  # noqa: E402

pytestmark = pytest.mark.realtf  # every test here runs real TensorFlow (trains, evaluates or restores)

H = 16
PARTITIONED = {"emb"}  # leaf names built with a fixed_size_partitioner(2)


def _layer(scope, leaves=("kernel", "bias")):
    return {f"{scope}/{leaf}": ([H, H] if leaf == "kernel" else [H]) for leaf in leaves}


def _bert(prefix):
    out = {}
    for i in range(4):
        for part in ("query", "key", "value"):
            out.update(_layer(f"{prefix}/encoder/layer_{i}/attention/{part}"))
    return out


def _dense(n, first=0):
    return {k: v for i in range(first, first + n) for k, v in _layer("dense" if i == 0 else f"dense_{i}").items()}


def _towers(names):
    return {k: v for t in names for d in ("dense", "dense_1") for k, v in _layer(f"{t}/{d}").items()}


def _embedding(scope):
    return {f"{scope}/emb": [20, H], **_layer(f"{scope}/dense")}


def _shift(name):
    head, _, rest = name.partition("/")
    number = 0 if head == "dense" else int(head.split("_")[1])
    return f"dense_{number + 1}/{rest}"


# name -> (old variables, new variables, old name -> new name for the variables that are renamed)
SCENARIOS = {
    "prefix_numbered": (_bert("bert"), _bert("bert_model"), lambda n: n.replace("bert/", "bert_model/", 1)),
    "auto_number_shift": (_dense(3), _dense(4), _shift),
    "towers_moved": (_towers(["item_tower", "user_tower"]), _towers(["two_tower/item", "two_tower/user"]),
                     lambda n: "two_tower/" + n.replace("_tower", "", 1)),
    "partitioned": (_embedding("old"), _embedding("new"), lambda n: n.replace("old/", "new/", 1)),
}
VALUES = ("identical", "finetuned", "fresh")


def _graph(variables, seed):
    """Variables of these names (emb partitioned), an Adam train op on a loss that reaches all."""
    t = tf()
    v1 = t.compat.v1
    v1.set_random_seed(seed)
    made, loss = {}, 0.0
    for name, shape in sorted(variables.items()):
        leaf = name.rsplit("/", 1)[1]
        init = v1.zeros_initializer() if leaf == "bias" else v1.glorot_uniform_initializer()
        part = v1.fixed_size_partitioner(2) if leaf in PARTITIONED else None
        made[name] = v1.get_variable(name, shape, initializer=init, partitioner=part)
        target = t.constant(np.random.default_rng(len(name)).normal(size=shape).astype("float32"))
        loss += t.reduce_mean(t.square(t.convert_to_tensor(made[name]) - target))
    step = v1.train.get_or_create_global_step()
    train = v1.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
    return made, train


def _write(directory, variables, steps, seed, warm=None):
    """Train `steps` Adam steps (after init_from_checkpoint(*warm) when given) and save."""
    os.makedirs(directory, exist_ok=True)
    t = tf()
    v1 = t.compat.v1
    with t.Graph().as_default():
        _, train = _graph(variables, seed)
        if warm is not None:
            v1.train.init_from_checkpoint(*warm)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            for _ in range(steps):
                sess.run(train)
            return v1.train.Saver(sharded=True).save(sess, os.path.join(directory, "model.ckpt"))


@pytest.fixture(scope="module", params=[(s, v) for s in SCENARIOS for v in VALUES], ids=lambda p: f"{p[0]}-{p[1]}")
def corpus(request, tmp_path_factory):
    scenario, values = request.param
    old, new, rename = SCENARIOS[scenario]
    root = tmp_path_factory.mktemp(f"{scenario}-{values}")
    old_prefix = _write(str(root / "old"), old, steps=3, seed=1)
    truth = {n: rename(n) for n in old if rename(n) in new}
    warm = None if values == "fresh" else (old_prefix, {o: n for o, n in truth.items()})
    new_prefix = _write(str(root / "new"), new, steps=5 if values == "finetuned" else 0, seed=2, warm=warm)
    return scenario, values, old_prefix, new_prefix, truth, new


def _expected(scenario, values, truth):
    """The renames the evidence can settle: all of them, except an auto-number shift whose values
    say nothing (fresh): then the common names are compared as they are, and nothing is printed."""
    if scenario == "auto_number_shift" and values == "fresh":
        return {}
    return {o: n for o, n in truth.items() if o != n}


def test_every_printed_pair_is_right_and_ambiguity_prints_no_map_line(corpus):
    scenario, values, old_prefix, new_prefix, truth, _ = corpus
    d = diff_lib.diff(old_prefix, new_prefix)
    doc = json.loads(diff_report.render_json(d))
    base_pairs = {r.a: r.b for r in d.renamed if not r.slot}
    assert base_pairs == _expected(scenario, values, truth), (base_pairs, d.unsure)
    for r in d.renamed:  # slots (Adam, Adam_1) follow their variable
        base_a, base_b = (r.a.rsplit("/", 1)[0], r.b.rsplit("/", 1)[0]) if r.slot else (r.a, r.b)
        assert truth.get(base_a) == base_b and (not r.slot or r.a.rsplit("/", 1)[1] == r.b.rsplit("/", 1)[1]), r
    assert not set(doc["assignment_map"]) & {u["a"] for u in doc["unsure"]}


def test_the_printed_map_pasted_loads_the_values_it_names(corpus):
    scenario, values, old_prefix, new_prefix, truth, new = corpus
    d = diff_lib.diff(old_prefix, new_prefix)
    text = diff_report.render_text(d)
    amap = _pasted(text)
    assert amap == json.loads(diff_report.render_json(d))["assignment_map"]
    if not amap:
        return
    t = tf()
    v1 = t.compat.v1
    reader = t.train.load_checkpoint(old_prefix)
    with t.Graph().as_default():
        made, _ = _graph(new, seed=3)
        v1.train.init_from_checkpoint(old_prefix, amap)  # exactly as printed
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            loaded = {n: sess.run(t.convert_to_tensor(v)) for n, v in made.items()}
    for old_key, new_key in amap.items():
        np.testing.assert_array_equal(loaded[new_key], reader.get_tensor(old_key))
        assert truth[old_key] == new_key


def _pasted(text):
    """The `assignment_map = {...}` block of the text report, evaluated as a user's paste would be."""
    lines = text.splitlines()
    if "assignment_map = {" not in lines:
        return {}
    start = lines.index("assignment_map = {")
    end = lines.index("}", start)
    scope = {}
    exec("\n".join(lines[start:end + 1]), scope)  # noqa: S102 - graphlint's own output
    return scope["assignment_map"]
