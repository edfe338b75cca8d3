"""Where parity's old PREDICT graph comes from: the old model file (--old-model, loaded as `graphlint
diff` loads it) or the old training program (--old-program, run as `graphlint run` runs it, with
Estimator's entry points recorded and nothing trained: its Estimator's model_fn, called with the
params and config that Estimator passes, and the input_fn of one of its calls). Either way one
ModelSession (model/session.py) builds it.

A program may make several Estimators (one per model_dir, or a separate one to export). The one
whose model_dir holds OLD is the old model; when none or several do, which one OLD was trained by
is not known, and it is a usage error that lists them, never a guess. Estimators of one model_dir
with the same model_fn and params build the same PREDICT graph: they count as one.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Optional

from graphlint.errors import UsageError

MODEL_FILE, PROGRAM = "--old-model", "--old-program"


@dataclass(frozen=True)
class OldModel:
    option: str  # MODEL_FILE or PROGRAM
    path: str = ""  # the model file
    model_fn: Optional[str] = None  # its model_fn's name
    argv: tuple = ()  # the program and its arguments


@dataclass
class Opened:
    session: object  # model.session.ModelSession
    option: str
    label: str  # the model file, or the program and its Estimator (messages)
    batch_source: str  # where the input_fn's batch comes from (the report)
    no_receiver: str  # why no batch can be generated from a serving receiver (messages)


def from_args(args) -> Optional[OldModel]:
    """The old model the arguments give for parity; None without one."""
    program = getattr(args, "old_program", None)
    if args.old_model and program is not None:
        raise UsageError("--old-model and --old-program both give the old model: pass one")
    if program is None:
        return OldModel(MODEL_FILE, path=args.old_model, model_fn=args.model_fn) if args.old_model else None
    if not program:
        raise UsageError("--old-program needs a program, last on the line: --old-program -- PROGRAM.py [args...]")
    if args.model_fn:
        raise UsageError("--model-fn names --old-model's function; --old-program's model_fn is its Estimator's")
    return OldModel(PROGRAM, argv=tuple(program))


@contextlib.contextmanager
def opened(old: OldModel, prefix: str):
    """Yield the old model's Opened; `prefix` (OLD) chooses a program's Estimator."""
    from graphlint.model import session as session_lib

    if old.option == PROGRAM:
        with _program(old.argv, prefix) as done:
            yield done
        return
    with session_lib.opened(old.path, model_fn=old.model_fn) as session:  # the one owner of loading a model
        yield Opened(session, old.option, old.path, "the old input_fn (PREDICT, first batch)",
                     "the model file has no serving_input_receiver_fn")


@contextlib.contextmanager
def _program(argv: tuple, prefix: str):
    from graphlint.model import session as session_lib
    from graphlint.program import models, runner

    with contextlib.ExitStack() as stack:
        try:
            program, calls, sites = stack.enter_context(runner.running(list(argv)))
        except UsageError as exc:  # the program's own bad input: said as --old-program's
            raise UsageError(f"{PROGRAM}: {exc}") from None
        chosen = choose(program.name, estimators(calls), prefix)
        model = models.predict_model(program, chosen, sites)
        session = stack.enter_context(session_lib.session_for(model))
        feed = models.predict_feed(chosen)
        yield Opened(session, PROGRAM, model.target, f"the input_fn of the program's {feed.where()} (first batch)",
                     "the program exported no serving_input_receiver_fn")


def estimators(calls) -> list:
    """[[Call]] per Estimator of the program, in the order of their first calls; Estimators of one
    model_dir with the same model_fn and params are one (they build the same PREDICT graph)."""
    from graphlint.tfpatch import estimator_internals

    groups = {}
    for call in calls:
        est = call.estimator
        key = (call.model_dir, id(estimator_internals.model_fn_of(est, est)), _params_key(est))
        groups.setdefault(key, []).append(call)
    return list(groups.values())


def _params_key(est):
    try:
        return repr(est.params)
    except Exception:  # noqa: BLE001 - params that do not print: this Estimator is its own
        return id(est)


def choose(name: str, groups: list, prefix: str) -> list:
    """The calls of the Estimator OLD belongs to: the only one, else the only one whose model_dir
    holds OLD; otherwise a usage error listing them."""
    if len(groups) == 1:
        return groups[0]
    holders = [g for g in groups if holds(g[0].model_dir, prefix)]
    if len(holders) == 1:
        return holders[0]
    which = "none of their model_dirs holds" if not holders else f"{len(holders)} of their model_dirs hold"
    listing = "; ".join(_described(g) for g in groups)
    raise UsageError(f"{PROGRAM}: {name} made {len(groups)} Estimators and {which} OLD ({prefix}), so OLD's "
                     f"is not known: {listing}")


def _described(calls) -> str:
    est = calls[0].estimator
    return f"{type(est).__name__}(model_dir={calls[0].model_dir or None}) for {', '.join(c.where() for c in calls)}"


def holds(model_dir: str, prefix: str) -> bool:
    """Whether the checkpoint `prefix` is inside `model_dir` (symbolic links resolved; a URL by its text)."""
    if not model_dir:
        return False
    if "://" in model_dir or "://" in prefix:
        return prefix.startswith(model_dir.rstrip("/") + "/")
    folder = os.path.realpath(model_dir)
    return os.path.commonpath([folder, os.path.realpath(prefix)]) == folder
