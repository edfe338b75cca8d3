"""The rename pairing is right, not just safe: over random variable trees, random renames of the
kinds real checkpoints go through, random dropped and added keys and random value noise, every
pair it prints is the true rename; with values that carry evidence (identical or fine-tuned) it
finds every one. No TensorFlow: runs in a second."""

import random

import numpy as np
import pytest

from graphlint.analysis.pairing import Sketches, pair

KERNELS = [(8, 8), (8, 16), (16, 8)]
BIG = 4  # the completeness test multiplies every dimension: every tensor then has 32+ entries
ROOTS = ["bert", "encoder", "model", "tower", "net", "head"]


def _tree(rng, scale=1):
    """{name: shape}: a model of one to three top scopes, each numbered layers or named layers."""
    names = {}
    for root in rng.sample(ROOTS, rng.randint(1, 3)):
        numbered = rng.random() < 0.6
        n = rng.randint(1, 4)
        layers = [f"layer_{i}" for i in range(n)] if numbered else ["dense", "dense_1", "conv"][:n]
        inner = rng.choice(["", "attention/", "ffn/"])
        for layer in layers:
            kshape = tuple(d * scale for d in rng.choice(KERNELS))
            base = f"{root}/{layer}/{inner}"
            names[base + "kernel"] = kshape
            if rng.random() < 0.7:
                names[base + "bias"] = (kshape[1],)
            if rng.random() < 0.3:
                names[base + "LayerNorm/gamma"] = (kshape[1],)
                names[base + "LayerNorm/beta"] = (kshape[1],)
    for name in list(names):
        if name.endswith("kernel") and rng.random() < 0.4:
            names[name + "/Adam"] = names[name]
            names[name + "/Adam_1"] = names[name]
    return names


def _rename(rng, names):
    """(kind, {old name: new name}) for one rename of the kinds checkpoints go through."""
    roots = sorted({n.split("/", 1)[0] for n in names})
    kind = rng.choice(["prefix", "prefix_unrelated", "insert", "remove", "move", "renumber", "synonym", "none"])
    root = rng.choice(roots)

    def under(f):
        return {n: (f(n) if n.split("/", 1)[0] == root else n) for n in names}

    if kind == "prefix":
        return kind, under(lambda n: root + "_model" + n[len(root):])
    if kind == "prefix_unrelated":
        return kind, under(lambda n: "zq" + n[len(root):])
    if kind == "insert":
        return kind, {n: "outer/" + n for n in names}
    if kind == "remove" and len(roots) == 1:
        return kind, {n: n.split("/", 1)[1] for n in names}
    if kind == "move":
        return kind, under(lambda n: "group/" + root + "_v2" + n[len(root):])
    if kind == "renumber":
        def shift(n):
            parts = n.split("/")
            if parts[0] == root and parts[1].startswith("layer_"):
                parts[1] = f"layer_{int(parts[1][6:]) + 1}"
            return "/".join(parts)
        return kind, {n: shift(n) for n in names}
    if kind == "synonym":
        return kind, {n: n[:-6] + "weights" if n.endswith("/kernel") else n for n in names}
    return "none", {n: n for n in names}


def roots_of(names):
    return sorted({n.split("/", 1)[0] for n in names})


def _case(seed, scale=1):
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    names = _tree(rng, scale)
    kind, truth = _rename(rng, names)
    b_names = {truth[n]: names[n] for n in names}
    for n in sorted(b_names):  # keys the new model dropped (with their slots, as TF would)
        if rng.random() < 0.1 and n in b_names and not n.endswith(("Adam", "Adam_1")):
            for m in [m for m in b_names if m == n or m.startswith(n + "/")]:
                del b_names[m]
    for i, n in enumerate(sorted(names)):  # keys the new model added: same shapes and leaves
        if rng.random() < 0.1 and not n.endswith(("Adam", "Adam_1")):
            b_names[f"{rng.choice(roots_of(names))}/layer_{9 + i}/{n.rsplit('/', 1)[1]}"] = names[n]
    truth = {a: b for a, b in truth.items() if b in b_names}
    values = rng.choice(["none", "identical", "finetuned", "fresh"])
    va = {n: nrng.normal(size=s) for n, s in names.items()}
    inverse = {b: a for a, b in truth.items()}
    vb = {}
    for n, s in b_names.items():
        src = inverse.get(n)
        if src is None or values == "fresh":
            vb[n] = nrng.normal(size=s)
        elif values == "identical":
            vb[n] = va[src].copy()
        else:
            vb[n] = va[src] + 0.3 * nrng.normal(size=s)
    return names, b_names, truth, kind, values, va, vb


def _run(names, b_names, va, vb, values):
    sig = lambda s: (s, "float32")  # noqa: E731
    common = {n: sig(s) for n, s in names.items() if b_names.get(n) == s}
    a = {n: sig(s) for n, s in names.items() if n not in common}  # a name whose shape changed is
    b = {n: sig(s) for n, s in b_names.items() if n not in common}  # on neither side's common list
    if values == "none":
        return pair(a, b, common=common)
    sa, sb = Sketches(), Sketches()
    for n, v in va.items():
        sa.add(n, v)
    for n, v in vb.items():
        sb.add(n, v)
    return pair(a, b, common=common, values_a=sa, values_b=sb)


@pytest.mark.parametrize("block", range(8))
def test_every_printed_pair_is_the_true_rename(block):
    for seed in range(block * 100, block * 100 + 100):
        names, b_names, truth, kind, values, va, vb = _case(seed)
        result = _run(names, b_names, va, vb, values)
        for p in result.pairs:
            assert truth.get(p.a) == p.b, (seed, kind, values, p, truth.get(p.a))
        printed = {p.a for p in result.pairs}
        assert not printed & {u.a for u in result.unsure}, seed  # a key is paired or unsure, not both


@pytest.mark.parametrize("block", range(4))
def test_values_that_carry_evidence_find_every_rename(block):
    """Identical or fine-tuned values, every tensor large enough to say something: every renamed
    key whose twin exists is paired."""
    for seed in range(block * 100, block * 100 + 100):
        names, b_names, truth, kind, values, va, vb = _case(seed, BIG)
        if values not in ("identical", "finetuned"):
            continue
        result = _run(names, b_names, va, vb, values)
        found = result.mapping()
        renamed = {a: b for a, b in truth.items() if a != b}
        missed = {a: b for a, b in renamed.items() if found.get(a) != b}
        assert not missed, (seed, kind, values, sorted(missed.items())[:4], result.unsure[:4])


def test_prefix_rename_over_same_shaped_numbered_layers_keeps_the_numbers():
    s = ((4, 4), "float32")
    a = {f"bert/encoder/layer_{i}/attention/{v}/kernel": s for i in range(4) for v in ("query", "key")}
    a.update({k + "/adam_m": s for k in list(a)})
    b = {k.replace("bert/", "bert_model/", 1): v for k, v in a.items()}
    result = pair(a, b)
    assert result.mapping() == {k: k.replace("bert/", "bert_model/", 1) for k in a}
    assert not result.unsure


def test_same_shaped_towers_moved_under_a_new_scope_pair_by_their_names():
    s, v = ((8, 8), "float32"), ((8,), "float32")
    a = {f"{t}_tower/dense/{leaf}": sig for t in ("item", "user") for leaf, sig in (("kernel", s), ("bias", v))}
    b = {f"two_tower/{t}/dense/{leaf}": sig for t in ("item", "user") for leaf, sig in (("kernel", s), ("bias", v))}
    assert pair(a, b).mapping() == {k: "two_tower/" + k.replace("_tower", "", 1) for k in a}


def test_a_number_only_change_without_values_is_unsure_not_a_fix():
    s = ((8, 8), "float32")
    result = pair({"dense_1/kernel": s}, {"dense/kernel": s})
    assert not result.pairs
    assert [(u.a, u.candidates) for u in result.unsure] == [("dense_1/kernel", ("dense/kernel",))]


def test_optimizer_slots_follow_their_variable_never_each_other():
    s = ((8, 8), "float32")
    a = {"enc/w": s, "enc/w/Adam": s, "enc/w/Adam_1": s}
    b = {"encoder/w": s, "encoder/w/Adam": s, "encoder/w/Adam_1": s}
    assert pair(a, b).mapping() == {"enc/w": "encoder/w", "enc/w/Adam": "encoder/w/Adam",
                                    "enc/w/Adam_1": "encoder/w/Adam_1"}


def test_auto_number_shift_among_common_names_is_found_by_values():
    rng = np.random.default_rng(0)
    s = ((8, 8), "float32")
    old = {n: rng.normal(size=(8, 8)) for n in ("dense/kernel", "dense_1/kernel", "dense_2/kernel")}
    new = {"dense/kernel": rng.normal(size=(8, 8)), "dense_1/kernel": old["dense/kernel"] + 0.05,
           "dense_2/kernel": old["dense_1/kernel"] * 1.01, "dense_3/kernel": old["dense_2/kernel"]}
    sa, sb = Sketches(), Sketches()
    for n, v in old.items():
        sa.add(n, v)
    for n, v in new.items():
        sb.add(n, v)
    common = {n: s for n in old if n in new}
    result = pair({}, {"dense_3/kernel": s}, common=common, values_a=sa, values_b=sb)
    assert result.mapping() == {"dense/kernel": "dense_1/kernel", "dense_1/kernel": "dense_2/kernel",
                                "dense_2/kernel": "dense_3/kernel"}


def test_deterministic_whatever_the_input_order():
    names, b_names, truth, kind, values, va, vb = _case(7)
    first = _run(names, b_names, va, vb, values)
    again = _run(dict(reversed(list(names.items()))), dict(reversed(list(b_names.items()))), va, vb, values)
    assert first == again


def test_leaf_names_tf_apis_give_one_variable_pair_even_in_a_short_scope():
    sig = ((3, 4), "float32")
    a = {"conv1/kernel": sig, "bn/gamma": ((4,), "float32"), "bn/beta": ((4,), "float32")}
    b = {"conv1/weights": sig, "bn/scale": ((4,), "float32"), "bn/offset": ((4,), "float32")}
    assert pair(a, b).mapping() == {"bn/beta": "bn/offset", "bn/gamma": "bn/scale", "conv1/kernel": "conv1/weights"}


def test_large_buckets_pair_a_top_scope_rename_and_leaf_renames():
    """2,000 variables of 10 shapes (buckets of 200 x 200, past what is compared in full)."""
    renamed = {"kernel": "weights", "bias": "biases", "gamma": "scale", "beta": "offset"}
    a, b, truth = {}, {}, {}
    for i in range(2000):
        leaf = tuple(renamed)[i % 4]
        sig = ((i % 10) + 1, 8), "float32"
        path = f"layer{i // 40}/unit{(i // 4) % 10}"
        old = f"net/{path}/{leaf}"
        new = f"net/{path}/{renamed[leaf]}" if i % 5 == 0 else f"network/{path}/{leaf}"
        a[old], b[new], truth[old] = sig, sig, new
    assert pair(a, b).mapping() == truth


def test_the_same_pairs_whatever_the_hash_seed():
    """Set order changes with PYTHONHASHSEED from one process to the next: pairing must not."""
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = ("from graphlint.analysis.pairing import pair\n"
            "s = ((3,), 'float32')\n"
            "a = {f'{x}/{y}/w': s for x in 'abcdef' for y in 'xyz'}\n"
            "b = {f'{y}/{x}/w': s for x in 'abcdef' for y in 'xyz'}\n"
            "a.update({f'm{i}/k': s for i in range(3)}); b.update({f'u{i}/k': s for i in range(3)})\n"
            "print(pair(a, b))\n")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": root, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in range(6)}
    assert len(outs) == 1, outs
