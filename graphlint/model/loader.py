"""Import the user's model file and find model_fn, input_fn(s) and params, as Estimator would use them."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import json
import os
import sys
import traceback
from dataclasses import dataclass, field
from types import ModuleType

from graphlint import tf1
from graphlint.constants import MODES
from graphlint.errors import UsageError
from graphlint.model.sites import SiteFinder, names_a_file
from graphlint.wording import agree

MODEL_FN_ARGS = {"features", "labels", "mode", "params", "config"}


@dataclass
class Model:
    target: str
    module: ModuleType
    model_fn: object
    input_fns: dict  # mode -> callable
    params: dict
    sites: SiteFinder
    model_fn_args: tuple = field(default=())
    imported: list = field(default_factory=list)  # files of the modules loading it imported (the cache's inputs)


def parse_params(value: str, option: str) -> dict:
    """`--params` value: inline JSON object, or @file.json."""
    text = value
    if value.startswith("@"):
        path = value[1:]
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise UsageError(f"{option}: cannot read {path}: {exc.strerror}") from None
    try:
        params = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{option}: invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    if not isinstance(params, dict):
        raise UsageError(f"{option}: expected a JSON object, got {type(params).__name__}")
    return params


def check_target(target: str) -> None:
    """Refuse a path-like model target that cannot be a model file, before anything slow happens
    (the run layer calls this before TensorFlow is imported). Module names are left to the import."""
    if _is_path(target):
        check_file(target)


def check_file(path: str) -> None:
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a directory; give the model's .py file or a package.module name")
    if os.path.exists(path) and not path.endswith(".py"):
        raise UsageError(f"{path}: not a Python file (expected a .py file or a package.module name)")
    check_source(path)


def check_source(path: str) -> None:
    """A file of Python source that compiles (a model file, or a training program of any name)."""
    if not os.path.isfile(path):
        raise UsageError(f"{path}: no such file" if not os.path.exists(path) else f"{path}: not a file")
    try:
        with open(path, "rb") as fh:
            compile(fh.read(), path, "exec")
    except SyntaxError as exc:
        raise UsageError(f"{path}:{exc.lineno}: SyntaxError: {exc.msg}") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None


def _import_file(path: str) -> ModuleType:
    check_file(path)
    return exec_file("graphlint_model_" + os.path.splitext(os.path.basename(path))[0], path)


def exec_file(name: str, path: str) -> ModuleType:
    """Import the file at `path` as module `name` (registered in sys.modules first, as an import
    would, so the module can find itself)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _import_target(target: str, sites: SiteFinder) -> ModuleType:
    try:
        if _is_path(target):
            return _import_file(target)
        return importlib.import_module(target)
    except tf1.MissingSymbol as exc:  # the name, not "importing the model failed: MissingSymbol: ..."
        site = sites.from_traceback(exc.__traceback__)
        raise UsageError(f"{f'{site.file}:{site.line}' if site else target}: {exc}") from None
    except UsageError:
        raise
    except ModuleNotFoundError as exc:
        if exc.name and target.startswith(exc.name) and not os.path.exists(target):
            raise UsageError(f"{target}: no such file or module") from None
        raise UsageError(_import_failure(target, exc, sites)) from None
    except Exception as exc:  # the user's module raised while importing: report where
        raise UsageError(_import_failure(target, exc, sites)) from None


def _import_failure(target: str, exc: BaseException, sites: SiteFinder) -> str:
    from graphlint.model.tfcompat import missing_tf_keras

    site = sites.from_traceback(exc.__traceback__)
    where = f"{site.file}:{site.line}" if site else target
    needs_keras2 = missing_tf_keras(exc)  # the environment: say how to fix it
    if needs_keras2:
        return f"{where}: {needs_keras2}"
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
    return f"{where}: importing the model failed: {message}"


def _looks_like_model_fn(obj) -> bool:
    try:
        args = set(inspect.signature(obj).parameters)
    except (TypeError, ValueError):
        return False
    return "features" in args and "mode" in args


def _find_model_fn(module: ModuleType, target: str, name: str | None):
    if name:
        fn = getattr(module, name, None)
        if not callable(fn):
            raise UsageError(f"{target}: no callable named {name!r}")
        return fn
    fn = getattr(module, "model_fn", None)
    if callable(fn):
        return fn
    candidates = sorted(k for k, v in vars(module).items() if callable(v) and _looks_like_model_fn(v))
    hint = f"; candidates: {', '.join(candidates)} (pick one with --model-fn NAME)" if candidates else ""
    raise UsageError(f"{target}: no model_fn found{hint}")


def model_fn_args(fn, target: str) -> tuple:
    try:
        args = tuple(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        raise UsageError(f"{target}: model_fn has no inspectable signature") from None
    if "features" not in args:
        raise UsageError(f"{target}: model_fn must take a 'features' argument, as Estimator requires (it takes {', '.join(args)})")
    unknown = [a for a in args if a not in MODEL_FN_ARGS]
    if unknown:
        raise UsageError(f"{target}: model_fn takes unknown {agree(len(unknown), 'argument', 'arguments')} {', '.join(unknown)}; Estimator passes only {', '.join(sorted(MODEL_FN_ARGS))}")
    return args


def _find_input_fns(module: ModuleType, target: str, name: str | None) -> dict:
    fns = {}
    default = getattr(module, name or "input_fn", None)
    if name and not callable(default):
        raise UsageError(f"{target}: no callable named {name!r}")
    for mode in MODES:
        specific = None if name else getattr(module, f"{mode}_input_fn", None)
        fn = specific if callable(specific) else default
        if callable(fn):
            fns[mode] = fn
    if not fns:
        raise UsageError(f"{target}: no input_fn found (define input_fn, or train_/eval_/predict_input_fn, or pass --input-fn NAME)")
    return fns


def _is_path(target: str) -> bool:
    return names_a_file(target) or os.path.exists(target)


def _source_file(target: str) -> str:
    """The model's own .py file (a package's __init__.py for a package target); its folder is
    importable, and where 'the user's code' lives."""
    if _is_path(target):
        return target
    sys.path.insert(0, os.getcwd())
    try:
        spec = importlib.util.find_spec(target)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin or not os.path.exists(spec.origin):
        raise UsageError(f"{target}: no such file or module")
    return spec.origin


@contextlib.contextmanager
def loaded(target: str, *, model_fn: str | None = None, input_fn: str | None = None):
    """Import the model with its folder importable; afterwards forget the modules it brought in."""
    source = _source_file(target)
    folder = os.path.dirname(os.path.abspath(source))
    sites = SiteFinder(folder)
    old_path = list(sys.path)
    old_modules = set(sys.modules)
    old_bytecode = sys.dont_write_bytecode
    model = None
    runtime = contextlib.ExitStack()
    try:  # from the first change to the process on: the API's and pytest plugin's callers get it back
        sys.dont_write_bytecode = True  # never leave __pycache__ in the user's folder
        sys.path.insert(0, folder)
        runtime.enter_context(tf1.code(source, folder))  # TF1 code: the 1.x API until its modes are built
        module = _import_target(target, sites)
        fn = _find_model_fn(module, target, model_fn)
        params = getattr(module, "params", None)
        model = Model(
            target=target, module=module, model_fn=fn,
            input_fns=_find_input_fns(module, target, input_fn),
            params=dict(params) if isinstance(params, dict) else {},
            sites=sites, model_fn_args=model_fn_args(fn, target),
        )
        yield model
    finally:
        runtime.close()
        sys.dont_write_bytecode = old_bytecode
        sys.path[:] = old_path
        new = set(sys.modules) - old_modules
        if model is not None:  # recorded before they are forgotten; cache.py keeps the user's own
            model.imported = sorted({f for n in new if isinstance(f := getattr(sys.modules.get(n), "__file__", None), str)})
        for name in new:
            mod = sys.modules.get(name)
            if getattr(mod, "__file__", None) and sites.is_user_file(mod.__file__):
                del sys.modules[name]
            elif name.startswith("graphlint_model_"):
                del sys.modules[name]


def from_callables(model_fn, input_fn) -> Model:
    """A Model from a model_fn and input_fn the caller already has (the Python API): the folder of
    model_fn's source file is "the user's code" for file:line locations."""
    if not callable(model_fn) or not callable(input_fn):
        raise TypeError("lint() needs a model file, or model_fn and input_fn callables")
    source = inspect.getsourcefile(model_fn) or os.getcwd()
    module = inspect.getmodule(model_fn)
    name = getattr(model_fn, "__qualname__", "model_fn")
    return Model(target=f"{getattr(module, '__name__', '?')}.{name}", module=module, model_fn=model_fn,
                 input_fns={m: input_fn for m in MODES}, params={},
                 sites=SiteFinder(os.path.dirname(os.path.abspath(source))),
                 model_fn_args=model_fn_args(model_fn, name))
