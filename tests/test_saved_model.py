"""`graphlint check model.py --saved-model DIR` against real exports: each variant of a model is
exported for real with TF 2.15's Estimator.export_saved_model, and graphlint's verdict on each old
signature equals what a client of that signature gets from the new SavedModel."""

from __future__ import annotations

import json
import os
import textwrap

import numpy as np
import pytest

from graphlint.cli import main
from graphlint.model.tfcompat import estimator_api, real_estimator, tf

# every test here runs real TensorFlow (trains and exports)
pytestmark = [pytest.mark.realtf, pytest.mark.skipif(real_estimator() is None, reason="needs the real Estimator (TF 2.15 + "
                                "tensorflow-estimator) for export_saved_model")]

MODEL = '''
import numpy as np
import tensorflow as tf

OUT, OUT_DTYPE, IN_DTYPE, SHAPE, SCORES, VAR = {out!r}, tf.{out_dtype}, tf.{in_dtype}, {shape!r}, {scores!r}, {var!r}
MASK, EXTRA = {mask!r}, {extra!r}
params = {{}}


def input_fn():
    x = np.linspace(0, 1, 32, dtype="float32").reshape(8, 4)
    return tf.data.Dataset.from_tensor_slices(({{"x": x}}, x[:, :1])).repeat().batch(4)


def serving_input_receiver_fn():
    x = tf.compat.v1.placeholder(IN_DTYPE, SHAPE, name="x")
    features = {{"x": x}}
    if MASK == "placeholder":
        features["mask"] = tf.compat.v1.placeholder(IN_DTYPE, [None, 4], name="mask")
    elif MASK:
        features["mask"] = tf.compat.v1.placeholder_with_default(tf.ones([2, 4], IN_DTYPE), [None, 4], name="mask")
    if MASK == "alternative":  # the old signature as it was; the new input in signatures of their own
        return tf.estimator.export.ServingInputReceiver(features, {{"x": x}}, {{"with_mask": features}})
    return tf.estimator.export.ServingInputReceiver(features, features)


def model_fn(features, labels, mode):
    w = tf.compat.v1.get_variable(VAR, [4, 3])
    x = tf.cast(features["x"], tf.float32)
    if "mask" in features:
        x *= tf.cast(features["mask"], tf.float32)
    logits = tf.matmul(tf.reshape(x, [-1, 4]), w)
    predictions = {{OUT: tf.cast(logits, OUT_DTYPE), "classes": tf.argmax(logits, 1)}}
    if EXTRA:
        predictions["probabilities"] = tf.nn.softmax(logits)
    if mode == tf.estimator.ModeKeys.PREDICT:
        outputs = {{"serving_default": tf.estimator.export.PredictOutput(predictions)}}
        if SCORES == "predict":
            outputs["scores"] = tf.estimator.export.PredictOutput({{"s": logits}})
        elif SCORES == "classify":  # needs serialized tf.Example inputs: the export drops it
            outputs["scores"] = tf.estimator.export.ClassificationOutput(scores=logits)
        elif SCORES == "other_graph":  # a tensor of another graph: the serving graph has no such name
            with tf.Graph().as_default():
                other = tf.constant([[1.0]], name="other_graph_scores")
            outputs["scores"] = tf.estimator.export.PredictOutput({{"s": other}})
        return tf.estimator.EstimatorSpec(mode, predictions=predictions, export_outputs=outputs)
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    step = tf.compat.v1.train.get_global_step()
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=tf.compat.v1.train.GradientDescentOptimizer(
        0.1).minimize(loss, global_step=step))
'''
BASE = dict(out="logits", out_dtype="float32", in_dtype="float32", shape=[None, 4], scores="predict", var="w",
            mask="", extra=False)
VARIANTS = {
    "same": {},
    "renamed_output": {"out": "logit2"},
    "input_dtype": {"in_dtype": "float64"},
    "dropped_signature": {"scores": None},
    "output_dtype": {"out_dtype": "float64"},
    "generalized_shape": {"shape": [None, None]},
    "incompatible_shape": {"shape": [None, 2, 2]},
    "added_input": {"mask": "placeholder"},
    # A default serves a TF1 Session client, which may leave it unfed; TF2's signature function
    # still requires every input: GL504 stays an error.
    "added_input_with_default": {"mask": "default"},
    "added_input_in_new_signature": {"mask": "alternative"},
    "added_output": {"extra": True},
    "narrowed_shape": {"shape": [2, 4]},  # the clients here send [2, 4]; see test_narrowed_shape
}
# What graphlint must say per variant: (code, severity) of its GL5xx findings.
EXPECTED = {
    "same": set(),
    "renamed_output": {("GL503", "error")},
    "input_dtype": {("GL506", "error")},
    "dropped_signature": {("GL501", "error")},
    "output_dtype": {("GL506", "warning")},
    "generalized_shape": {("GL509", "info")},
    "incompatible_shape": {("GL507", "error")},
    "added_input": {("GL504", "error")},
    "added_input_with_default": {("GL504", "error")},
    "added_input_in_new_signature": {("GL502", "info")},
    "added_output": {("GL505", "info")},
    "narrowed_shape": {("GL508", "warning")},
}


def _model_file(folder, name, **changes):
    path = os.path.join(folder, f"{name}.py")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(textwrap.dedent(MODEL.format(**{**BASE, **changes})))
    return path


def _export(model_path, model_dir, export_base):
    from tests.realtf import _import_model

    with estimator_api():
        module = _import_model(model_path)
        estimator = tf().estimator.Estimator(module.model_fn, model_dir=model_dir)
        if not tf().train.latest_checkpoint(model_dir):
            estimator.train(module.input_fn, steps=1)
        return estimator.export_saved_model(export_base, module.serving_input_receiver_fn).decode()


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("serving"))
    model_dir = os.path.join(root, "model_dir")
    old = _export(_model_file(root, "base"), model_dir, os.path.join(root, "export_base"))
    variants = {}
    for name, changes in VARIANTS.items():
        path = _model_file(root, name, **changes)
        variants[name] = (path, _export(path, model_dir, os.path.join(root, f"export_{name}")))
    return old, variants


def _client_breaks(old: str, new: str) -> dict:
    """signature -> True when a client of the old signature fails on the new SavedModel: the
    signature is gone, calling it (TF2 tf.saved_model.load, or TF1 Session.run with the old
    signature's tensor names and shapes) raises, or an output key it read is gone."""
    t = tf()
    old_model, new_model = t.saved_model.load(old), t.saved_model.load(new)
    feed = np.ones([2, 4], "float32")
    broken = {}
    for key, fn in old_model.signatures.items():
        if key not in new_model.signatures:
            broken[key] = True
            continue
        expected = set(fn(x=t.constant(feed)))
        try:
            got = set(new_model.signatures[key](x=t.constant(feed)))
            got &= _session_outputs(new, key, feed)
        except Exception:  # noqa: BLE001 - any failure of the call is the client's breakage
            broken[key] = True
            continue
        broken[key] = not expected <= got
    return broken


def _session_outputs(path, key, feed) -> set:
    """A TF1 client: load the SavedModel in a Session and run the signature's tensors by name."""
    t = tf()
    v1 = t.compat.v1
    with t.Graph().as_default(), v1.Session() as sess:
        sig = v1.saved_model.load(sess, ["serve"], path).signature_def[key]
        outputs = {k: v.name for k, v in sig.outputs.items()}
        sess.run(outputs, feed_dict={sig.inputs["x"].name: feed})  # Session checks fed shapes
        return set(outputs)


def _gl5(path, old, capsys, *extra):
    code = main(["check", path, "--saved-model", old, "--format", "json", "--exit-zero", *extra])

    out = capsys.readouterr().out
    assert code == 0, out
    return [f for f in json.loads(out)["findings"] if f["code"].startswith("GL5")]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_verdict_equals_what_the_old_signatures_client_gets(exports, variant, capsys):
    old, variants = exports
    path, new = variants[variant]
    findings = _gl5(path, old, capsys)
    assert {(f["code"], f["severity"]) for f in findings} == EXPECTED[variant]
    errors = {f["name"].split("/")[0] for f in findings if f["severity"] == "error"}
    broken = {k for k, b in _client_breaks(old, new).items() if b}
    assert errors == broken


def test_signature_table_and_text(exports, capsys):
    old, variants = exports
    assert main(["check", variants["renamed_output"][0], "--saved-model", old]) == 1
    out = capsys.readouterr().out
    assert "signatures of the export" in out and "GL503" in out and "renamed to 'logit2'" in out


def test_signature_table_in_json_is_the_real_exports(exports, capsys):
    """The JSON report's serving table equals the signatures the real export of that model wrote."""

    old, variants = exports
    path, new = variants["added_input"]
    main(["check", path, "--saved-model", old, "--format", "json", "--exit-zero"])
    serving = json.loads(capsys.readouterr().out)["serving"]
    assert serving["receiver_fn"] == "serving_input_receiver_fn" and serving["saved_model"] == old
    t = tf()
    with t.Graph().as_default(), t.compat.v1.Session() as sess:
        written = t.compat.v1.saved_model.load(sess, ["serve"], new).signature_def

    def io(infos):
        return {k: {"dtype": t.as_dtype(v.dtype).name, "shape": t.TensorShape(v.tensor_shape).as_list(),
                    "tensor": v.name} for k, v in infos.items()}

    assert serving["signatures"] == {k: {"method": s.method_name, "inputs": io(s.inputs), "outputs": io(s.outputs)}
                                     for k, s in written.items()}
    assert serving["signatures"]["serving_default"]["inputs"]["mask"]["shape"] == [None, 4]
    main(["check", path, "--saved-model", old, "--format", "json", "--exit-zero"])
    assert json.loads(capsys.readouterr().out)["serving"] == serving  # and again, the same


def test_export_outputs_entry_the_export_drops(exports, tmp_path, capsys):
    """Without a SavedModel: a ClassificationOutput over float inputs is missing from the real export."""
    path = _model_file(str(tmp_path), "classify", scores="classify")
    exported = _export(path, str(tmp_path / "md"), str(tmp_path / "export"))
    assert "scores" not in tf().saved_model.load(exported).signatures  # TF dropped it, silently
    assert main(["check", path, "--serving-input-fn", "serving_input_receiver_fn", "--format", "json",
                 "--exit-zero"]) == 0

    doc = json.loads(capsys.readouterr().out)
    codes = [(f["code"], f["name"]) for f in doc["findings"] if f["code"].startswith("GL5")]
    assert codes == [("GL510", "scores")]
    assert doc["serving"]["saved_model"] is None  # nothing to compare with, the table still given
    assert sorted(doc["serving"]["signatures"]) == sorted(tf().saved_model.load(exported).signatures)


def test_renamed_variable_cannot_restore_the_saved_models_variables(exports, tmp_path, capsys):
    old, _ = exports
    path = _model_file(str(tmp_path), "renamed_var", var="w2")
    findings = _gl5(path, old, capsys)
    assert [(f["code"], f["name"]) for f in findings] == [("GL512", "w2")]
    # TF agrees: the new serving graph's Saver cannot restore the SavedModel's variables.
    from graphlint.serving.signatures import read_saved_model

    t = tf()
    with estimator_api(), t.Graph().as_default():
        from tests.realtf import _import_model

        module = _import_model(path)
        receiver = module.serving_input_receiver_fn()
        module.model_fn(receiver.features, None, t.estimator.ModeKeys.PREDICT)
        with t.compat.v1.Session() as sess, pytest.raises(t.errors.NotFoundError):
            t.compat.v1.train.Saver().restore(sess, read_saved_model(old).variables)


def test_bad_saved_model_path_is_one_line(exports, tmp_path, capsys):
    _, variants = exports
    assert main(["check", variants["same"][0], "--saved-model", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("graphlint: error: --saved-model") and err.count("\n") == 1


def test_narrowed_shape_rejects_some_shapes_the_old_clients_sent(exports):
    """GL508 is a warning: a [2, 4] client still works (the parametrized test), a [3, 4] one, valid
    for the old [?, 4], is rejected by a TF1 Session; TF2's signature function does not check."""
    old, variants = exports
    new = variants["narrowed_shape"][1]
    feed = np.ones([3, 4], "float32")
    assert _session_outputs(old, "serving_default", feed) == {"classes", "logits"}
    with pytest.raises(ValueError):  # Session.run checks a feed against the placeholder's shape
        _session_outputs(new, "serving_default", feed)
    got = tf().saved_model.load(new).signatures["serving_default"](x=tf().constant(feed))
    assert got["logits"].shape == (3, 3)


def test_signature_tensor_of_another_graph(exports, tmp_path, capsys):
    """GL511: an export output built in another graph. The real export of that model fails, so
    nothing is shipped; graphlint names the output before anyone exports, and with the SavedModel
    does not also call the signature removed."""
    path = _model_file(str(tmp_path), "other_graph", scores="other_graph")
    with pytest.raises(KeyError):
        _export(path, str(tmp_path / "md"), str(tmp_path / "export"))
    # It leaves only a temp- folder behind: no loadable SavedModel
    assert not [d for d, _, files in os.walk(tmp_path / "export") if "saved_model.pb" in files]
    assert main(["check", path, "--serving-input-fn", "serving_input_receiver_fn", "--format", "json",
                 "--exit-zero"]) == 0

    findings = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["code"].startswith("GL5")]
    assert [(f["code"], f["severity"], f["name"]) for f in findings] == [("GL511", "error", "scores/outputs/s")]
    findings = _gl5(path, exports[0], capsys)
    assert [(f["code"], f["severity"], f["name"]) for f in findings] == [("GL511", "error", "scores/outputs/s")]


@pytest.mark.parametrize("how", ["two models", "--shard"])
def test_saved_model_with_several_models_is_a_usage_error(exports, capsys, how):
    """A SavedModel is one model's export: with several models (whose workers build no serving
    graph) it would be silently ignored, so it is refused before anything is built."""
    old, variants = exports
    models = [variants["same"][0], variants["added_input"][0]] if how == "two models" else [variants["same"][0]]
    extra = ["--shard", "1/1"] if how == "--shard" else []
    assert main(["check", *models, *extra, "--saved-model", old, "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("graphlint: error: --saved-model works on one model at a time") and err.count("\n") == 1
    assert json.loads(out)["findings"] == []


def test_check_with_the_serving_graph_imports_the_model_once(exports, tmp_path, capsys):
    """One ModelSession per run (model/session.py): the modes and the serving graph are built from one
    import of the model file, and each mode once."""
    old, _ = exports
    path = _model_file(str(tmp_path), "counted")
    counter = tmp_path / "imports.txt"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"\nwith open({str(counter)!r}, 'a') as _fh:\n    _fh.write('import\\n')\n")
    assert main(["check", path, "--saved-model", old, "--jobs", "1", "--no-cache", "--exit-zero"]) == 0
    capsys.readouterr()
    assert counter.read_text().splitlines() == ["import"]
