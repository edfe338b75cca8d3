"""The Python API, for tests: `assert not graphlint.lint("model.py").errors`.

It goes through the same run layer as the command line (graphlint.run.application), so a model's
findings are the same here as in `graphlint diff` / `graphlint check`: the nearest config file
(`[tool.graphlint]`) applies, with its selection, name ignores and baseline, and inline
suppressions are honoured.
"""

from __future__ import annotations


def lint(model=None, *, model_fn=None, input_fn=None, params=None, per_mode_params=None, modes=None,
         checkpoint=None, select=None, ignore=None, extend_select=None, baseline=None, config=None,
         jobs=1) -> "Report":
    """Build a model in every mode and return its Report (findings, errors, to_json()).

    Either `model`, a model file path or package.module (as on the command line; `model_fn` and
    `input_fn` may then be names), or `model_fn` and `input_fn` as callables, in which case the
    folder of model_fn's source file is "the user's code" for file:line locations. Keyword
    arguments win over the config file, as command-line options do; `config` names a config file
    (default: the nearest one above the model). `checkpoint` makes it `check`. `jobs` > 1 builds
    the modes in forked worker processes (the CLI's --jobs); the default stays in this process,
    which is what a test suite calling lint() expects.
    """
    from graphlint.run.application import Application, Request

    loaded = None
    if model is None:
        from graphlint.model.loader import from_callables

        loaded = from_callables(model_fn, input_fn)
    settings = {"select": _list(select), "ignore": _list(ignore), "extend_select": _list(extend_select),
                "baseline": baseline, "checkpoint": checkpoint, "modes": _list(modes)}
    if loaded is None:
        settings.update(model_fn=model_fn, input_fn=input_fn)
    request = Request(command="check" if checkpoint else "diff", models=[model] if model is not None else [],
                      config=config, settings=settings, params=params, per_mode_params=per_mode_params or {},
                      loaded=loaded, jobs=jobs)
    (outcome,) = Application(request).run()
    return outcome.report


def _list(value):
    return list(value) if value is not None else None
