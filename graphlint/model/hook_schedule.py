"""A mode's hooks stepped as MonitoredSession steps them, for as long as their schedules take to
show every name they fetch.

A hook fetches on a schedule (LoggingTensorHook's every_n_iter, a SecondOrStepTimer, its own step
counter), and a name it asks for only every 50 steps fails the mode's 50th session.run, so
calling before_run() once is not enough. Each simulated step does what MonitoredSession's
_HookedSession.run does: before_run() of every hook in order, then after_run() of every hook with
one run context, and stops the mode when a hook requested it. What graphlint decides:

- Steps are the mode's session.run calls, counted from 1. A hook is stepped until PATIENCE steps
  have passed since it last fetched a name it had not fetched before (so a schedule of up to
  PATIENCE steps is seen whole), at most MAX_STEPS, or until a step leaves its state as it found
  it (hook_state.py: then every later step repeats that one); a hook that never overrides
  before_run() is not stepped, TensorFlow's own hooks one step (steps_of). A hook stops being
  stepped when it fails (the real run stops there).
- run_values.results are what Session.run returns, with placeholder values: the global step
  (TRAIN) and Estimator's eval step (EVAL) read step - 1 at step `step` (their value before that
  step's update), other tensors zeros of their dtype and static shape when both are known
  (b"" for strings), None for ops, unknown shapes and larger tensors than MAX_ELEMENTS.
- A read of the global step is ordered against the train op's increment only by the graph's
  edges: a read every increment depends on reads step - 1, one that depends on every increment
  reads step, and one with neither (a hook fetching the variable itself, as ProfilerHook does)
  is a race TensorFlow's executor decides anew each session.run: it reads step - 1 almost
  always (measured on TF 2.15 with the real Estimator: step in 0.8-2% of the steps after the
  first, in none of 155 first steps). graphlint gives step - 1 and notes that the hook was given
  a raced value (Results.raced): a name it fetches afterwards can come a step earlier (it saw the
  next step's value) or later (its first read was), which GL201 says (rules/_fetches.py).
- The run context has no session (graphlint has none): a hook whose after_run() needs one, or
  trips over a placeholder, is stepped no further, without a finding (its later fetches go
  unchecked).
- Wall time is simulated: while hooks run, SecondOrStepTimer (TensorFlow's hook module) and the
  modules of the hooks' own classes read a clock that starts at the real time and advances
  STEP_SECONDS per step, and time.sleep() advances it instead of waiting. So a timer on seconds
  (every_secs=600) fires within a few steps, and one started in begin() or later on the same step
  on every run and machine; the step it is reported at is the simulation's, not the real one.
- What hooks print or log after their first before_run() is discarded: it shows placeholders.
"""

from __future__ import annotations

import contextlib
import io
import logging
import time as real_time
import warnings

import numpy as np

from graphlint.model import hook_state
from graphlint.model.graphview import ancestors
from graphlint.model.tfcompat import tf
from graphlint.tfpatch import hook_clock

PATIENCE = 1000  # steps with no new fetch before a hook's schedule is taken as seen whole
MAX_STEPS = 5000  # bound for a hook that keeps fetching new names
STEP_SECONDS = 3600.0  # simulated duration of one step: timers on seconds fire within a few steps
MAX_ELEMENTS = 1 << 20  # a bigger tensor's placeholder is None, not a large zeros array
_COUNTER_READS = ("Identity", "ReadVariableOp")  # ops between a fetched tensor and a step variable
# Ops that change a step variable given as their first input (resource handle or ref).
_COUNTER_WRITES = frozenset({"AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp",
                             "Assign", "AssignAdd", "AssignSub"})


class Clock:
    """The simulated clock: time.time() and friends for the modules that hooks read time through."""

    def __init__(self):
        self.now = real_time.time()
        self.reads = 0  # how often a hook looked at it: a hook that did may act differently next step
        self._module = _ClockModule(self)

    def advance(self, seconds: float = STEP_SECONDS) -> None:
        self.now += seconds

    @contextlib.contextmanager
    def installed(self, hooks):
        """While open, TensorFlow's hook module and the modules defining the hooks' classes read
        this clock (`import time` and `from time import time` alike: tfpatch/hook_clock.py)."""
        with hook_clock.replaced(hooks, self._replacement):
            yield self

    def _replacement(self, value):
        if value is real_time:
            return self._module
        for name in _CLOCK_FUNCTIONS:
            if value is getattr(real_time, name):
                return getattr(self._module, name)
        return None


_CLOCK_FUNCTIONS = ("time", "monotonic", "perf_counter", "sleep")


class _ClockModule:
    """Stands in for the `time` module: its clocks read the Clock, sleep advances it."""

    def __init__(self, clock):
        self._clock = clock

    def time(self):
        self._clock.reads += 1
        return self._clock.now

    monotonic = perf_counter = time

    def sleep(self, seconds):
        self._clock.reads += 1
        self._clock.advance(max(float(seconds), 0.0))

    def __getattr__(self, name):
        return getattr(real_time, name)


@contextlib.contextmanager
def quiet():
    """Output of hooks fed placeholders goes nowhere: prints, logging, warnings, numpy's complaints."""
    previous = logging.root.manager.disable
    sink = io.StringIO()
    logging.disable(logging.CRITICAL)
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
                warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(previous)


class Results:
    """What Session.run would return for a hook's fetches, with placeholder values. After of(),
    `raced` says whether they held a step counter read unordered against its increment."""

    def __init__(self, graph, mode: str, step_ops=()):
        self.graph = graph
        self._values = {}  # fetched name -> placeholder, or a counter's tag
        self._counters = _counter_ops(graph, mode)
        self._order = _Order(self._counters, step_ops)
        self._flat = {}  # id(FetchKeys key) -> (key, template, counters): one flat structure's results
        self.raced = False

    def of(self, fetches, step: int, key=None):
        """Session.run's return value for `fetches` (a structure of names, tensors, ops) at `step`;
        `key`: its FetchKeys key, so a structure seen before is answered from its template."""
        self.raced = False
        if key is None:
            return self._build(fetches, step)
        entry = self._flat.get(id(key))
        if entry is None:  # the entry keeps the key, so its id stays its own
            template = self._build(fetches, None)
            counters = [k for k, v in _items(template) if isinstance(v, _Counter)]
            entry = self._flat[id(key)] = (key, template, counters)
        _, template, counters = entry
        self.raced = any(template[k].raced if k is not None else template.raced for k in counters)
        if not isinstance(template, (dict, list, tuple)):
            return template.at(step) if counters else template
        out = dict(template) if isinstance(template, dict) else list(template)
        for k in counters:
            out[k] = template[k].at(step)
        if isinstance(template, tuple):
            return type(template)(*out) if hasattr(template, "_fields") else tuple(out)
        return out

    def _build(self, fetches, step):
        """Results built leaf by leaf; step None leaves counters as their _Counter."""
        if isinstance(fetches, dict):
            return {key: self._build(value, step) for key, value in fetches.items()}
        if isinstance(fetches, list):
            return [self._build(item, step) for item in fetches]
        if isinstance(fetches, tuple):
            items = [self._build(item, step) for item in fetches]
            return type(fetches)(*items) if hasattr(fetches, "_fields") else tuple(items)
        if fetches is None:
            return None
        key = fetches if isinstance(fetches, str) else id(fetches)
        if key not in self._values:
            self._values[key] = (fetches, self._placeholder(fetches))  # keeps the leaf, so its id stays its own
        value = self._values[key][1]
        if isinstance(value, _Counter) and step is not None:
            self.raced = self.raced or value.raced
            return value.at(step)
        return value

    def _placeholder(self, leaf):
        try:
            element = self.graph.as_graph_element(leaf, allow_tensor=True, allow_operation=True)
        except (KeyError, ValueError, TypeError):
            return None
        if not hasattr(element, "dtype") or not hasattr(element, "op"):
            return None  # an Operation: Session.run returns None for it
        dtype = element.dtype
        if _reads_counter(element.op, self._counters) and dtype.is_integer:
            return _Counter(dtype.as_numpy_dtype, *self._order.of(element.op))
        return _zeros(dtype, element.shape)


class FetchKeys:
    """One hook's flat fetch structures (one leaf, or a dict, list or tuple of leaves; no feeds) as
    canonical keys: the same key object for the same leaf objects fetched the same way, so a step
    that repeats the one before costs two tuple builds. Leaves count by identity (never ==: a
    Tensor's == builds an op), exact because the args that made each key are kept with it."""

    def __init__(self):
        self._last, self._known = None, {}  # the last key; key -> (key, args)

    def of(self, args):
        """(key, new): key None when the structure is not flat; new when not seen before."""
        if args is None or getattr(args, "feed_dict", None):
            return None, True
        fetches = getattr(args, "fetches", args)
        if isinstance(fetches, dict):
            names, leaves = tuple(fetches), fetches.values()
        elif isinstance(fetches, (list, tuple)):
            names, leaves = len(fetches), fetches
        else:
            names, leaves = None, (fetches,)
        ids, last = tuple(map(id, leaves)), self._last
        if last is not None and last[2] == ids and last[1] == names and last[0] is type(fetches):
            return last, False
        if any(t is type(None) or issubclass(t, _NESTED) for t in set(map(type, leaves))):
            return None, True
        key = (type(fetches), names, ids)
        try:
            canonical, _ = self._known.setdefault(key, (key, args))
        except TypeError:  # a dict key that cannot be hashed
            return None, True
        self._last = canonical
        return canonical, canonical is key


_NESTED = (dict, list, tuple)


def _items(template):
    if isinstance(template, dict):
        return template.items()
    if isinstance(template, (list, tuple)):
        return enumerate(template)
    return [(None, template)]


class _Counter:
    """A fetched step variable (global step, eval step): its value follows the step, read before
    the step's update (offset 1) or after it (offset 0); `raced` when the graph orders neither."""

    def __init__(self, dtype, offset=1, raced=False):
        self.dtype, self.offset, self.raced = dtype, offset, raced

    def at(self, step):
        return self.dtype(step - self.offset)


class _Order:
    """Whether a read of a step counter comes before or after the step's update of it, as the
    graph's edges (data and control inputs) order them: TensorFlow's executor runs an op after
    its inputs and in no other guaranteed order. The updates: the ops among `step_ops` and what
    they depend on that write a counter (the train op's increment); none known, reads come first."""

    def __init__(self, counters, step_ops):
        self._counters, self._step_ops = counters, [getattr(o, "op", o) for o in step_ops if o is not None]
        self._writers = self._before = None  # computed when a hook first fetches a counter

    def of(self, fetched_op) -> tuple:
        """(offset, raced) of a fetched counter: (1, False) read before every update, (0, False)
        after every one, else (1, True)."""
        if self._writers is None:
            self._writers = [op for op in ancestors(*self._step_ops).values() if op.type in _COUNTER_WRITES
                             and op.inputs and _reads_counter(op.inputs[0].op, self._counters)]
            self._before = set.intersection(*[set(ancestors(w)) for w in self._writers]) if self._writers else set()
        read = _counter_read(fetched_op, self._counters)
        if read.name in self._counters:  # a ref variable fetched itself: read as the run ends, no edge says when
            return 1, bool(self._writers)
        if not self._writers or read.name in self._before:
            return 1, False
        if {w.name for w in self._writers} <= ancestors(read).keys():
            return 0, False
        return 1, True


def _zeros(dtype, shape):
    if not shape.is_fully_defined() or int(np.prod(shape.as_list(), dtype=np.int64)) > MAX_ELEMENTS:
        return None
    if dtype == tf().string:
        return b"" if shape.rank == 0 else np.full(shape.as_list(), b"", dtype=object)
    if not dtype.is_numpy_compatible or dtype.is_quantized or dtype.base_dtype in (tf().resource, tf().variant):
        return None
    return np.zeros(shape.as_list(), dtype.as_numpy_dtype)[()]  # [()]: a numpy scalar, as Session returns


def _counter_ops(graph, mode: str) -> set:
    """Names of the variable ops whose value advances with the step in `mode`."""
    v1 = tf().compat.v1
    key = {"train": v1.GraphKeys.GLOBAL_STEP, "eval": v1.GraphKeys.EVAL_STEP}.get(mode)
    return {getattr(v, "op", v).name for v in graph.get_collection(key)} if key else set()


def _reads_counter(op, counters) -> bool:
    return _counter_read(op, counters) is not None


def _counter_read(op, counters):
    """The op that reads a step variable for a fetched tensor's op (the variable itself when it is
    fetched as a ref), following up to three reads and identities; None when it reads none."""
    reader = op
    for _ in range(3):
        if op.name in counters:
            return reader
        if op.type not in _COUNTER_READS or not op.inputs:
            return None
        reader, op = op, op.inputs[0].op
    return reader if op.name in counters else None


def steps_of(hook) -> int:
    """How many steps can show the hook's fetches: none for SessionRunHook's own before_run(); one
    for TensorFlow's hook classes (not a user's subclass), which fetch every name they will at the
    first step (a constant set, or LoggingTensorHook, SummarySaverHook and ProfilerHook whose timers
    fire at the first step), except FeedFnHook, which calls the user's function every step."""
    train = tf().compat.v1.train
    cls = type(hook)
    if getattr(cls, "before_run", None) is train.SessionRunHook.before_run:
        return 0
    if cls.__module__.startswith(_TF_MODULES) and not issubclass(cls, train.FeedFnHook):
        return 1
    return MAX_STEPS


_TF_MODULES = ("tensorflow.", "tensorflow_estimator.")


def run(steppers, graph, mode: str, clock: Clock, step_ops=()) -> None:
    """Step the hooks (hooks.py's steppers: .hook, .before_run(context, step) -> args or None,
    .failed, .last_new, .raced) as MonitoredSession would, until their schedules are seen or a hook
    requests a stop; `step_ops`: what each session.run of the mode runs besides the hooks' fetches
    (the train op). The first step's before_run() speaks as the user's code would; the rest is quiet."""
    results = Results(graph, mode, step_ops)
    courses = {id(s): _Course(s.hook) for s in steppers}
    active = [s for s in steppers if courses[id(s)].bound]
    step, context = 1, _context()
    asked = [(s, _before_run(s, context, step, clock, courses[id(s)])) for s in active]
    with quiet():
        while True:
            values = _Values(results, step)
            for stepper, args in asked:
                _after_run(stepper, context, args, values, clock, courses[id(stepper)])
            active = [s for s in active if courses[id(s)].goes_on(s, step)]
            if context.stop_requested or not active:
                return
            step += 1
            clock.advance()
            context = _context()
            asked = [(s, _before_run(s, context, step, clock, courses[id(s)])) for s in active]


class _Course:
    """How far one hook is stepped: steps_of()'s bound, PATIENCE steps after its last new name, or
    until a step leaves its state as it found it (hook_state.py: every later step would repeat it).
    The state is read around steps 1, 2, 4, 8...: reading it can cost as much as a step."""

    def __init__(self, hook):
        self.bound = steps_of(hook)
        self.after_run = getattr(type(hook), "after_run", None) is not tf().compat.v1.train.SessionRunHook.after_run  # else a no-op
        self.state = hook_state.fingerprint(hook) if self.bound > 1 else None
        self.read_clock = False  # in the current step

    def goes_on(self, stepper, step) -> bool:
        if stepper.failed or step >= self.bound or step - stepper.last_new >= PATIENCE:
            return False
        read_clock, self.read_clock = self.read_clock, False
        if not (_power_of_two(step) or _power_of_two(step + 1)):
            return True
        if self.state is None:  # its state cannot be read
            return True
        previous, self.state = self.state, hook_state.fingerprint(stepper.hook)
        return not (_power_of_two(step) and not read_clock and previous == self.state)


def _power_of_two(n: int) -> bool:
    return n & (n - 1) == 0


def _before_run(stepper, context, step, clock, course):
    reads = clock.reads
    args = stepper.before_run(context, step)
    course.read_clock = course.read_clock or clock.reads != reads
    return args


def _context():
    train = tf().compat.v1.train
    return train.SessionRunContext(original_args=train.SessionRunArgs(fetches=None), session=None)


class _Values:
    """One step's SessionRunValues maker: the options and metadata MonitoredSession shares among hooks."""

    def __init__(self, results, step):
        v1 = tf().compat.v1
        self.results, self.step = results, step
        self.options, self.run_metadata = v1.RunOptions(), v1.RunMetadata()

    def of(self, args, key):
        fetches = None if args is None else getattr(args, "fetches", args)
        return tf().compat.v1.train.SessionRunValues(results=self.results.of(fetches, self.step, key),
                                options=self.options, run_metadata=self.run_metadata)


def _after_run(stepper, context, args, values, clock, course) -> None:
    if stepper.failed or not course.after_run:
        return
    reads = clock.reads
    run_values = values.of(args, stepper.key)
    stepper.raced = stepper.raced or values.results.raced  # what it decides next may be a step off
    try:
        stepper.hook.after_run(context, run_values)
    except Exception:  # noqa: BLE001 - no session, or a placeholder it cannot use: stepped no further
        stepper.failed = True
    course.read_clock = course.read_clock or clock.reads != reads
