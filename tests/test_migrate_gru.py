"""GRUs: a TF1 GRUCell (tests/migrate/tf1_models.gru, trained for real) is one layer on the old
side; a PyTorch nn.GRU or a Keras GRU(reset_after=True) cannot compute it with any weights, and a
Keras GRU(reset_after=False) can but is not converted yet: each is one GL608 at the GRU, never a
wrong conversion, and the rest of the model is still mapped. The hand conversion the finding gives
for reset_after=False is checked here against the old PREDICT graph."""

import numpy as np
import pytest

from migrate import tf1_models
from migrate.harness import Checkpoints, build, migrate, need_keras3, need_torch, port

pytestmark = pytest.mark.realtf


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    return Checkpoints(tmp_path_factory.mktemp("old"))


def _found(report):
    return [(f["code"], f["name"]) for f in report["findings"]]


def test_torch_gru_resets_after_and_is_not_converted(checkpoints, cli, tmp_path):
    need_torch()
    code, report = migrate(cli, checkpoints["gru"], "--to", port("gru_torch"), "--write", tmp_path / "out.pt")
    assert (code, _found(report)) == (1, [("GL608", "gru")])
    (finding,) = report["findings"]
    assert "rnn/gru_cell" in finding["message"] and "after" in finding["message"]
    assert "rnn/gru_cell/gates/kernel" in finding["names"] and "gru.weight_ih_l0" in finding["names"]
    assert [e["new"] for e in report["mapping"]] == ["head.weight", "head.bias"]
    assert report["written"].startswith("not written") and not (tmp_path / "out.pt").exists()


def test_torch_gru_weight_file_is_the_same_finding(checkpoints, cli, tmp_path):
    need_torch()
    import torch

    path = tmp_path / "gru.pt"
    torch.save(build("gru_torch").state_dict(), path)
    code, report = migrate(cli, checkpoints["gru"], "--to", path)
    assert (code, _found(report)) == (1, [("GL608", "gru")])


@pytest.mark.parametrize("fn,words", [("build_model", "after"), ("build_model_reset_before", "by hand")])
def test_keras_gru_is_not_converted(checkpoints, cli, fn, words):
    need_keras3()
    code, report = migrate(cli, checkpoints["gru"], "--to", port("gru_keras"), "--fn", fn)
    assert code == 1
    (finding,) = report["findings"]
    assert finding["code"] == "GL608" and finding["name"].endswith("/gru_cell")  # Keras numbers its names
    assert words in finding["message"] + finding["fix"]
    assert [e["old"] for e in report["mapping"]] == ["dense/kernel", "dense/bias"]


def test_the_hand_conversion_the_finding_gives_for_reset_before_computes_the_old_cell(checkpoints):
    """Keras's z, r, h are TF1's u, r, candidate: the finding's recipe gives the old outputs."""
    need_keras3()
    from graphlint.checkpoint.reader import open_reader

    prefix = checkpoints["gru"]
    reader = open_reader(prefix)
    gk, gb = reader.get_tensor("rnn/gru_cell/gates/kernel"), reader.get_tensor("rnn/gru_cell/gates/bias")
    ck, cb = reader.get_tensor("rnn/gru_cell/candidate/kernel"), reader.get_tensor("rnn/gru_cell/candidate/bias")
    units, inputs = ck.shape[1], ck.shape[0] - ck.shape[1]
    model = build("gru_keras", "build_model_reset_before")
    cell, head = model.layers[0].cell, model.layers[1]
    cell.kernel.assign(np.concatenate([gk[:inputs, units:], gk[:inputs, :units], ck[:inputs]], 1))
    cell.recurrent_kernel.assign(np.concatenate([gk[inputs:, units:], gk[inputs:, :units], ck[inputs:]], 1))
    cell.bias.assign(np.concatenate([gb[units:], gb[:units], cb]))
    head.kernel.assign(reader.get_tensor("dense/kernel"))
    head.bias.assign(reader.get_tensor("dense/bias"))
    x = tf1_models.batch("gru", seed=4)
    np.testing.assert_allclose(np.asarray(model(x)), tf1_models.predict("gru", prefix, x), atol=1e-5)
