"""GRUs: a TF1 GRUCell (tests/migrate/tf1_models.gru, trained for real) is one layer on the old side.
Keras's GRU(reset_after=False) computes it: each of its weights (kernel, recurrent_kernel, bias) is
one mapping entry of the cell's gates and candidate variables with a `blocks` transform, found from
the structure; the converted weights load and compute the old PREDICT graph's outputs, and the gates
exchanged in an edited mapping file are GL607 at the GRU. A PyTorch nn.GRU or a Keras
GRU(reset_after=True) cannot compute the old cell with any weights: one GL608 at the GRU, never a
wrong conversion, and the rest of the model is still mapped."""

import json

import numpy as np
import pytest

from graphlint.migrate import gru, layouts, mapping
from graphlint.migrate.layers import Layer, Weight

CELL, KERAS_CELL = "rnn/gru_cell", "net/gru/gru_cell"
GK, GB, CK, CB = (f"{CELL}/{part}/{role}" for part, role in [("gates", "kernel"), ("gates", "bias"),
                                                              ("candidate", "kernel"), ("candidate", "bias")])


def _recipe(gk, gb, ck, cb):
    """Keras's (kernel, recurrent_kernel, bias) from TF1's gates (column blocks r, u) and candidate,
    written out by hand: Keras's z, r, h are TF1's u, r, candidate; rows [:in] take x, [in:] h."""
    units = ck.shape[1]
    inputs = ck.shape[0] - units
    return (np.concatenate([gk[:inputs, units:], gk[:inputs, :units], ck[:inputs]], 1),
            np.concatenate([gk[inputs:, units:], gk[inputs:, :units], ck[inputs:]], 1),
            np.concatenate([gb[units:], gb[:units], cb]))


# --- no TensorFlow: the transform and the structure it is found from ---------------------------------

def _w(key, role, *shape):
    return Weight(key, role, shape, "float32")


def _old_cell(inputs=4, units=6):
    return gru.merged_cells([
        Layer(f"{CELL}/gates", "dense", {"kernel": _w(GK, "kernel", inputs + units, 2 * units),
                                         "bias": _w(GB, "bias", 2 * units)}, (inputs + units, 2 * units)),
        Layer(f"{CELL}/candidate", "dense", {"kernel": _w(CK, "kernel", inputs + units, units),
                                             "bias": _w(CB, "bias", units)}, (inputs + units, units))])


def _keras_gru(reset_after, inputs=4, units=6):
    ws = {"kernel": _w("gru/kernel", "kernel", inputs, 3 * units),
          "recurrent_kernel": _w("gru/recurrent_kernel", "recurrent_kernel", units, 3 * units),
          "bias": _w("gru/bias", "bias", *((2, 3 * units) if reset_after else (3 * units,)))}
    return gru.keras_layer("gru", ws, reset_after)


def test_the_blocks_of_each_keras_weight_are_the_hand_written_conversion():
    rng = np.random.RandomState(0)
    gk, gb, ck, cb = (rng.normal(size=s).astype(np.float32) for s in [(10, 12), (12,), (10, 6), (6,)])
    (old,) = _old_cell()
    for role, values, expected in zip(("kernel", "recurrent_kernel", "bias"), ([gk, ck], [gk, ck], [gb, cb]),
                                      _recipe(gk, gb, ck, cb)):
        t = gru.keras_transform(old, role)
        out = layouts.apply_all(t, values)
        np.testing.assert_array_equal(out, expected)
        assert out.shape == layouts.shape_after_all(t, [v.shape for v in values])
    assert gru.keras_transform(old, "kernel") == {"op": "blocks", "axis": 1, "blocks": [
        {"old": 0, "slice": "0:4, 6:12"}, {"old": 0, "slice": "0:4, 0:6"}, {"old": 1, "slice": "0:4, 0:6"}]}


@pytest.mark.parametrize("blocks,error", [
    ([{"old": 2, "slice": "0:4"}], ValueError),  # names no key of the entry
    ([{"old": 0, "slice": "0:4"}], ValueError),  # the entry's second key taken by no block
    ([{"old": 0, "slice": "0:4, 6"}, {"old": 1, "slice": "0:4"}], ValueError),  # not start:stop
    ([{"old": 0, "slice": [[0, 4]]}, {"old": 1, "slice": "0:4"}], ValueError),
    (["0:4", {"old": 1, "slice": "0:4"}], TypeError),
])
def test_a_malformed_blocks_transform_is_an_error_not_a_guess(blocks, error):
    with pytest.raises(error):
        layouts.shape_after_all({"op": "blocks", "axis": 0, "blocks": blocks}, [(12,), (6,)])


def test_blocks_outside_a_tensor_do_not_fit_and_are_never_clipped():
    t = layouts.blocks([(0, [(6, 13)]), (1, [(0, 6)])], 0)
    assert layouts.shape_after_all(t, [(12,), (6,)]) == ()
    with pytest.raises(ValueError):
        layouts.apply_all(t, [np.zeros(12), np.zeros(6)])
    assert layouts.shape_after_all(layouts.blocks([(0, [(0, 2), (0, 3)]), (1, [(0, 3), (0, 3)])], 1),
                                   [(4, 4), (4, 4)]) == ()  # rows differ off the axis


def test_only_a_keras_gru_that_resets_before_is_converted_and_from_structure():
    (old,) = _old_cell()
    result = mapping.align([old], [_keras_gru(False)], "keras")
    assert result.issues == []
    assert [(e.new, e.old, e.transform["op"]) for e in result.entries] == [
        ("gru/kernel", (GK, CK), "blocks"), ("gru/recurrent_kernel", (GK, CK), "blocks"), ("gru/bias", (GB, CB), "blocks")]
    for new in (_keras_gru(True), gru.torch_layer("gru", {
            "weight_ih_l0": _w("gru.weight_ih_l0", "weight_ih_l0", 18, 4),
            "weight_hh_l0": _w("gru.weight_hh_l0", "weight_hh_l0", 18, 6),
            "bias_ih_l0": _w("gru.bias_ih_l0", "bias_ih_l0", 18), "bias_hh_l0": _w("gru.bias_hh_l0", "bias_hh_l0", 18)})):
        framework = "keras" if "kernel" in new.weights else "torch"
        result = mapping.align([old], [new], framework)
        assert ([i.kind for i in result.issues], result.entries) == (["not-converted"], [])


def test_a_keras_gru_of_another_size_is_a_shape_mismatch_never_blocks_that_happen_to_fit():
    """The blocks' offsets are OLD's: a NEW GRU of 6 units against a cell of 8 (whose slices would
    also give NEW's shapes from NEW's offsets) does not fit."""
    (old,) = _old_cell(units=8)
    result = mapping.align([old], [_keras_gru(False)], "keras")
    assert result.entries == [] and {i.kind for i in result.issues} == {"mismatch"}


# --- real TensorFlow: the GRU trained, the ports ----------------------------------------------------

@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    from migrate.harness import Checkpoints

    return Checkpoints(tmp_path_factory.mktemp("old"))


def _found(report):
    return [(f["code"], f["name"]) for f in report["findings"]]


def _parity_args(tmp_path):
    from migrate.harness import TIGHT, parity_args

    return parity_args(tmp_path, "gru", *TIGHT)


def _mapping(report) -> dict:
    return {e["new"]: (e["old"], e["transform"]) for e in report["mapping"]}


@pytest.mark.realtf
def test_keras_gru_resetting_before_is_converted_and_computes_the_old_cell(checkpoints, cli, tmp_path):
    from graphlint.checkpoint.reader import open_reader
    from migrate import tf1_models
    from migrate.harness import build, migrate, need_keras3, port

    need_keras3()
    old, out = checkpoints["gru"], tmp_path / "converted.weights.h5"
    code, report = migrate(cli, old, "--to", port("gru_reset_before_keras"), "--write", out, *_parity_args(tmp_path))
    assert (code, report["findings"]) == (0, [])
    found = _mapping(report)
    assert len(found) == 5 and found["net/head/kernel"] == ("dense/kernel", layouts.IDENTITY)
    assert {new: (o, t["op"], t["axis"]) for new, (o, t) in found.items() if new.startswith(KERAS_CELL)} == {
        f"{KERAS_CELL}/kernel": ([GK, CK], "blocks", 1), f"{KERAS_CELL}/recurrent_kernel": ([GK, CK], "blocks", 1),
        f"{KERAS_CELL}/bias": ([GB, CB], "blocks", 0)}
    (logits,) = report["parity"]["outputs"]
    assert logits["max_abs"] < 1e-5 and logits["rel_l2"] < 1e-5
    assert [(r["new"], r["old"], r["agrees"]) for r in report["parity"]["layers"]] == [
        (KERAS_CELL, CELL, True), ("net/head", "dense", True)]
    # the file loads, holds what the hand-written recipe makes of OLD, and computes the old graph
    model = build("gru_reset_before_keras")
    model.load_weights(out)
    reader = open_reader(old)
    expected = _recipe(*(reader.get_tensor(k) for k in (GK, GB, CK, CB)))
    cell = model.layers[0].cell
    for variable, value in zip((cell.kernel, cell.recurrent_kernel, cell.bias), expected):
        np.testing.assert_array_equal(np.asarray(variable), value)
    x = tf1_models.batch("gru", seed=4)
    np.testing.assert_allclose(np.asarray(model(x)), tf1_models.predict("gru", old, x), atol=1e-5, rtol=1e-5)


@pytest.mark.realtf
def test_keras_gru_weight_file_alone_is_mapped_as_its_model_is(checkpoints, cli, tmp_path):
    from migrate.harness import build, migrate, need_keras3, port

    need_keras3()
    build("gru_reset_before_keras").save_weights(tmp_path / "initial.weights.h5")
    _, from_model = migrate(cli, checkpoints["gru"], "--to", port("gru_reset_before_keras"))
    code, from_file = migrate(cli, checkpoints["gru"], "--to", tmp_path / "initial.weights.h5")
    assert (code, from_file["findings"]) == (0, [])
    assert sorted((str(o), json.dumps(t, sort_keys=True)) for o, t in _mapping(from_file).values()) == \
        sorted((str(o), json.dumps(t, sort_keys=True)) for o, t in _mapping(from_model).values())


@pytest.mark.realtf
def test_the_mapping_file_stores_the_blocks_and_reads_them_back(checkpoints, cli, tmp_path):
    from migrate.harness import migrate, need_keras3, port

    need_keras3()
    old, new, path = checkpoints["gru"], port("gru_reset_before_keras"), tmp_path / "mapping.json"
    _, found = migrate(cli, old, "--to", new, "--write-mapping", path)
    first = path.read_bytes()
    entry = next(e for e in json.loads(first)["weights"] if e["new"] == f"{KERAS_CELL}/bias")
    assert entry["transform"]["blocks"] == [{"old": 0, "slice": "6:12"}, {"old": 0, "slice": "0:6"},
                                            {"old": 1, "slice": "0:6"}]
    code, again = migrate(cli, old, "--to", new, "--mapping", path)
    assert (code, again["findings"]) == (0, [])
    assert _mapping(again) == _mapping(found)
    migrate(cli, old, "--to", new, "--write-mapping", tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == first  # the same migration writes the same bytes


def _edited(cli, old, new, path, edit):
    from migrate.harness import migrate

    migrate(cli, old, "--to", new, "--write-mapping", path)
    doc = json.loads(path.read_text())
    for entry in doc["weights"]:
        if entry["transform"]["op"] == "blocks":
            edit(entry)
    path.write_text(json.dumps(doc))


@pytest.mark.realtf
def test_update_and_reset_gates_exchanged_in_an_edited_mapping_are_gl607_at_the_gru(checkpoints, cli, tmp_path):
    """Coverage cannot see it (every block fits and each value is taken once): parity names the GRU."""
    from migrate.harness import errors, migrate, need_keras3, port

    need_keras3()

    def exchange(entry):
        z, r, _ = entry["transform"]["blocks"]
        z["slice"], r["slice"] = r["slice"], z["slice"]

    old, new, path = checkpoints["gru"], port("gru_reset_before_keras"), tmp_path / "mapping.json"
    _edited(cli, old, new, path, exchange)
    code, report = migrate(cli, old, "--to", new, "--mapping", path)
    assert (code, report["findings"]) == (0, [])
    code, report = migrate(cli, old, "--to", new, "--mapping", path, *_parity_args(tmp_path))
    assert code == 1
    assert [(f["code"], f["name"]) for f in errors(report)] == [("GL607", KERAS_CELL)], report["findings"]
    assert report["parity"]["layers"][0]["agrees"] is False


def _block(new_suffix, index, text):
    def edit(entry):
        if entry["new"].endswith(new_suffix):
            entry["transform"]["blocks"][index]["slice"] = text
    return edit


@pytest.mark.realtf
@pytest.mark.parametrize("edit,key", [
    (_block("/kernel", 0, "0:4, 0:6"), GK),  # r's columns twice, u's never
    (_block("/bias", 2, "0:5"), CB),  # a value left out
    (_block("/bias", 2, "0:7"), CB),  # beyond the tensor: never numpy's clipping
    (_block("/bias", 2, "0:6:1"), "bias"),  # not start:stop
])
def test_a_mapping_file_whose_blocks_repeat_drop_or_invent_values_is_exit_2(edit, key, checkpoints, cli, tmp_path):
    from migrate.harness import need_keras3, port

    need_keras3()
    old, new, path = checkpoints["gru"], port("gru_reset_before_keras"), tmp_path / "mapping.json"
    _edited(cli, old, new, path, edit)
    code, out, err = cli("migrate", old, "--to", new, "--mapping", path, "--write", tmp_path / "out.weights.h5")
    assert (code, out) == (2, "") and err.count("\n") == 1 and key in err
    assert not (tmp_path / "out.weights.h5").exists()


@pytest.mark.realtf
def test_torch_gru_resets_after_and_is_not_converted(checkpoints, cli, tmp_path):
    from migrate.harness import migrate, need_torch, port

    need_torch()
    code, report = migrate(cli, checkpoints["gru"], "--to", port("gru_torch"), "--write", tmp_path / "out.pt")
    assert (code, _found(report)) == (1, [("GL608", "gru")])
    (finding,) = report["findings"]
    assert "rnn/gru_cell" in finding["message"] and "after" in finding["message"]
    assert "rnn/gru_cell/gates/kernel" in finding["names"] and "gru.weight_ih_l0" in finding["names"]
    assert [e["new"] for e in report["mapping"]] == ["head.weight", "head.bias"]
    assert report["written"].startswith("not written") and not (tmp_path / "out.pt").exists()


@pytest.mark.realtf
def test_torch_gru_weight_file_is_the_same_finding(checkpoints, cli, tmp_path):
    from migrate.harness import build, migrate, need_torch

    need_torch()
    import torch

    path = tmp_path / "gru.pt"
    torch.save(build("gru_torch").state_dict(), path)
    code, report = migrate(cli, checkpoints["gru"], "--to", path)
    assert (code, _found(report)) == (1, [("GL608", "gru")])


@pytest.mark.realtf
def test_keras_gru_resetting_after_is_not_converted(checkpoints, cli):
    from migrate.harness import migrate, need_keras3, port

    need_keras3()
    code, report = migrate(cli, checkpoints["gru"], "--to", port("gru_keras"))
    assert code == 1
    (finding,) = report["findings"]
    assert finding["code"] == "GL608" and finding["name"].endswith("/gru_cell")  # Keras numbers its names
    assert "after" in finding["message"] and "reset_after=False" in finding["fix"]
    assert [e["old"] for e in report["mapping"]] == ["dense/kernel", "dense/bias"]
