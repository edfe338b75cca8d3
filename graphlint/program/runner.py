"""Run the user's training program as `python PROGRAM.py args...` (or `python -m module args...`)
would, unchanged, with Estimator's entry points recording instead of running.

The program runs in this process (its model_fns are closures graphlint builds afterwards), with
sys.argv set as Python sets it, its folder first on sys.path, no bytecode written, and its prints
on stderr (stdout is the report's). Everything is put back when the run's analysis is done.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import sys
import traceback

from graphlint import tf1
from graphlint.errors import UsageError
from graphlint.model import hooks, tfcompat
from graphlint.model.loader import check_source
from graphlint.model.sites import SiteFinder, display_path
from graphlint.program.calls import Recorder, StopProgram
from graphlint.program.intercept import intercepting
from graphlint.tfpatch import room


class Program:
    """PROGRAM.py args, or -m module args: what to run and how Python would name it."""

    def __init__(self, argv):
        argv = list(argv)
        if argv and argv[0] == "--":
            argv = argv[1:]
        if not argv:
            raise UsageError("run needs a program: graphlint run [options] -- PROGRAM.py [args...] (or -m module)")
        if argv[0] == "-m":
            if len(argv) < 2:
                raise UsageError("run -m needs a module name")
            self.module, self.path, self.args = argv[1], _module_file(argv[1]), argv[2:]
            self.folder = os.getcwd()  # python -m puts the working directory first
        else:
            self.module, self.path, self.args = None, _check_file(argv[0]), argv[1:]
            self.folder = os.path.dirname(os.path.abspath(self.path))
        self.name = self.module or display_path(self.path)

    def execute(self) -> None:
        if self.module:
            runpy.run_module(self.module, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(self.path, run_name="__main__")


def _check_file(path: str) -> str:
    check_source(path)
    return path


def _module_file(name: str) -> str:
    import importlib.util

    sys.path.insert(0, os.getcwd())
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    finally:
        sys.path.pop(0)
    if spec is None or not spec.origin:
        raise UsageError(f"{name}: no such module")
    return spec.origin


@contextlib.contextmanager
def running(argv):
    """Run the program; yield (Program, [Call], SiteFinder). sys.path, sys.argv and the program's
    modules stay as the program left them until the block ends (model_fns may import lazily)."""
    program = Program(argv)
    sites = SiteFinder(program.folder)
    with room():  # the program's patches live as long as the room (its models are built in it too)
        yield from _running(program, sites)


def _running(program, sites):
    saved = (list(sys.argv), list(sys.path), set(sys.modules), sys.dont_write_bytecode)
    try:  # from the first change to the process on: the API's and pytest plugin's callers get it back
        sys.argv = [program.path, *program.args]
        sys.path.insert(0, program.folder)
        sys.dont_write_bytecode = True  # never leave __pycache__ in the user's folders
        with tf1.code(program.path, program.folder):  # TF1 code: the 1.x API until its modes are built
            calls, watch = _run(program, sites)
            with hooks.remembered(watch):  # hooks the program made: findings point at their lines
                yield program, calls, sites
    finally:
        sys.argv, sys.path[:], old_modules, sys.dont_write_bytecode = saved[0], saved[1], saved[2], saved[3]
        for name in set(sys.modules) - old_modules:
            if sites.is_user_file(getattr(sys.modules.get(name), "__file__", None) or "") or name == "__mp_main__":
                del sys.modules[name]


def _run(program: Program, sites: SiteFinder) -> list:
    recorder = Recorder()
    failure = None
    with tfcompat.estimator_api() as est, hooks.watching(sites) as watch, \
            intercepting(recorder, sites, est), contextlib.redirect_stdout(sys.stderr):
        try:
            program.execute()
        except StopProgram:
            pass  # its calls repeat: all recorded
        except tf1.MissingSymbol as exc:  # graphlint cannot see this program: say which name, stop
            raise UsageError(f"{_where(exc, sites, program)}: {exc}") from None
        except SystemExit as exc:
            if exc.code not in (None, 0):
                failure = f"{program.name}: the program exited with status {exc.code}"
        except Exception as exc:  # noqa: BLE001 - the program's own error is the message
            needs_keras2 = tfcompat.missing_tf_keras(exc)
            if needs_keras2:  # the environment: no Estimator call of the program can be built either
                raise UsageError(f"{_where(exc, sites, program)}: {needs_keras2}") from None
            failure = f"{_where(exc, sites, program)}: the program failed: {_one_line(exc)}"
    if not recorder.calls:
        raise UsageError(f"{failure} before any Estimator call" if failure else
                         f"{program.name}: the program made no Estimator call (train, evaluate, predict, "
                         "export_saved_model or train_and_evaluate)")
    if failure:
        print(f"graphlint: note: {failure} after {len(recorder.calls)} Estimator call(s); checking those "
              "(graphlint's calls return neutral values: train the estimator, evaluate {}, predict nothing)",
              file=sys.stderr)
    return recorder.calls, watch


def _where(exc, sites, program) -> str:
    site = sites.from_traceback(exc.__traceback__)
    return f"{site.file}:{site.line}" if site else program.name


def _one_line(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
