"""graphlint.checkpoint.reader and graphlint.checkpoint.table against real checkpoints written by TF."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from graphlint.checkpoint.reader import Checkpoint, CkptEntry, classify, read, resolve
from graphlint.errors import UsageError
from graphlint.checkpoint.table import render_json, render_text
from graphlint.model.tfcompat import tf

GRAPH_CLASSES = {
    "beta1_power": "optimizer",
    "beta2_power": "optimizer",
    "dense/bias": "other",
    "dense/bias/Adam": "optimizer",
    "dense/bias/Adam_1": "optimizer",
    "dense/kernel": "other",
    "dense/kernel/Adam": "optimizer",
    "dense/kernel/Adam_1": "optimizer",
    "dense/kernel/ExponentialMovingAverage": "ema",
    "emb": "other",
    "emb/Adam": "optimizer",
    "emb/Adam_1": "optimizer",
    "global_step": "global_step",
}
_V = "/.ATTRIBUTES/VARIABLE_VALUE"
OBJECT_CLASSES = {
    "_CHECKPOINTABLE_OBJECT_GRAPH": "object-graph",
    "save_counter" + _V: "object-graph",
    "model/bias" + _V: "other",
    "model/bias/.OPTIMIZER_SLOT/optimizer/m" + _V: "optimizer",
    "model/bias/.OPTIMIZER_SLOT/optimizer/v" + _V: "optimizer",
    "model/dense/kernel" + _V: "other",
    "model/dense/kernel/.OPTIMIZER_SLOT/optimizer/m" + _V: "optimizer",
    "model/dense/kernel/.OPTIMIZER_SLOT/optimizer/v" + _V: "optimizer",
    "optimizer/beta1_power" + _V: "optimizer",
    "optimizer/beta2_power" + _V: "optimizer",
}


# -- checkpoints, written once per module (TensorFlow is slow to start) -----------------------

def _write_graph_checkpoint(model_dir: str) -> None:
    """Estimator-style: a sharded Saver over two devices, a partitioned variable, Adam, EMA."""
    t = tf()
    v1 = t.compat.v1
    with t.Graph().as_default():
        step = v1.train.get_or_create_global_step()
        with t.device("/cpu:0"):
            kernel = v1.get_variable("dense/kernel", [4, 3])
            bias = v1.get_variable("dense/bias", [3])
        with t.device("/cpu:1"):
            emb = v1.get_variable("emb", [10, 2], partitioner=v1.fixed_size_partitioner(2))
        loss = t.reduce_sum(t.matmul(t.ones([1, 4]), kernel) + bias) + t.reduce_sum(t.concat(list(emb), 0))
        train = v1.train.AdamOptimizer().minimize(loss, global_step=step)
        with t.control_dependencies([train]):
            train = t.train.ExponentialMovingAverage(0.9).apply([kernel])
        # Relative paths in the `checkpoint` file, as Estimator's Scaffold writes them, so copies work.
        saver = v1.train.Saver(sharded=True, save_relative_paths=True)
        # A second CPU device gives the sharded Saver more than one device, hence several shards.
        with v1.Session(config=v1.ConfigProto(device_count={"CPU": 2})) as sess:
            sess.run(v1.global_variables_initializer())
            for _ in range(2):  # model.ckpt-1 and model.ckpt-2: the directory must pick the latest
                sess.run(train)
                saver.save(sess, os.path.join(model_dir, "model.ckpt"), global_step=step)


def _write_object_checkpoint(model_dir: str) -> str:
    """TF2 tf.train.Checkpoint of a module and an optimizer with slots."""
    t = tf()
    model = t.Module()
    model.dense = t.Module()
    model.dense.kernel = t.Variable(t.ones([4, 3]))
    model.bias = t.Variable(t.zeros([3]))
    opt = t.compat.v1.train.AdamOptimizer(0.1)
    variables = [model.dense.kernel, model.bias]
    with t.GradientTape() as tape:
        loss = t.reduce_sum(model.dense.kernel) + t.reduce_sum(model.bias)
    opt.apply_gradients(zip(tape.gradient(loss, variables), variables))
    return t.train.Checkpoint(model=model, optimizer=opt).save(os.path.join(model_dir, "ckpt"))


def _write_saved_model(path: str) -> None:
    t = tf()
    module = t.Module()
    module.weights = t.Variable([1.0, 2.0])
    t.saved_model.save(module, path)


@pytest.fixture(scope="module")
def ckpts(tmp_path_factory):
    root = tmp_path_factory.mktemp("ckpts")
    graph, obj = root / "graph", root / "object"
    graph.mkdir()
    obj.mkdir()
    _write_graph_checkpoint(str(graph))
    object_prefix = _write_object_checkpoint(str(obj))
    _write_saved_model(str(root / "saved_model"))
    return SimpleNamespace(graph=str(graph), graph_prefix=str(graph / "model.ckpt-2"),
                           object=str(obj), object_prefix=object_prefix,
                           saved_model=str(root / "saved_model"))


@pytest.fixture
def model_copy(ckpts, tmp_path):
    """A private copy of the graph model dir, to break; returns (dir, latest prefix)."""
    model_dir = tmp_path / "model"
    shutil.copytree(ckpts.graph, model_dir)
    return str(model_dir), str(model_dir / "model.ckpt-2")


def _data_files(prefix: str) -> list:
    return sorted(tf().io.gfile.glob(prefix + ".data-*"))


def _error(path) -> str:
    with pytest.raises(UsageError) as info:
        read(path)
    message = str(info.value)
    assert "\n" not in message
    return message


# -- resolve ----------------------------------------------------------------------------------

def test_directory_resolves_to_latest_checkpoint(ckpts):
    assert resolve(ckpts.graph) == ckpts.graph_prefix
    assert resolve(ckpts.graph + "/") == ckpts.graph_prefix
    assert resolve(ckpts.object) == ckpts.object_prefix


@pytest.mark.parametrize("piece", ["prefix", "index", "meta", "data"])
def test_prefix_and_each_of_its_files_resolve_to_the_prefix(ckpts, piece):
    prefix = ckpts.graph_prefix
    path = {"prefix": prefix, "index": prefix + ".index", "meta": prefix + ".meta",
            "data": _data_files(prefix)[-1]}[piece]
    assert resolve(path) == prefix


def test_older_checkpoint_by_prefix(ckpts):
    older = os.path.join(ckpts.graph, "model.ckpt-1")
    assert read(older).prefix == older


def test_moved_model_dir_falls_back_to_its_own_files(model_copy):
    model_dir, prefix = model_copy
    # The state file of a copied model dir still names the old absolute location.
    Path(model_dir, "checkpoint").write_text('model_checkpoint_path: "/nonexistent/old/model.ckpt-2"\n')
    assert resolve(model_dir) == prefix


# -- read and classify ------------------------------------------------------------------------

def test_graph_checkpoint_is_sharded(ckpts):
    assert len(_data_files(ckpts.graph_prefix)) >= 2


def test_read_name_based_checkpoint(ckpts):
    ckpt = read(ckpts.graph)
    assert ckpt.prefix == ckpts.graph_prefix
    assert not ckpt.object_based
    assert list(ckpt.entries) == sorted(GRAPH_CLASSES)
    assert {k: e.cls for k, e in ckpt.entries.items()} == GRAPH_CLASSES
    # The partitioned variable is one key with its full shape.
    assert ckpt.entries["emb"] == CkptEntry("emb", (10, 2), "float32", 20, "other")
    assert ckpt.entries["global_step"] == CkptEntry("global_step", (), "int64", 1, "global_step")
    assert ckpt.entries["dense/kernel/Adam_1"].shape == (4, 3)


def test_read_object_based_checkpoint(ckpts):
    ckpt = read(ckpts.object)
    assert ckpt.prefix == ckpts.object_prefix
    assert ckpt.object_based
    assert {k: e.cls for k, e in ckpt.entries.items()} == OBJECT_CLASSES
    assert ckpt.entries["_CHECKPOINTABLE_OBJECT_GRAPH"].dtype == "string"
    assert ckpt.entries["model/dense/kernel" + _V].size == 12


def _fingerprint(root: str) -> dict:
    return {str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(Path(root).rglob("*"))}


def test_read_writes_nothing(ckpts):
    for model_dir in (ckpts.graph, ckpts.object):
        before = _fingerprint(model_dir)
        read(model_dir)
        assert _fingerprint(model_dir) == before


@pytest.mark.parametrize("key, cls", [
    ("dense/kernel/Adam", "optimizer"),
    ("dense/kernel/Adam_1", "optimizer"),
    ("beta1_power", "optimizer"),
    ("scope/beta2_power", "optimizer"),
    ("w/Momentum", "optimizer"),
    ("dnn/hiddenlayer_0/kernel/t_0/Adagrad", "optimizer"),
    ("w/RMSProp_1", "optimizer"),
    ("linear/linear_model/x/weights/part_0/Ftrl_1", "optimizer"),
    ("bert/embeddings/word_embeddings/adam_m", "optimizer"),
    ("model/w/.OPTIMIZER_SLOT/optimizer/m" + _V, "optimizer"),
    ("optimizer/iter" + _V, "optimizer"),
    ("global_step", "global_step"),
    ("global_step" + _V, "global_step"),
    ("w/ExponentialMovingAverage", "ema"),
    ("_CHECKPOINTABLE_OBJECT_GRAPH", "object-graph"),
    ("save_counter" + _V, "object-graph"),
    ("iterator/.ATTRIBUTES/ITERATOR_STATE", "object-graph"),
    ("dense/kernel", "other"),
    ("bn/moving_mean", "other"),
    ("Adam", "other"),  # a top-level variable named Adam is no slot
    ("model/w" + _V, "other"),
])
def test_classify(key, cls):
    assert classify(key) == cls


# -- bad input --------------------------------------------------------------------------------

def test_missing_path(tmp_path):
    path = str(tmp_path / "nope" / "model.ckpt-7")
    assert _error(path) == f"no such file, directory or checkpoint prefix: {path}"


def test_empty_directory(tmp_path):
    assert _error(str(tmp_path)) == f"no checkpoint in {tmp_path}: it has no 'checkpoint' file"


def test_directory_without_state_file_suggests_a_prefix(model_copy):
    model_dir, prefix = model_copy
    os.remove(os.path.join(model_dir, "checkpoint"))
    assert _error(model_dir) == (f"{model_dir} has no 'checkpoint' file naming its latest checkpoint; "
                                 f"pass a checkpoint prefix instead, e.g. {prefix}")


def test_state_file_names_a_missing_prefix(model_copy):
    model_dir, prefix = model_copy
    for name in os.listdir(model_dir):
        if name.startswith("model.ckpt-2."):
            os.remove(os.path.join(model_dir, name))
    assert _error(model_dir) == (f"{model_dir}/checkpoint names checkpoint {prefix}, "
                                 f"but {prefix}.index does not exist")


@pytest.mark.parametrize("text", ["", "this is { not a state file\n"])
def test_invalid_state_file(model_copy, text):
    model_dir, _ = model_copy
    Path(model_dir, "checkpoint").write_text(text)
    assert _error(model_dir) == (f"{model_dir}/checkpoint is not a valid checkpoint state file "
                                 f"(no model_checkpoint_path)")


@pytest.mark.parametrize("keep", [0, 10, 0.5])
def test_truncated_index(model_copy, keep):
    _, prefix = model_copy
    index = Path(prefix + ".index")
    data = index.read_bytes()
    index.write_bytes(data[:int(len(data) * keep) if isinstance(keep, float) else keep])
    assert _error(prefix).startswith(f"checkpoint index {prefix}.index is truncated or corrupt: ")


def test_corrupt_index(model_copy):
    _, prefix = model_copy
    index = Path(prefix + ".index")
    data = bytearray(index.read_bytes())
    data[20:40] = b"x" * 20  # inside the first block: its checksum no longer matches
    index.write_bytes(bytes(data))
    assert _error(prefix + ".index").startswith(f"checkpoint index {prefix}.index is truncated or corrupt: ")


def test_missing_data_shard(model_copy):
    model_dir, prefix = model_copy
    shards = _data_files(prefix)
    os.remove(shards[1])
    n = len(shards)
    assert _error(model_dir) == (f"checkpoint {prefix} is missing 1 of its {n} data shards: "
                                 f"model.ckpt-2.data-00001-of-{n:05d}")


def test_all_data_shards_missing(model_copy):
    _, prefix = model_copy
    for shard in _data_files(prefix):
        os.remove(shard)
    assert _error(prefix) == f"checkpoint {prefix} has no data files ({prefix}.data-*-of-* is missing)"


def test_saved_model_directory_points_at_its_variables(ckpts):
    variables = os.path.join(ckpts.saved_model, "variables", "variables")
    assert _error(ckpts.saved_model) == (f"{ckpts.saved_model} is a SavedModel, not a checkpoint "
                                         f"directory; its variables are the checkpoint prefix {variables}")
    assert read(variables).object_based  # the suggestion works


def test_file_that_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    assert _error(str(path)) == (f"{path} is not a TensorFlow checkpoint; pass a model directory, "
                                 f"a checkpoint prefix, or its .index/.data/.meta file")


def test_index_that_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "notes.index"
    path.write_text("hello, this is no sstable at all\n" * 4)
    assert _error(str(path)).startswith(f"checkpoint index {path} is truncated or corrupt: ")


def test_meta_without_index(model_copy):
    _, prefix = model_copy
    os.remove(prefix + ".index")
    assert _error(prefix + ".meta") == f"{prefix}.meta belongs to checkpoint {prefix}, but {prefix}.index is missing"


def test_unknown_file_system_scheme():
    assert _error("nosuchfs://bucket/model.ckpt-1").startswith(
        "cannot access nosuchfs://bucket/model.ckpt-1: File system scheme 'nosuchfs' not implemented")


@pytest.fixture
def unreadable():
    """chmod 000 on a path for one test; root ignores permission bits, so skip as root."""
    if os.geteuid() == 0:
        pytest.skip("runs as root, which reads files whatever their permission bits")
    changed = []

    def deny(path):
        changed.append((path, os.stat(path).st_mode))
        os.chmod(path, 0)

    yield deny
    for path, mode in reversed(changed):
        os.chmod(path, mode)


def test_unreadable_index(model_copy, unreadable):
    _, prefix = model_copy
    unreadable(prefix + ".index")
    assert _error(prefix) == f"permission denied: cannot read {prefix}.index"


def test_unreadable_state_file(model_copy, unreadable):
    model_dir, _ = model_copy
    unreadable(os.path.join(model_dir, "checkpoint"))
    assert _error(model_dir) == f"permission denied: cannot read {model_dir}/checkpoint"


def test_unreadable_directory(model_copy, unreadable):
    model_dir, prefix = model_copy
    unreadable(model_dir)
    assert _error(model_dir) == f"permission denied: cannot read {model_dir}"
    assert _error(prefix) == f"permission denied: cannot list {model_dir} to find {prefix}"


# -- report -----------------------------------------------------------------------------------

def test_render_text(ckpts):
    lines = render_text(read(ckpts.graph)).splitlines()
    assert lines[0].split() == ["key", "shape", "dtype", "size", "class"]
    rows = [line.split() for line in lines[2:-1]]
    assert [r[0] for r in rows] == sorted(GRAPH_CLASSES)
    assert ["emb", "[10,", "2]", "float32", "20", "other"] in rows
    # 119 float32 elements and one int64 global_step.
    assert lines[-1] == f"13 keys, 120 parameters, 484 bytes (484 B) in {ckpts.graph_prefix}"


def test_render_text_filter_and_unsized_keys(ckpts):
    text = render_text(read(ckpts.object), r"^(_CHECK|model/bias/\.ATTRIBUTES)")
    assert [line.split()[0] for line in text.splitlines()[2:-1]] == [
        "_CHECKPOINTABLE_OBJECT_GRAPH", "model/bias/.ATTRIBUTES/VARIABLE_VALUE"]
    assert text.endswith(f"2 keys, 3 parameters, 12 bytes (12 B) in {ckpts.object_prefix}; "
                         f"1 string/unsized key not counted\n")


def test_render_text_large_sizes():
    big = CkptEntry("w", (1024, 1024), "float32", 1024 * 1024, "other")
    ckpt = Checkpoint("p", {"w": big}, False)
    assert render_text(ckpt).splitlines()[-1] == "1 key, 1,048,576 parameters, 4,194,304 bytes (4.0 MiB) in p"


def test_invalid_filter_regex(ckpts):
    with pytest.raises(UsageError, match=r"^invalid filter regex '\(': "):
        render_text(read(ckpts.graph), "(")


def test_render_json(ckpts):
    ckpt = read(ckpts.graph)
    text = render_json(ckpt, "Adam")
    assert text == render_json(read(ckpts.graph), "Adam")  # deterministic
    doc = json.loads(text)
    assert doc["schema_version"] == 1
    assert doc["prefix"] == ckpts.graph_prefix and doc["object_based"] is False
    assert [e["key"] for e in doc["entries"]] == sorted(k for k in GRAPH_CLASSES if "Adam" in k)
    assert doc["entries"][0] == {"key": "dense/bias/Adam", "shape": [3], "dtype": "float32",
                                 "size": 3, "class": "optimizer", "bytes": 12}
    assert doc["totals"] == {"keys": 6, "parameters": 70, "bytes": 280, "unsized_keys": 0}
    assert text == json.dumps(doc, indent=2, sort_keys=True) + "\n"  # keys sorted at every level
