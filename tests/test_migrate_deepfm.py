"""DeepFM with a partitioned embedding table (issue 23): trained for real in TF1 style
(tests/migrate/tf1_models.py `deepfm`: `feature_embeddings` [40, 4] in two "div" partitions,
`feature_bias` [40, 1], the FM terms, a deep MLP with batch norm, a sigmoid output; Adam), ported
by hand to PyTorch (`nn.Embedding`) and Keras 3 (tests/migrate/ports/deepfm_*.py). The correct
ports are mapped completely from the model file and from a weight file alone, the converted weights
load strictly and compute the old PREDICT graph's probabilities to 1e-5, layer by layer too. Each
broken port is one error finding at the right layer, and nothing is written for it."""

import numpy as np
import pytest

from migrate import tf1_models
from migrate.harness import Checkpoints, build, errors, migrate, need_keras3, need_torch, parity_args, port

pytestmark = pytest.mark.realtf

ATOL = 1e-5
# Every weight and the TF1 key it comes from; the first-order weights are a table of width 1.
PAIRS = {"embedding": "feature_embeddings", "first_order": "feature_bias", "deep.0": "deep/dense",
         "deep.1": "deep/batch_normalization", "deep.3": "deep/dense_1", "deep.5": "deep/dense_2"}


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    return Checkpoints(tmp_path_factory.mktemp("old"))


def _torch_outputs(net, inputs):
    import torch

    net.eval()
    with torch.no_grad():
        return net(torch.from_numpy(inputs)).numpy()


def _expected(checkpoints, seed):
    inputs = tf1_models.batch("deepfm", seed=seed)
    return inputs, tf1_models.predict("deepfm", checkpoints["deepfm"], inputs)


def test_the_old_table_is_partitioned_and_the_reader_returns_it_whole(checkpoints):
    from graphlint.migrate import old

    side = old.read(checkpoints["deepfm"])
    assert side.partitions["feature_embeddings"] == [(20, 4), (20, 4)]  # and its Adam slots, likewise
    (table,) = [layer for layer in side.layers if layer.name == "feature_embeddings"]
    assert (table.kind, table.main_shape) == ("embedding", (40, 4))


@pytest.mark.parametrize("suffix", [".pt", ".safetensors"])
def test_torch_port_is_mapped_completely_and_computes_the_old_probabilities(suffix, checkpoints, cli, tmp_path):
    need_torch()
    import torch
    from safetensors.torch import load_file

    out = str(tmp_path / f"converted{suffix}")
    code, report = migrate(cli, checkpoints["deepfm"], "--to", port("deepfm_torch"), "--write", out)
    assert (code, report["findings"]) == (0, [])
    pairs = {e["new"].rpartition(".")[0]: e["old"].rpartition("/")[0] or e["old"] for e in report["mapping"]}
    assert pairs == PAIRS
    assert report["bookkeeping"] == ["deep.1.num_batches_tracked"]
    net = build("deepfm_torch")
    assert len(report["mapping"]) == len(net.state_dict()) - 1
    net.load_state_dict(load_file(out) if suffix == ".safetensors" else torch.load(out, weights_only=True), strict=True)
    inputs, expected = _expected(checkpoints, 99)
    np.testing.assert_allclose(_torch_outputs(net, inputs), expected, atol=ATOL, rtol=1e-5)


@pytest.mark.parametrize("new", ["deepfm_torch", "initial.safetensors", "initial.pt"])
def test_streamed_safetensors_hold_what_torch_save_writes_whole(new, checkpoints, cli, tmp_path):
    """OUT.safetensors is written one tensor at a time; OUT.pt by torch.save of the whole state_dict:
    the same tensors, NEW's num_batches_tracked among them, whether NEW is a model or a file."""
    need_torch()
    import torch
    from safetensors.torch import load_file, save_file

    net = build("deepfm_torch")
    net.deep[1].num_batches_tracked.fill_(3)  # bookkeeping keeps NEW's value
    if new != "deepfm_torch":
        (save_file if new.endswith(".safetensors") else torch.save)(net.state_dict(), str(tmp_path / new))
    source = port(new) if new == "deepfm_torch" else str(tmp_path / new)
    for out in ("out.safetensors", "out.pt"):
        code, report = migrate(cli, checkpoints["deepfm"], "--to", source, "--write", tmp_path / out)
        assert (code, report["findings"]) == (0, [])
    streamed, whole = load_file(tmp_path / "out.safetensors"), torch.load(tmp_path / "out.pt", weights_only=True)
    assert sorted(streamed) == sorted(whole) == sorted(net.state_dict())
    assert all(streamed[k].dtype == whole[k].dtype and torch.equal(streamed[k], whole[k]) for k in whole)
    expected = 3 if new != "deepfm_torch" else 0  # a model file builds a fresh model
    assert int(streamed["deep.1.num_batches_tracked"]) == expected


@pytest.mark.parametrize("suffix", [".pt", ".safetensors"])
def test_torch_weight_file_alone_is_mapped_as_its_model_is(suffix, checkpoints, cli, tmp_path):
    """The first-order table [40, 1] alone in its module could be a Linear without bias or a table:
    OLD's shape decides (as a kernel it would be [1, 40])."""
    need_torch()
    import torch
    from safetensors.torch import save_file

    net = build("deepfm_torch")
    initial = str(tmp_path / f"initial{suffix}")
    (save_file if suffix == ".safetensors" else torch.save)(net.state_dict(), initial)
    _, from_model = migrate(cli, checkpoints["deepfm"], "--to", port("deepfm_torch"))
    out = str(tmp_path / "converted.safetensors")
    code, from_file = migrate(cli, checkpoints["deepfm"], "--to", initial, "--write", out)
    assert (code, from_file["findings"]) == (0, [])
    assert sorted(map(str, from_file["mapping"])) == sorted(map(str, from_model["mapping"]))
    from safetensors.torch import load_file

    net.load_state_dict(load_file(out), strict=True)
    inputs, expected = _expected(checkpoints, 5)
    np.testing.assert_allclose(_torch_outputs(net, inputs), expected, atol=ATOL, rtol=1e-5)


@pytest.mark.parametrize("from_file", [False, True], ids=["model", "weights_file"])
def test_keras_port_is_mapped_completely_and_computes_the_old_probabilities(from_file, checkpoints, cli, tmp_path):
    need_keras3()
    net = build("deepfm_keras")
    new = port("deepfm_keras")
    if from_file:
        new = str(tmp_path / "initial.weights.h5")
        net.save_weights(new)
    out = str(tmp_path / "converted.weights.h5")
    code, report = migrate(cli, checkpoints["deepfm"], "--to", new, "--write", out)
    assert (code, report["findings"]) == (0, [])
    assert len(report["mapping"]) == len(net.weights) == 12
    assert {e["old"] for e in report["mapping"]} >= {"feature_embeddings", "feature_bias"}
    net.load_weights(out)
    inputs, expected = _expected(checkpoints, 99)
    np.testing.assert_allclose(np.asarray(net(inputs, training=False)), expected, atol=ATOL, rtol=1e-5)


@pytest.mark.parametrize("name", ["deepfm_torch", "deepfm_keras"])
def test_parity_on_the_command_line_agrees_layer_by_layer(name, checkpoints, cli, tmp_path):
    """--old-model: the old PREDICT graph (restored from the partitioned checkpoint) against the
    port with the converted weights; every layer's output equals a tensor of its old layer."""
    (need_torch if name.endswith("torch") else need_keras3)()
    code, report = migrate(cli, checkpoints["deepfm"], "--to", port(name),
                           *parity_args(tmp_path, "deepfm", output="probability"))
    assert (code, report["findings"]) == (0, [])
    (out,) = report["parity"]["outputs"]
    assert (out["name"], out["shape"]) == ("probability", [tf1_models.BATCH])
    assert out["max_abs"] < ATOL and out["rel_l2"] < ATOL
    layers = report["parity"]["layers"]
    assert len(layers) == len(PAIRS)
    assert all(r["agrees"] and r["max_abs"] < ATOL for r in layers), layers


# --- broken ports: one error finding each, of the right rule, naming the right layer ---------------

BROKEN = [
    # sized from one partition of the graph (feature_embeddings/part_0 [20, 4])
    ("deepfm", "build_one_partition", "GL603", "embedding", "2 partitioned variables ([20, 4], [20, 4])"),
    # the checkpoint was saved by Saver(tf.trainable_variables()): no moving statistics to copy
    ("deepfm_trainable_saved", "build_model", "GL601", "deep.1", "no moving statistics"),
    # the deep part's second hidden layer left out
    ("deepfm", "build_without_middle_layer", "GL602", "deep/dense_1", "after NEW deep.1 and before NEW deep.3"),
]


@pytest.mark.parametrize("model,fn,code,layer,words", BROKEN, ids=[b[1] if b[0] == "deepfm" else b[0] for b in BROKEN])
def test_broken_torch_port_is_one_finding_at_the_right_layer_and_nothing_is_written(model, fn, code, layer, words,
                                                                                     checkpoints, cli, tmp_path):
    need_torch()
    out = tmp_path / "converted.safetensors"
    status, report = migrate(cli, checkpoints[model], "--to", port("deepfm_torch"), "--fn", fn, "--write", out)
    assert status == 1
    assert [(f["code"], f["name"]) for f in report["findings"]] == [(code, layer)], report["findings"]
    assert words in errors(report)[0]["message"]
    assert not out.exists() and report["written"].startswith("not written")


def test_keras_port_of_the_checkpoint_without_statistics_is_one_finding_at_its_batch_norm(checkpoints, cli):
    need_keras3()
    status, report = migrate(cli, checkpoints["deepfm_trainable_saved"], "--to", port("deepfm_keras"))
    assert status == 1
    (finding,) = report["findings"]
    assert finding["code"] == "GL601" and finding["name"].startswith("batch_normalization")
    assert "deep/batch_normalization" in finding["message"]
