"""graphlint run: which recorded Estimator calls are one build (program/models.py). Calls of a mode
with the same model_fn, params and config are one build carrying every call's hooks; a call with
other params is another variant of the model_dir. Estimators here are stand-ins with the
attributes models.py reads: the graphs are not built (test_program_run.py builds them for real)."""

from types import SimpleNamespace

from graphlint.model.snapshot import Site
from graphlint.program.calls import Call
from graphlint.program.models import _merged, program_models

PROGRAM = SimpleNamespace(name="train.py", path="train.py")


def model_fn(features, labels, mode, params):  # never called
    raise AssertionError


def _estimator(**params):
    return SimpleNamespace(model_dir="/tmp/m", params=params, config=SimpleNamespace(save_summary_steps=1),
                           _model_fn=model_fn)


def _call(mode, est, line, hooks=(), via=""):
    entry = {"train": "train", "eval": "evaluate", "predict": "predict"}[mode]
    return Call(entry, mode, est, input_fn=lambda: None, hooks=tuple(hooks), site=Site("train.py", line), via=via)


def test_train_and_evaluate_then_evaluate_is_one_model_with_both_evaluations_hooks():
    est = _estimator(lr=0.1)
    vali, test = object(), object()
    calls = [_call("train", est, 10, via="train_and_evaluate"),
             _call("eval", est, 10, [vali], via="train_and_evaluate"), _call("eval", est, 11, [test])]
    (model,) = program_models(PROGRAM, calls, sites=None)
    assert model.modes == ("train", "eval")
    assert model.model.target.count("evaluate at ") == 2
    assert _merged(calls[1:]).hooks == (vali, test)  # the one EVAL build runs both evaluations' hooks
    assert _merged([calls[1], _call("eval", est, 12, [vali])]).hooks == (vali,)  # a hook passed twice, once


def test_an_equal_estimator_with_equal_params_is_the_same_build():
    calls = [_call("train", _estimator(lr=0.1), 10), _call("eval", _estimator(lr=0.1), 11),
             _call("eval", _estimator(lr=0.1), 12)]
    assert len(program_models(PROGRAM, calls, sites=None)) == 1


def test_an_evaluation_with_other_params_is_another_variant():
    calls = [_call("train", _estimator(units=3), 10), _call("eval", _estimator(units=3), 11),
             _call("eval", _estimator(units=4), 12)]
    models = program_models(PROGRAM, calls, sites=None)
    assert len(models) == 2
    assert [m.params["eval"]["units"] for m in models] == [3, 4]
