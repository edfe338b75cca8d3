"""The alignment and the transforms on their own (no TensorFlow): what the order decides, what names
decide, what stays ambiguous, and that each transform's shape arithmetic is what it does to values."""

import numpy as np
import pytest

from graphlint.migrate import layouts, mapping
from graphlint.migrate.layers import Layer, Weight, name_key


def _dense(name, rows, cols, torch=False):
    shape = (cols, rows) if torch else (rows, cols)
    sep = "." if torch else "/"
    weights = {"kernel": Weight(f"{name}{sep}{'weight' if torch else 'kernel'}", "kernel", shape, "float32"),
               "bias": Weight(f"{name}{sep}bias", "bias", (cols,), "float32")}
    return Layer(name, "dense", weights, (rows, cols))


def _kinds(result):
    return sorted((i.kind, i.name) for i in result.issues)


def test_order_pairs_same_shaped_layers_one_to_one():
    old = [_dense("dense", 8, 16), _dense("dense_1", 16, 16), _dense("dense_2", 16, 16)]
    new = [_dense("fc1", 8, 16, True), _dense("fc2", 16, 16, True), _dense("fc3", 16, 16, True)]
    result = mapping.align(old, new, "torch")
    assert result.issues == []
    assert [(o.name, n.name) for o, n, _ in result.pairs] == [("dense", "fc1"), ("dense_1", "fc2"), ("dense_2", "fc3")]
    assert [e.transform for e in result.entries if e.new.endswith("weight")] == [{"op": "permute", "axes": [1, 0]}] * 3


def test_a_missing_layer_among_equals_is_ambiguous_unless_names_decide():
    old = [_dense("dense", 8, 16), _dense("dense_1", 16, 16), _dense("dense_2", 16, 16), _dense("out", 16, 3)]
    new = [_dense("dense", 8, 16), _dense("block", 16, 16), _dense("out", 16, 3)]
    result = mapping.align(old, new, "keras")
    assert _kinds(result) == [("ambiguous", "block")]
    assert [o.name for o in result.issues[0].detail["candidates"]] == ["dense_1", "dense_2"]
    named = [_dense("dense", 8, 16), _dense("dense_2", 16, 16), _dense("out", 16, 3)]
    result = mapping.align(old, named, "keras")
    assert _kinds(result) == [("unused", "dense_1")]
    assert ("dense_2", "dense_2") in [(o.name, n.name) for o, n, _ in result.pairs]


def test_layers_out_of_order_pair_when_one_candidate_is_left():
    old = [_dense("a", 4, 5), _dense("b", 5, 6), _dense("c", 6, 7)]
    new = [_dense("z_c", 6, 7), _dense("z_a", 4, 5), _dense("z_b", 5, 6)]
    result = mapping.align(old, new, "keras")
    assert result.issues == []
    assert sorted((o.name, n.name) for o, n, _ in result.pairs) == [("a", "z_a"), ("b", "z_b"), ("c", "z_c")]


def test_a_square_lone_weight_of_a_state_dict_is_ambiguous_between_linear_and_embedding():
    old = [Layer("proj", "embedding", {"table": Weight("proj", "table", (8, 8), "float32")}, (8, 8),
                 alternatives={"embedding": (8, 8), "dense": (8, 8)})]
    new = [Layer("m", "embedding", {"table": Weight("m.weight", "table", (8, 8), "float32")}, (8, 8),
                 alternatives={"embedding": (8, 8), "dense": (8, 8)})]
    result = mapping.align(old, new, "torch")
    assert _kinds(result) == [("ambiguous", "m")] and result.entries == []
    new[0].weights["table"] = Weight("m.weight", "table", (8, 4), "float32")  # not square: the shape decides
    new[0].alternatives = {"embedding": (8, 4), "dense": (4, 8)}
    old[0] = Layer("proj", "embedding", {"table": Weight("proj", "table", (4, 8), "float32")}, (4, 8),
                   alternatives={"embedding": (4, 8), "dense": (4, 8)})
    result = mapping.align(old, new, "torch")
    assert result.issues == [] and result.entries[0].transform == {"op": "permute", "axes": [1, 0]}


@pytest.mark.parametrize("transform,shape", [
    (layouts.transpose_last_two(2), (3, 5)),
    (layouts.hwio_to_oihw(4), (3, 2, 4, 6)),
    (layouts.hwio_to_oihw(3), (3, 4, 6)),
    (dict(layouts.DEPTHWISE_TO_TORCH), (3, 3, 4, 2)),
    (layouts.lstm_part("input", 6, 4, layouts.TORCH_LSTM_GATES, True), (10, 24)),
    (layouts.lstm_part("recurrent", 6, 4, layouts.KERAS_LSTM_GATES, False), (10, 24)),
    (layouts.lstm_part("bias", 6, 4, layouts.TORCH_LSTM_GATES, False), (24,)),
    (layouts.lstm_part("zero", 6, 4, layouts.TORCH_LSTM_GATES, False), (24,)),
])
def test_shape_after_is_the_shape_apply_gives(transform, shape):
    value = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    assert layouts.apply(transform, value).shape == layouts.shape_after(transform, shape)


def test_lstm_bias_reorders_gates_and_adds_forget_bias():
    units = 2
    bias = np.concatenate([np.full(units, v, np.float32) for v in (1, 2, 3, 4)])  # TF1 blocks i, c, f, o
    out = layouts.apply(layouts.lstm_part("bias", units, 3, layouts.TORCH_LSTM_GATES, False), bias)
    assert out.tolist() == [1, 1, 3 + 1, 3 + 1, 2, 2, 4, 4]  # torch i, f (+forget_bias), g, o


def test_depthwise_to_torch_puts_each_channels_multipliers_together():
    kernel = np.random.RandomState(0).normal(size=(3, 3, 4, 2)).astype(np.float32)
    out = layouts.apply(dict(layouts.DEPTHWISE_TO_TORCH), kernel)
    for c in range(4):
        for m in range(2):  # torch's output channel c * M + m reads input channel c
            np.testing.assert_array_equal(out[c * 2 + m, 0], kernel[:, :, c, m])


def test_a_name_that_says_embed_makes_a_lone_square_weight_a_table():
    from graphlint.migrate import new_files, old

    table = old._single("enc/position_embeddings", Weight("enc/position_embeddings", "", (8, 8), "float32"))
    assert table.tokens() == {"embedding": (8, 8)}
    assert old._single("proj", Weight("proj", "", (8, 8), "float32")).tokens().keys() == {"embedding", "dense"}
    (layer,) = new_files._torch_guess("emb.position_embeddings",
                                      {"weight": Weight("emb.position_embeddings.weight", "weight", (8, 8), "float32")})
    result = mapping.align([table], [layer], "torch")
    assert result.issues == [] and [e.transform for e in result.entries] == [{"op": "identity"}]


def test_names_order_sorts_components_and_numbers_alike_on_both_sides():
    """A safetensors file keeps no order (its keys come back sorted), so both sides are taken in
    their names' order: components compared one by one, numbers as numbers."""
    old = [_dense(f"enc/layer_{i}/{part}", 4, 4) for i in (0, 1, 2, 10) for part in ("query", "key", "value")]
    new = sorted((_dense(f"enc.layer.{i}.{part}", 4, 4, True) for i in (0, 1, 2, 10)
                  for part in ("query", "key", "value")), key=lambda n: n.name)  # as safetensors lists them
    new.sort(key=lambda n: name_key(n.name))
    result = mapping.align(old, new, "torch", by_name=True)
    assert result.issues == []
    assert all(o.name.replace("/", ".").replace("_", ".") == n.name for o, n, _ in result.pairs)


def test_a_transpose_is_the_transpose():
    value = np.arange(300 * 7, dtype=np.float32).reshape(300, 7)
    assert np.array_equal(layouts.apply(layouts.transpose_last_two(2), value), value.T)


def _norm(name, torch=False):
    sep, roles = (".", ("weight", "bias")) if torch else ("/", ("gamma", "beta"))
    return Layer(name, "norm", {r: Weight(f"{name}{sep}{leaf}", r, (4,), "float32")
                                for r, leaf in zip(("gamma", "beta"), roles)}, (4,))


def _table(name, rows, torch=False):
    key = f"{name}.weight" if torch else name
    return Layer(name, "embedding", {"table": Weight(key, "table", (rows, 4), "float32")}, (rows, 4))


def test_of_repeated_blocks_the_names_say_which_one_is_missing():
    """BERT's pattern: the tables created in another order than NEW registers them, then identical
    blocks; with one block fewer in NEW, the order alone could drop layer_0 as well as layer_1."""
    block = [("ln", _norm), ("query", lambda n, torch=False: _dense(n, 4, 4, torch))]
    old = [_table("emb/type", 2), _table("emb/pos", 8), _norm("emb/ln")]
    old += [make(f"enc/layer_{i}/{part}") for i in (0, 1) for part, make in block]
    new = [_table("emb.pos", 8, True), _table("emb.type", 2, True), _norm("emb.ln", True)]
    new += [make(f"enc.layer.0.{part}", True) for part, make in block]
    result = mapping.align(old, new, "torch")
    assert _kinds(result) == [("unused", "enc/layer_1/ln"), ("unused", "enc/layer_1/query")]
