"""The TF1 BERT of google-research (bert-tensorflow 1.0.4's modeling.py, unedited, tiny config), trained
a few steps in TF1 style with bert's own optimizer, migrated into Hugging Face transformers' PyTorch
BertModel by `graphlint migrate` with no per-architecture code: every weight mapped (the three
embedding tables, query/key/value in order, LayerNorm gamma/beta, the pooler), bert's optimizer
slots classified, the converted file loading strictly, and the sequence and pooled outputs equal to
the old PREDICT graph's (built under the TF1 runtime, restored from the checkpoint). A LayerNorm
epsilon that differs (1e-3 for contrib's 1e-12) is invisible to coverage; parity names the outputs."""

import re

import numpy as np
import pytest

from migrate import bert_models
from migrate.harness import migrate

pytestmark = pytest.mark.realtf

ATOL = 1e-5


@pytest.fixture(scope="module")
def bert(tmp_path_factory):
    files = bert_models.checkout(tmp_path_factory.mktemp("bert"))
    files["old"] = bert_models.train(files)
    return files


def _parity(files):
    return ["--old-model", files["old_model"], "--batch", files["batch"]]


def _new(path):
    from graphlint.migrate import new

    return new.build(path, new.DEFAULT_FN)


def tf1_name(key: str) -> str:
    """The test's own statement of which bert variable each BertModel weight must come from."""
    module, leaf = key.rsplit(".", 1)
    path = "bert/" + re.sub(r"layer\.(\d+)", r"layer_\1", module).replace(".", "/")
    if module.endswith("_embeddings"):
        return path
    if module.endswith("LayerNorm"):
        return f"{path}/{'gamma' if leaf == 'weight' else 'beta'}"
    return f"{path}/{'kernel' if leaf == 'weight' else 'bias'}"


def test_bert_migrates_into_transformers_bert_model_with_parity(bert, cli, tmp_path):
    from safetensors.torch import load_file

    from graphlint.model.tfcompat import tf

    out = str(tmp_path / "bert.safetensors")
    code, report = migrate(cli, bert["old"], "--to", bert["new"], "--write", out, *_parity(bert))
    assert (code, report["findings"]) == (0, [])
    net = _new(bert["new"])
    assert {e["new"]: e["old"] for e in report["mapping"]} == {k: tf1_name(k) for k in net.state_dict()}
    assert report["classified"] == {"global_step": 1, "optimizer": 2 * len(net.state_dict())}  # adam_m, adam_v
    outputs = {o["name"]: o for o in report["parity"]["outputs"]}
    assert {name: o["shape"] for name, o in outputs.items()} == {
        "last_hidden_state": [bert_models.BATCH, bert_models.SEQ, bert_models.CONFIG["hidden_size"]],
        "pooler_output": [bert_models.BATCH, bert_models.CONFIG["hidden_size"]]}
    assert all(o["max_abs"] < ATOL for o in outputs.values()), outputs
    state = load_file(out)
    net.load_state_dict(state, strict=True)
    reader = tf().train.load_checkpoint(bert["old"])
    query = "encoder.layer.1.attention.self.query.weight"
    np.testing.assert_array_equal(state[query].numpy(), reader.get_tensor(tf1_name(query)).T)


def test_bert_maps_the_same_from_transformers_weight_file_alone(bert, cli, tmp_path):
    """NEW as BertModel's state_dict in a safetensors file: names and shapes only (the position table
    is square here, 32 x 32: its module's name, position_embeddings, says it is a table)."""
    from safetensors.torch import save_file

    weights = str(tmp_path / "new_bert.safetensors")
    state = _new(bert["new"]).state_dict()
    save_file({k: v.contiguous() for k, v in state.items()}, weights)
    code, report = migrate(cli, bert["old"], "--to", weights)
    assert (code, report["findings"]) == (0, [])
    assert {e["new"]: e["old"] for e in report["mapping"]} == {k: tf1_name(k) for k in state}


def test_a_layer_norm_epsilon_that_differs_is_a_parity_finding_at_the_first_layer_norm(bert, cli):
    code, report = migrate(cli, bert["old"], "--to", bert["new_eps"])
    assert (code, report["findings"]) == (0, [])  # coverage cannot see an epsilon
    code, report = migrate(cli, bert["old"], "--to", bert["new_eps"], *_parity(bert))
    assert code == 1
    # per-layer parity locates it: the embeddings' LayerNorm is the first layer whose output differs
    (finding,) = report["findings"]
    assert (finding["code"], finding["name"]) == ("GL607", "embeddings.LayerNorm")
    assert {"last_hidden_state", "pooler_output"} <= set(finding["names"])


def test_bert_without_its_meta_graph_maps_the_same_in_names_order(bert, cli, tmp_path):
    """No PREFIX.meta: OLD's order is its names' (key before query), so NEW is taken in its names'
    order too; against the model's order (query, key, value) same-shaped layers would pair by chance."""
    import shutil

    prefix = tmp_path / "model.ckpt"
    for suffix in (".index", ".data-00000-of-00001"):
        shutil.copy(bert["old"] + suffix, str(prefix) + suffix)
    code, report = migrate(cli, prefix, "--to", bert["new"])
    assert (code, report["findings"], report["old_order"]) == (0, [], "names")
    assert {e["new"]: e["old"] for e in report["mapping"]} == {k: tf1_name(k) for k in _new(bert["new"]).state_dict()}


@pytest.mark.parametrize("new,missing", [("new_fewer", "bert/encoder/layer_1"), ("new_no_pooler", "bert/pooler/dense")])
def test_a_layer_or_block_missing_in_the_new_bert_is_one_finding_naming_it(new, missing, bert, cli):
    """One encoder layer fewer: one GL602 naming the block bert/encoder/layer_1 and standing for its
    eight layers (the names tell layer.0 is layer_0; the order alone would not); no pooler: its dense."""
    code, report = migrate(cli, bert["old"], "--to", bert[new])
    assert code == 1
    (finding,) = report["findings"]
    assert (finding["code"], finding["name"]) == ("GL602", missing)
    if new == "new_fewer":
        layers = [n for n in finding["names"] if n.startswith(missing + "/") and not n.endswith(LEAVES)]
        assert layers == [f"{missing}/{layer}" for layer in BERT_LAYER]
        assert finding["message"].startswith(f"OLD block {missing}/ (8 layers, every OLD layer under it: ")


LEAVES = ("/kernel", "/bias", "/gamma", "/beta")
# one encoder layer of bert's modeling.py, in the order it creates them
BERT_LAYER = ("attention/self/query", "attention/self/key", "attention/self/value", "attention/output/dense",
              "attention/output/LayerNorm", "intermediate/dense", "output/dense", "output/LayerNorm")
