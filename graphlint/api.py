"""The Python API, for tests: `assert not graphlint.lint("model.py").errors`.

It goes through the same run layer as the command line (graphlint.run.application), so a model's
findings are the same here as in `graphlint diff` / `graphlint check`: the nearest config file
(`[tool.graphlint]`) applies, with its selection, name ignores and baseline, and inline
suppressions are honoured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphlint.report.document import Report


def lint(model=None, *, model_fn=None, input_fn=None, params=None, per_mode_params=None, modes=None,
         checkpoint=None, select=None, ignore=None, extend_select=None, baseline=None, config=None,
         jobs=1, estimator=None, hooks=None, tf1=None) -> "Report":
    """Build a model in every mode and return its Report (findings, errors, to_json()).

    Either `model`, a model file path or package.module (as on the command line; `model_fn` and
    `input_fn` may then be names), or `model_fn` and `input_fn` as callables, in which case the
    folder of model_fn's source file is "the user's code" for file:line locations. Keyword
    arguments win over the config file, as command-line options do; `config` names a config file
    (default: the nearest one above the model). `checkpoint` makes it `check`. `jobs` > 1 builds
    the modes in forked worker processes (the CLI's --jobs); the default stays in this process,
    which is what a test suite calling lint() expects.

    Or `estimator`, the tf.estimator.Estimator (canned, TPUEstimator or a subclass) your program
    builds, with `input_fn` and the `hooks` your program passes to train() and evaluate(): the modes
    (default train and eval) are built as that Estimator would, and its model_dir's latest
    checkpoint, when there is one, is checked as `graphlint run` does.

    `tf1` is the command line's --tf1 (docs/tf1.md): True builds under the TF1 runtime, a model file
    imported with the 1.x API and tf.contrib, callables and an Estimator (already imported) with TF
    1.x's switches (graph mode, ref variables, v1 control flow). None: the config file's `tf1` (for `estimator`,
    only this argument). False
    overrides a config's `tf1 = true`; a model file whose source is TF1 code still turns the runtime
    on by itself, as it must to import at all. Either way nothing of the runtime is left after the call.
    """
    from graphlint.tfpatch import room

    with room():  # the one room for the call: nothing graphlint patched in TensorFlow is left after it
        return _lint(model, model_fn, input_fn, params, per_mode_params, modes, checkpoint, select, ignore,
                     extend_select, baseline, config, jobs, estimator, hooks, tf1)


def _lint(model, model_fn, input_fn, params, per_mode_params, modes, checkpoint, select, ignore, extend_select,
          baseline, config, jobs, estimator, hooks, tf1):
    from graphlint.run.application import Application, Request

    if estimator is not None:
        with _runtime(tf1):
            return _lint_estimator(estimator, input_fn, hooks, modes, select, ignore, extend_select, baseline,
                                   config, jobs)

    loaded = None
    if model is None:
        from graphlint.model.loader import from_callables

        loaded = from_callables(model_fn, input_fn)
    settings = {"select": _list(select), "ignore": _list(ignore), "extend_select": _list(extend_select),
                "baseline": baseline, "checkpoint": checkpoint, "modes": _list(modes), "tf1": tf1}
    if loaded is None:
        settings.update(model_fn=model_fn, input_fn=input_fn)
    request = Request(command="check" if checkpoint else "diff", models=[model] if model is not None else [],
                      config=config, settings=settings, params=params, per_mode_params=per_mode_params or {},
                      loaded=loaded, jobs=jobs)
    (outcome,) = Application(request).run()
    return outcome.report


def _runtime(tf1):
    """The TF1 runtime around building code the caller already imported, when asked for."""
    import contextlib

    from graphlint import tf1 as runtime

    return runtime.runtime() if tf1 else contextlib.nullcontext()


def _lint_estimator(estimator, input_fn, hooks, modes, select, ignore, extend_select, baseline, config, jobs):
    from graphlint.model.tfcompat import estimator_api
    from graphlint.program.models import estimator_model
    from graphlint.run import engine

    if not callable(input_fn):
        raise TypeError("lint(estimator=...) needs input_fn, the input function you pass to train()")
    with estimator_api():
        program = estimator_model(estimator, input_fn, hooks, tuple(modes or ("train", "eval")))
    report = engine.analyze_model(program.model, checkpoint=program.checkpoint, per_mode_params=program.params,
                                   modes=program.modes, jobs=jobs)
    return _filtered(report, program.model, select, ignore, extend_select, baseline, config)


def _filtered(report, model, select, ignore, extend_select, baseline, config):
    """The config's selection, suppressions and baseline, as for every other front door."""
    import dataclasses

    from graphlint import config as config_lib
    from graphlint.run import selection

    path = config or config_lib.find_config(model.sites.root)
    conf = config_lib.load_config(path) if path else config_lib.Config()
    conf = config_lib.merge(conf, {"select": _list(select), "ignore": _list(ignore),
                                   "extend_select": _list(extend_select), "baseline": baseline})
    files = [report.info.model_file] if report.info.model_file else []
    found = selection.apply_config(report.findings, conf, files, model.target, report.alternatives)
    return dataclasses.replace(report, findings=found)


def _list(value):
    return list(value) if value is not None else None
