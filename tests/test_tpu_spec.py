"""TPUEstimatorSpec model_fns (issue 12, item 3): graphlint builds them as TPUEstimator(use_tpu=False)
does on a CPU, with its params, and checks what the conversion creates. Where it matters, a real
TPUEstimator run (TF 2.15 + tensorflow-estimator) says what TensorFlow does with the same model."""

import json

import pytest

import graphlint
import tpu_model
from graphlint.model.tfcompat import real_estimator, tf
from graphlint.report import json as json_report
from graphlint.report import text

needs_tpu_estimator = pytest.mark.skipif(real_estimator() is None,
                                         reason="TPUEstimator needs tensorflow-estimator (TF 2.15)")


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    return tpu_model.write_pretrained(str(tmp_path_factory.mktemp("pretrained")))


def _lint(init_checkpoint, map_prefix="", **options):
    return graphlint.lint(model_fn=tpu_model.model_fn_builder(init_checkpoint, map_prefix=map_prefix),
                          input_fn=tpu_model.input_fn_builder(), **options)


def _tpu_estimator(model_fn, model_dir, eval_batch_size=8):
    tpu = tf().compat.v1.estimator.tpu
    return tpu.TPUEstimator(model_fn=model_fn, config=tpu.RunConfig(model_dir=model_dir), use_tpu=False,
                            train_batch_size=8, eval_batch_size=eval_batch_size, predict_batch_size=8)


def test_clean_bert_style_model_builds_every_mode_without_error(pretrained):
    report = _lint(pretrained)
    assert not report.errors, [f.message for f in report.errors]
    assert {m: s.built for m, s in report.snapshots.items()} == {"train": True, "eval": True, "predict": True}
    assert {s.converted_from for s in report.snapshots.values()} == {"TPUEstimatorSpec"}


def test_report_header_says_the_spec_was_converted(pretrained):
    report = _lint(pretrained)
    header = text.render(report).splitlines()[0]
    assert "TPUEstimatorSpec converted with as_estimator_spec()" in header
    assert "batch_size=8" in header
    assert "TPUEstimatorSpec" in json.loads(json_report.render(report))["spec_conversion"]


def test_host_call_hook_fetches_are_checked(pretrained):
    """host_call's outputs are fetched every step by the hook the conversion adds (TRAIN only here)."""
    snaps = _lint(pretrained).snapshots
    assert {(f.hook, f.name, f.resolved) for f in snaps["train"].fetches} == {
        ("_OutfeedHostCallHook", "host_loss:0", True), ("_OutfeedHostCallHook", "host_step:0", True)}
    assert not snaps["eval"].fetches


def test_eval_metrics_become_metric_ops_of_eval(pretrained):
    snaps = _lint(pretrained).snapshots
    assert {"accuracy/total", "accuracy/count"} <= {n for n, v in snaps["eval"].variables.items() if v.kind == "metric"}
    assert "accuracy/total" not in snaps["train"].variables


def test_scaffold_fn_warm_start_with_a_wrong_map_is_the_warm_start_error(pretrained):
    report = _lint(pretrained, map_prefix="old_")
    assert {f.code for f in report.errors} == {"GL305"}
    assert {s.failure.kind for s in report.snapshots.values()} == {"warm-start"}
    assert report.errors[0].location.line == _line_of("tf.compat.v1.train.init_from_checkpoint(")


def test_a_plain_model_fn_gets_no_tpu_params():
    from graphlint.rules import example_common as ex

    def model_fn(features, labels, mode, params):
        return ex.spec(mode, ex.linear(features, params["units"]), labels)

    report = graphlint.lint(model_fn=model_fn, input_fn=ex.input_fn, params=ex.params)
    assert {m: s.params for m, s in report.snapshots.items()} == {m: ex.params for m in report.snapshots}
    assert report.info.spec_conversion == ""


@pytest.mark.realtf
@needs_tpu_estimator
def test_graphlint_passes_the_params_tpu_estimator_passes(pretrained, tmp_path):
    """TPUEstimator(use_tpu=False) passes params use_tpu=False and batch_size of the mode."""
    seen = {}
    estimator = _tpu_estimator(tpu_model.model_fn_builder(pretrained, seen_params=seen), str(tmp_path),
                               eval_batch_size=4)
    estimator.train(tpu_model.input_fn_builder(), max_steps=2)
    estimator.evaluate(tpu_model.input_fn_builder(), steps=1)
    report = _lint(pretrained, per_mode_params={"eval": {"batch_size": 4}}, modes=("train", "eval"))
    assert seen == {"train": report.snapshots["train"].params, "eval": report.snapshots["eval"].params}
    assert seen["eval"] == {"use_tpu": False, "batch_size": 4}


@pytest.mark.realtf
@needs_tpu_estimator
def test_real_tpu_estimator_warm_starts_and_reports_what_graphlint_reports(pretrained, tmp_path):
    """Clean: training and evaluation run, the host call's hook included, and scaffold_fn's warm
    start loaded the pretrained kernel; graphlint finds no error in the same model."""
    estimator = _tpu_estimator(tpu_model.model_fn_builder(pretrained, learning_rate=0.0), str(tmp_path))
    estimator.train(tpu_model.input_fn_builder(), max_steps=2)
    metrics = estimator.evaluate(tpu_model.input_fn_builder(), steps=1)
    assert "eval_accuracy" in metrics
    before, after = tf().train.load_checkpoint(pretrained), tf().train.load_checkpoint(str(tmp_path))
    # learning rate 0: what training saved is what the warm start loaded
    assert (after.get_tensor("bert/encoder/kernel") == before.get_tensor("bert/encoder/kernel")).all()
    assert not _lint(pretrained).errors


@pytest.mark.realtf
@needs_tpu_estimator
def test_real_tpu_estimator_fails_on_the_wrong_map_while_building(pretrained, tmp_path):
    estimator = _tpu_estimator(tpu_model.model_fn_builder(pretrained, map_prefix="old_"), str(tmp_path))
    with pytest.raises(ValueError):
        estimator.train(tpu_model.input_fn_builder(), max_steps=1)
    assert not tf().io.gfile.glob(str(tmp_path / "model.ckpt-*"))  # it never trained a step


def _line_of(needle):
    with open(tpu_model.__file__) as f:
        return next(i for i, line in enumerate(f, 1) if needle in line)


def test_forked_workers_report_the_conversion_as_the_serial_run_does(pretrained):
    from graphlint.model import parallel

    if not parallel.available():
        pytest.skip("no fork on this platform")
    serial, forked = _lint(pretrained), _lint(pretrained, jobs=2)
    assert json_report.render(forked) == json_report.render(serial)
    assert forked.info.spec_conversion == serial.info.spec_conversion != ""
