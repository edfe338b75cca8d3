"""Run an EstimatorSpec's hooks as MonitoredSession does, on the graph Estimator gives them, and
record every name they look up, fetch or feed, and every way they fail.

MonitoredSession calls each hook's begin() (LoggingTensorHook and user hooks resolve names there),
then creates the session (the Scaffold finalizes the graph), then, every step, before_run()
(Session.run resolves the fetches and the feed keys) and after_run(), and end() when it closes
(FinalOpsHook runs its ops then). A name that does not resolve at any of these moments fails the
mode, so each is recorded as a Fetch, with the step it is first asked for at: the steps are
simulated for as long as the hooks' schedules take (hook_schedule.py). The one thing graphlint
cannot give a hook is a live session.
"""

from __future__ import annotations

import contextlib
import inspect

from graphlint.errors import first_line
from graphlint.model import estimator_ops, hook_schedule
from graphlint.model.snapshot import Fetch, HookError
from graphlint.model.tfcompat import tf
from graphlint.tfpatch import graph_lookup, session_hooks, summary_writers, training
from graphlint.tfpatch.graph import unfinalize

_HOOKS = {
    "train": ("training_chief_hooks", "training_hooks"),  # MonitoredTrainingSession's order
    "eval": ("evaluation_hooks",),
    "predict": ("prediction_hooks",),
}


class Watch:
    """Where the user's code constructed each hook, noted while model_fn ran."""

    def __init__(self, sites):
        self.sites = sites
        self._made = {}  # id(hook) -> (hook, raw site); the hook is kept so its id stays unique

    def note(self, hook) -> None:
        """Called as `hook` is constructed (tfpatch/session_hooks.py): its caller's user frame."""
        self._made[id(hook)] = (hook, self.sites.raw_from_stack(3))

    def constructed_at(self, hook):
        for watch in (self, *session_hooks.kept()):
            entry = watch._made.get(id(hook))
            if entry and entry[0] is hook:
                return watch.sites.from_raw(entry[1])
        return None


def remembered(watch: Watch):
    """While open, hooks noted by `watch` (those a program passed to train()/evaluate()) keep
    their construction sites in later builds."""
    return session_hooks.keeping(watch)


@contextlib.contextmanager
def watching(sites):
    """While model_fn runs and its hooks are simulated: note each SessionRunHook's construction
    site (findings point at the user's `LoggingTensorHook(...)` line, not into TF), and give hooks
    writers that write nothing."""
    with summary_writers.silenced(), session_hooks.noting(Watch(sites)) as watch:
        yield watch


def simulate(graph, spec, mode: str, watch: Watch):
    """Add Estimator's ops, then run the hooks' begin(), finalize, their steps and end-time fetches.
    Returns (fetches, errors, estimator_ops, late_ops)."""
    fetches, errors = [], []
    before = _count(graph)
    scaffold = spec.scaffold
    try:
        scaffold = estimator_ops.add_before_begin(spec, mode)
    except Exception as exc:  # noqa: BLE001 - Estimator fails this mode the same way
        errors.append(HookError("Estimator", _message(exc), None, "begin"))
    added = _names_since(graph, before)
    hooks = list(_hooks(spec, mode))
    failed = {}
    clock = hook_schedule.Clock()
    with clock.installed(hooks):
        with graph_lookup.name_misses(graph, _noting(failed)):
            ready = [h for h in hooks if _begin(h, failed, watch, fetches, errors)]
        at_begin = _count(graph)
        session = estimator_ops.Session(graph, scaffold)
        try:
            session.open()
        except Exception as exc:  # noqa: BLE001 - the session creator would raise it too
            errors.append(HookError("Scaffold", _message(exc), None, "session"))
        try:
            with graph_lookup.name_misses(graph, _building(session, errors)):
                steppers = [_Stepper(graph, hook, watch, errors) for hook in ready]
                hook_schedule.run(steppers, graph, mode, clock, _step_ops(spec, mode))
                for stepper in steppers:
                    fetches.extend(stepper.fetches)
                    _at_end(graph, stepper.hook, watch, fetches)
        finally:
            unfinalize(graph)  # graphlint reads the graph on (saveables, sites)
    late = _names_since(graph, at_begin)
    return fetches, errors, frozenset(added | late), frozenset(late)


def _count(graph) -> int:
    return len(graph.get_operations())


def _names_since(graph, count: int) -> set:
    """The ops made after the graph had `count`: a graph only grows, and lists its ops in the order
    they were made (a set of every name, twice per step, took a second at 100k ops)."""
    return {op.name for op in graph.get_operations()[count:]}


def _step_ops(spec, mode) -> tuple:
    """What each session.run of the mode runs besides the hooks' fetches (Estimator's training loop
    runs the train op and the loss); the steps' update of the global step is among them."""
    return (spec.train_op, spec.loss) if mode == "train" else ()



def _hooks(spec, mode):
    for attr in _HOOKS[mode]:
        yield from getattr(spec, attr, None) or ()


def _noting(failed: dict):
    """on_miss for begin(): note each failed lookup by the exception it raised; when that same
    exception escapes a hook's begin(), the hook failed on that name. (Lookups a hook catches
    itself, like LoggingTensorHook's probe for an ambiguous `x:1`, never escape.)"""
    def on_miss(name, exc) -> bool:
        failed[id(exc)] = (exc, name)
        return False
    return on_miss


def _building(session, errors):
    """on_miss after the session is created: try again once the Scaffold's ops are built
    (estimator_ops.Session): they exist by then for a real hook."""
    return lambda name, exc: _build_session_ops(session, errors)


def _build_session_ops(session, errors) -> bool:
    try:
        return session.build()
    except Exception as exc:  # noqa: BLE001 - the session creator would have raised it
        errors.append(HookError("Scaffold", _message(exc), None, "session"))
        return False


def _failed_name(exc, failed):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        entry = failed.get(id(exc))
        if entry and entry[0] is exc:
            return entry[1]
        exc = exc.__cause__ or exc.__context__
    return None


def _begin(hook, failed, watch, fetches, errors) -> bool:
    """Call begin(); False when it raised (MonitoredSession would have stopped the mode there)."""
    name = type(hook).__name__
    site = watch.constructed_at(hook) or _method_site(hook, "begin", watch.sites)
    try:
        hook.begin()
    except Exception as exc:  # noqa: BLE001 - what the hook raises is the finding
        missing = _failed_name(exc, failed)
        if missing is not None:
            fetches.append(Fetch(name, missing, False, first_line(exc), site, "begin"))
        else:
            errors.append(HookError(name, _message(exc), watch.sites.from_traceback(exc.__traceback__) or site,
                                    "begin"))
        return False
    return True


class _Stepper:
    """One hook's before_run() over the simulated steps: each name it fetches or feeds is resolved
    and recorded the first time it is asked for. After a failure (before_run() raised, a name did
    not resolve) the real run has stopped, so the hook is stepped no further."""

    def __init__(self, graph, hook, watch, errors):
        self.graph, self.hook, self.sites, self.errors = graph, hook, watch.sites, errors
        self.name = type(hook).__name__
        self.site = _method_site(hook, "before_run", watch.sites) or watch.constructed_at(hook)
        self.fetches, self._seen = [], set()
        self.failed, self.last_new = False, 1  # last_new: the last step that asked for a new name
        # raced: after_run was given a global step read unordered against its increment (hook_schedule.Results)
        self.raced = False
        # key: the last step's fetch structure as a FetchKeys key (hook_schedule answers its results by it)
        self.key, self._keys = None, hook_schedule.FetchKeys()

    def before_run(self, context, step):
        try:
            args = self.hook.before_run(context)
        except Exception as exc:  # noqa: BLE001 - e.g. it needs the live session graphlint has not got
            self.errors.append(HookError(self.name, _message(exc),
                                         self.sites.from_traceback(exc.__traceback__) or self.site,
                                         "before_run", step))
            self.failed = True
            return None
        self.key, new = self._keys.of(args)
        if args is None or not new:  # the same leaves as a step before: nothing new to resolve
            return args
        for leaf, moment in self._leaves(args):
            key = (moment, _leaf_name(leaf))
            if key not in self._seen:
                self._seen.add(key)
                self.last_new = step
                fetch = _resolve(self.graph, self.name, leaf, self.site, moment,
                                 allow_operation=moment != "feed", step=step, raced=self.raced)
                self.fetches.append(fetch)
                self.failed = self.failed or not fetch.resolved
        return None if self.failed else args

    @staticmethod
    def _leaves(args):
        for leaf in _flatten(getattr(args, "fetches", args)):
            yield leaf, "before_run"
        for key in _feed_keys(getattr(args, "feed_dict", None)):
            yield key, "feed"


def _at_end(graph, hook, watch, fetches) -> None:
    """FinalOpsHook runs its ops (and feeds) in end(), when the mode has run to its close."""
    if not isinstance(hook, tf().compat.v1.train.FinalOpsHook):
        return
    site = watch.constructed_at(hook)
    name = type(hook).__name__
    ops, feed_dict = training.final_ops(hook)
    for leaf in _flatten(ops):
        fetches.append(_resolve(graph, name, leaf, site, "end"))
    for key in _feed_keys(feed_dict):
        fetches.append(_resolve(graph, name, key, site, "end", allow_operation=False))


def _feed_keys(feed_dict):
    return sorted(feed_dict, key=lambda k: k if isinstance(k, str) else getattr(k, "name", "")) if feed_dict else ()


def _flatten(fetches):
    """The leaves of a fetch structure, as Session's fetch mapper walks it (dicts in key order)."""
    if fetches is None:
        return
    if isinstance(fetches, dict):
        for key in sorted(fetches, key=str):
            yield from _flatten(fetches[key])
    elif isinstance(fetches, (list, tuple)):
        for item in fetches:
            yield from _flatten(item)
    else:
        yield fetches


def _leaf_name(leaf) -> str:
    if isinstance(leaf, str):
        return leaf
    name = getattr(leaf, "name", None)
    return name if name is not None else repr(leaf)


def _resolve(graph, hook_name, leaf, site, moment, allow_operation=True, step=1, raced=False) -> Fetch:
    name = _leaf_name(leaf)
    try:
        graph.as_graph_element(leaf, allow_tensor=True, allow_operation=allow_operation)
    except (KeyError, ValueError, TypeError) as exc:
        return Fetch(hook_name, name, False, first_line(exc), site, moment, step, raced)
    return Fetch(hook_name, name, True, "", site, moment, step, raced)


def _method_site(obj, method, sites):
    fn = getattr(type(obj), method, None)
    try:
        filename = inspect.getsourcefile(fn)
        line = inspect.getsourcelines(fn)[1]
    except (TypeError, OSError):
        return None
    if not filename or not sites.is_user_file(filename):
        return None
    return sites.site(filename, line, method)


def _message(exc) -> str:
    return f"{type(exc).__name__}: {first_line(exc)}"
