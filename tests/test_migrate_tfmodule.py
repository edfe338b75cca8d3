"""`graphlint migrate` into TensorFlow 2 objects: NEW as a Python file whose function returns a
tf.Module (tests/migrate/ports/*_tfmodule.py, hand ports of the MLP and the CNN of
tests/migrate/tf1_models.py, trained for real), or as the TF2 object-based checkpoint
tf.train.Checkpoint writes of it. Both are mapped completely in TF's layouts (no transposes), the
converted TF2 checkpoint restores into the module with every value consumed, and the module then
computes what the old PREDICT graph did; a kernel stored [out, in] is one GL603 at its layer."""

import numpy as np
import pytest

from migrate import tf1_models
from migrate.harness import Checkpoints, build, errors, migrate, port

pytestmark = pytest.mark.realtf

ATOL = 1e-5
VALUE = "/.ATTRIBUTES/VARIABLE_VALUE"
# the test's own statement of which old variable each module weight comes from
EXPECTED = {
    "mlp": {"layers/0/kernel": "dense/kernel", "layers/0/bias": "dense/bias", "layers/1/kernel": "dense_1/kernel",
            "layers/1/bias": "dense_1/bias", "layers/2/kernel": "dense_2/kernel", "layers/2/bias": "dense_2/bias"},
    "cnn": {"conv/kernel": "conv2d/kernel", "conv/bias": "conv2d/bias", "bn/gamma": "batch_normalization/gamma",
            "bn/beta": "batch_normalization/beta", "bn/moving_mean": "batch_normalization/moving_mean",
            "bn/moving_variance": "batch_normalization/moving_variance",
            "depthwise/kernel": "depthwise/depthwise_kernel", "depthwise/bias": "depthwise/bias",
            "head/kernel": "dense/kernel", "head/bias": "dense/bias"},
}


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    return Checkpoints(tmp_path_factory.mktemp("old"))


def _ema(model):
    return ["--use-ema"] if model == "mlp" else []


def _tf():
    from graphlint.model.tfcompat import tf

    return tf()


def _restored_outputs(model, out, root="root"):
    """The port built afresh, OUT restored into it (every value of OUT taken, every variable given
    one), called on a batch, and the batch. root="model": OUT is a copy of what Checkpoint.save
    wrote (with its save_counter), which Checkpoint.restore reads."""
    module = build(f"{model}_tfmodule")
    checkpoint = _tf().train.Checkpoint(**{root: module})
    (checkpoint.read if root == "root" else checkpoint.restore)(out).assert_consumed()
    inputs = tf1_models.batch(model, seed=99)
    return np.asarray(module(inputs)), inputs


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_tf_module_port_is_mapped_completely_written_and_restores(model, checkpoints, cli, tmp_path):
    old = checkpoints[model]
    out = str(tmp_path / "converted" / "ckpt")
    code, report = migrate(cli, old, "--to", port(f"{model}_tfmodule"), "--write", out, *_ema(model))
    assert (code, report["findings"], report["framework"]) == (0, [], "tf")
    assert {e["new"]: e["old"] for e in report["mapping"]} == EXPECTED[model]
    assert all(e["transform"] == {"op": "identity"} for e in report["mapping"])
    assert len(report["mapping"]) == len(build(f"{model}_tfmodule").variables)
    new, inputs = _restored_outputs(model, out)
    np.testing.assert_allclose(new, tf1_models.predict(model, old, inputs, ema=model == "mlp"), atol=ATOL, rtol=1e-5)
    reader = _tf().train.load_checkpoint(out)
    source = _tf().train.load_checkpoint(old)
    read = EXPECTED[model]["layers/1/kernel" if model == "mlp" else "conv/kernel"]
    read += "/ExponentialMovingAverage" if model == "mlp" else ""
    key = ("layers/1/kernel" if model == "mlp" else "conv/kernel") + VALUE
    np.testing.assert_array_equal(reader.get_tensor(key), source.get_tensor(read))


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_parity_calls_the_tf_module(model, checkpoints, cli, tmp_path):
    """The module is called on the batch; its layers have no outputs of their own to compare."""
    from test_migrate_parity import _old_model

    code, report = migrate(cli, checkpoints[model], "--to", port(f"{model}_tfmodule"), *_ema(model),
                           *_old_model(tmp_path, model))
    assert (code, report["findings"]) == (0, [])
    (output,) = report["parity"]["outputs"]
    assert output["shape"] == [tf1_models.BATCH, 3] and output["max_abs"] < ATOL
    assert {r["note"] for r in report["parity"]["layers"]} == {"NEW's layer output is not readable"}


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_tf2_checkpoint_is_mapped_as_its_module_and_written_with_the_same_object_graph(model, checkpoints, cli,
                                                                                       tmp_path):
    """NEW as the object-based checkpoint tf.train.Checkpoint(model=module).save writes (keys
    model/.../.ATTRIBUTES/VARIABLE_VALUE, plus save_counter): the same mapping under `model/`; OUT is
    NEW's checkpoint with the converted values, its object graph byte for byte NEW's."""
    t = _tf()
    new_prefix = t.train.Checkpoint(model=build(f"{model}_tfmodule")).save(str(tmp_path / "new" / "ckpt"))
    before = {k: t.train.load_checkpoint(new_prefix).get_tensor(k) for k, _ in t.train.list_variables(new_prefix)}
    out = str(tmp_path / "converted")
    code, report = migrate(cli, checkpoints[model], "--to", tmp_path / "new", "--write", out, *_ema(model))
    assert (code, report["findings"]) == (0, [])
    assert {e["new"]: e["old"] for e in report["mapping"]} == {f"model/{k}": v for k, v in EXPECTED[model].items()}
    new, inputs = _restored_outputs(model, out, root="model")
    np.testing.assert_allclose(new, tf1_models.predict(model, checkpoints[model], inputs, ema=model == "mlp"),
                               atol=ATOL, rtol=1e-5)
    written = t.train.load_checkpoint(out)
    assert sorted(k for k, _ in t.train.list_variables(out)) == sorted(before)
    for key in ("_CHECKPOINTABLE_OBJECT_GRAPH", "save_counter" + VALUE):
        assert written.get_tensor(key) == before[key]
    after = {k: t.train.load_checkpoint(new_prefix).get_tensor(k) for k in before}
    assert all(np.array_equal(after[k], before[k]) for k in before), "NEW was written"


def test_a_kernel_stored_out_in_is_one_shape_finding_and_nothing_is_written(checkpoints, cli, tmp_path):
    out = tmp_path / "converted"
    code, report = migrate(cli, checkpoints["mlp"], "--to", port("mlp_tfmodule"), "--fn", "build_transposed",
                           "--use-ema", "--write", out)
    assert code == 1
    assert [(f["code"], f["name"]) for f in errors(report)] == [("GL603", "layers/0")]
    assert "fits OLD transposed" in errors(report)[0]["message"]
    assert report["written"].startswith("not written") and not list(tmp_path.iterdir())


def test_bad_tf2_inputs_are_one_line_errors(checkpoints, cli, tmp_path):
    t = _tf()
    prefix = t.train.Checkpoint(model=build("mlp_tfmodule")).write(str(tmp_path / "new"))
    code, _, err = cli("migrate", checkpoints["mlp"], "--to", prefix, "--use-ema", "--old-model", "m.py")
    assert code == 2 and "parity needs NEW as a Python file" in err
    code, _, err = cli("migrate", checkpoints["mlp"], "--to", port("mlp_tfmodule"), "--use-ema", "--write",
                       tmp_path / "out.pt")
    assert code == 2 and "written as a prefix" in err
    code, _, err = cli("migrate", checkpoints["mlp"], "--to", checkpoints["mlp"])
    assert code == 2 and "name-based (TF1) checkpoint" in err


def _tf_keras_mlp():
    tf_keras = pytest.importorskip("tf_keras", reason="a tf-keras (Keras 2) model's TF2 checkpoint needs tf-keras")
    layers = tf_keras.layers
    return tf_keras.Sequential([tf_keras.Input((8,)), layers.Dense(16, activation="relu"),
                                layers.Dense(16, activation="relu"), layers.Dense(3)])


def test_tf2_checkpoint_of_a_tf_keras_model_is_mapped_by_its_object_paths(checkpoints, cli, tmp_path):
    """Keys as tf-keras names its objects (model/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE)."""
    t = _tf()
    prefix = t.train.Checkpoint(model=_tf_keras_mlp()).write(str(tmp_path / "new" / "ckpt"))
    out = str(tmp_path / "converted")
    code, report = migrate(cli, checkpoints["mlp"], "--to", prefix, "--use-ema", "--write", out)
    assert (code, report["findings"]) == (0, [])
    assert {e["new"]: e["old"] for e in report["mapping"]} == {
        f"model/layer_with_weights-{i}/{leaf}": f"{old}/{leaf}"
        for i, old in enumerate(("dense", "dense_1", "dense_2")) for leaf in ("kernel", "bias")}
    net = _tf_keras_mlp()
    t.train.Checkpoint(model=net).read(out).assert_consumed()
    inputs = tf1_models.batch("mlp", seed=99)
    np.testing.assert_allclose(np.asarray(net(inputs, training=False)),
                               tf1_models.predict("mlp", checkpoints["mlp"], inputs, ema=True), atol=ATOL, rtol=1e-5)


def test_the_mapping_file_round_trips_and_a_checkpoint_file_names_its_checkpoint(checkpoints, cli, tmp_path):
    path = tmp_path / "mapping.json"
    _, found = migrate(cli, checkpoints["cnn"], "--to", port("cnn_tfmodule"), "--write-mapping", path)
    code, again = migrate(cli, checkpoints["cnn"], "--to", port("cnn_tfmodule"), "--mapping", path)
    assert (code, again["findings"], again["mapping"]) == (0, [], found["mapping"])
    prefix = _tf().train.Checkpoint(model=build("cnn_tfmodule")).write(str(tmp_path / "new"))
    code, report = migrate(cli, checkpoints["cnn"], "--to", prefix + ".index")
    assert (code, report["findings"], len(report["mapping"])) == (0, [], len(EXPECTED["cnn"]))
