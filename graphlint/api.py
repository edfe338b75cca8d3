"""The Python API, for tests: `assert not graphlint.lint("model.py").errors`."""

from __future__ import annotations

import inspect
import os

from graphlint.checkpoint import reader as ckpt_lib
from graphlint.run import engine
from graphlint.run import selection
from graphlint.model import tfcompat
from graphlint.config import Config
from graphlint.model.loader import Model
from graphlint.model.sites import SiteFinder


def lint(model=None, *, model_fn=None, input_fn=None, params=None, per_mode_params=None, modes=None,
         checkpoint=None, select=None, ignore=(), jobs=1) -> "engine.Report":
    """Build a model in every mode and return its Report (findings, errors, to_json()).

    Either `model`, a model file path or package.module (as on the command line; `model_fn` and
    `input_fn` may then be names), or `model_fn` and `input_fn` as callables, in which case the
    folder of model_fn's source file is "the user's code" for file:line locations. `jobs` > 1
    builds the modes in forked worker processes (the CLI's --jobs); the default stays in this
    process, which is what a test suite calling lint() expects.
    """
    options = dict(params=params, per_mode_params=per_mode_params, modes=tuple(modes) if modes else None,
                   jobs=jobs)
    if model is not None:
        report = engine.run(model, model_fn=model_fn, input_fn=input_fn, checkpoint=checkpoint, **options)
    else:
        if not callable(model_fn) or not callable(input_fn):
            raise TypeError("lint() needs a model file, or model_fn and input_fn callables")
        ckpt = ckpt_lib.read(checkpoint) if checkpoint else None
        with tfcompat.estimator_api():
            report = engine.analyze(_model(model_fn, input_fn), ckpt=ckpt, **options)
    conf = Config(select=list(select) if select else None, ignore=list(ignore))
    report.findings = selection.apply_config(report.findings, conf, [report.info.model_file] if report.info.model_file else [])
    return report


def _model(model_fn, input_fn) -> Model:
    from graphlint.model.loader import _model_fn_args

    source = inspect.getsourcefile(model_fn) or os.getcwd()
    module = inspect.getmodule(model_fn)
    name = getattr(model_fn, "__qualname__", "model_fn")
    return Model(target=f"{getattr(module, '__name__', '?')}.{name}", module=module, model_fn=model_fn,
                 input_fns={m: input_fn for m in ("train", "eval", "predict")},
                 params={}, sites=SiteFinder(os.path.dirname(os.path.abspath(source))),
                 model_fn_args=_model_fn_args(model_fn, name))



