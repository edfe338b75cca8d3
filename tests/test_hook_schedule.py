"""Hooks that fetch on a schedule: graphlint steps them and names the step, and a real run agrees.

A training hook that fetches an EVAL-only name every N steps trains N-1 steps and fails the Nth
session.run: graphlint must report GL201 "at step N", and real training (the real Estimator on
TF 2.15, its replay on 2.16+) must succeed with N-1 steps (the checkpoint's global step is N-1)
and fail at the Nth. A hook whose schedule reads the global step fetched with the train op
(OnGlobalStep, as ProfilerHook does) reads it unordered against the step's increment: TensorFlow
usually gives the value before it, sometimes after (0.8-2% of the steps after the first on TF 2.15),
so graphlint names "step N-1 or N (or later)" and the real run must fail in that set. The same
read ordered before the increment by the graph (OnOrderedStep) keeps one exact step. The same
hook fetching a name every mode builds must be quiet and train.
"""

import os
import re
import time  # the Clocked hook below reads it: the simulated clock replaces this module's `time`

import pytest

pytest.importorskip("tensorflow")

from corpus import lint_case, write_model  # noqa: E402
from realtf import run_for_real  # noqa: E402

CASES = os.path.join(os.path.dirname(__file__), "cases")
EVERY = 4  # the hooks' period: small, so the real runs stay short

MODEL = '''import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EVERY = {every}
BUILT_IN_TRAIN = {built_in_train}
ORDERED = {ordered}


class Counter(tf.estimator.SessionRunHook):
    def begin(self):
        self._step = 0

    def before_run(self, run_context):
        self._step += 1
        if self._step % EVERY == 0:
            print("FETCHES-AT", self._step)  # the session.run a real run asks at, for the test
            return tf.estimator.SessionRunArgs({{"mean": "side/mean:0"}})
        return None


class StepTimer(tf.estimator.SessionRunHook):
    def begin(self):
        self._timer = tf.compat.v1.train.SecondOrStepTimer(every_steps=EVERY)
        self._timer.update_last_triggered_step(0)
        self._step = 0

    def before_run(self, run_context):
        self._step += 1
        if self._timer.should_trigger_for_step(self._step):
            self._timer.update_last_triggered_step(self._step)
            print("FETCHES-AT", self._step)
            return tf.estimator.SessionRunArgs(["side/mean:0"])
        return None


class OnGlobalStep(tf.estimator.SessionRunHook):
    """Reads the global step back in after_run, as TensorFlow's ProfilerHook does: the variable,
    fetched in the train op's session.run, unordered against the train op's increment."""

    STEP = None  # the name of the step tensor it fetches: None, the global step variable

    def begin(self):
        graph = tf.compat.v1.get_default_graph()
        self._global_step = graph.get_tensor_by_name(self.STEP) if self.STEP else tf.compat.v1.train.get_global_step()
        self._timer = tf.compat.v1.train.SecondOrStepTimer(every_steps=EVERY)
        self._next = None
        self._runs = 0  # only for the print

    def before_run(self, run_context):
        self._runs += 1
        fetches = {{"step": self._global_step}}
        if self._next is not None and self._timer.should_trigger_for_step(self._next):
            fetches["mean"] = "side/mean:0"
            print("FETCHES-AT", self._runs)
        return tf.estimator.SessionRunArgs(fetches)

    def after_run(self, run_context, run_values):
        step = int(run_values.results["step"])
        if self._next is None or "mean" in run_values.results:
            self._timer.update_last_triggered_step(step)
        self._next = step + 1


class OnOrderedStep(OnGlobalStep):
    """The same schedule on a read of the global step that the increment waits for (ORDERED)."""

    STEP = "step_before_update:0"


def ordered_train_op(loss):
    """A gradient step, then the global step's increment, after the read OnOrderedStep fetches."""
    global_step = tf.compat.v1.train.get_global_step()
    before = tf.identity(global_step.read_value(), name="step_before_update")
    step = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.control_dependencies([step, before]):
        return tf.compat.v1.assign_add(global_step, 1)


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    if BUILT_IN_TRAIN or mode == tf.estimator.ModeKeys.EVAL:
        tf.reduce_mean(logits, name="side/mean")
    hooks = [{hook}()]
    if ORDERED and mode == tf.estimator.ModeKeys.TRAIN:
        loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=ordered_train_op(loss), training_hooks=hooks)
    return spec(mode, logits, labels, training_hooks=hooks)
'''

# hook class: the session.run it first fetches at in graphlint's steps, where the global step reads
# the value before each step's increment (OnGlobalStep and OnOrderedStep fire when the global step
# they read, one behind the run count, reaches EVERY).
STEPS = {"Counter": EVERY, "StepTimer": EVERY, "OnGlobalStep": EVERY + 1, "OnOrderedStep": EVERY + 1}
RACED = {"OnGlobalStep"}  # its schedule reads the global step unordered against the increment


def _write(folder, hook, built_in_train=False):
    source = MODEL.format(every=EVERY, built_in_train=built_in_train, hook=hook, ordered=hook == "OnOrderedStep")
    return write_model(folder, source)


def _global_step(workdir):
    from graphlint.model.tfcompat import tf

    return int(tf().train.load_variable(str(workdir), "global_step"))


def _fetched_at(capfd) -> list:
    """The session.runs at which the model's hooks asked for the missing name (their prints)."""
    return [int(n) for n in re.findall(r"FETCHES-AT (\d+)", capfd.readouterr().out)]


@pytest.mark.parametrize("hook", sorted(STEPS))
def test_periodic_fetch_fails_real_training_at_the_step_graphlint_names(hook, tmp_path, capfd):
    path = _write(tmp_path / "model", hook)
    step, raced = STEPS[hook], hook in RACED

    report = lint_case(path)
    assert [(f.code, f.modes, f.name) for f in report.errors] == [("GL201", ("train",), "side/mean:0")]
    claim = f"in train at step {step - 1} or {step} (or later" if raced else f"in train at step {step},"
    assert claim in report.errors[0].message
    (fetch,) = [x for x in report.snapshots["train"].fetches if not x.resolved]
    assert (fetch.moment, fetch.step, fetch.raced) == ("before_run", step, raced)

    # What graphlint claims: the first step that can fail is `first`; exact hooks fail only there.
    first = step - 1 if raced else step
    before = run_for_real(path, str(tmp_path / "before"), train_steps=first - 1, eval_steps=1)
    assert before.train_error is None, before
    assert _global_step(tmp_path / "before") == first - 1  # the steps before it ran and were saved
    capfd.readouterr()
    at = run_for_real(path, str(tmp_path / "at"), train_steps=3 * EVERY, eval_steps=1)
    assert at.train_error is not None and at.train_error.split(":")[0] in ("ValueError", "KeyError"), at
    (failed_at,) = _fetched_at(capfd)  # the run stops at the session.run that fetches it
    assert failed_at >= first if raced else failed_at == step


def test_a_raced_schedule_names_both_steps_and_the_exact_ones_one():
    """tests/cases/hook_schedule.py: only OnGlobalStep reads the global step fetched with the train op."""
    report = lint_case(os.path.join(CASES, "hook_schedule.py"))
    messages = {f.name: f.message for f in report.errors if f.code == "GL201"}
    assert "in train at step 50 or 51 (or later" in messages["eval_summary/global_step:0"]
    for name in ("eval_summary/every_50:0", "eval_summary/step_timer:0"):
        assert "in train at step 50," in messages[name]
    assert [n for n, m in messages.items() if " or " in m.split("(TensorFlow:")[0]] == ["eval_summary/global_step:0"]


@pytest.mark.parametrize("hook", sorted(STEPS))
def test_the_same_schedule_fetching_a_name_train_builds_is_quiet_and_trains(hook, tmp_path):
    path = _write(tmp_path / "model", hook, built_in_train=True)
    report = lint_case(path)
    assert [f for f in report.findings if f.severity in ("error", "warning")] == [], report.findings
    fetched = [x for x in report.snapshots["train"].fetches if x.name == "side/mean:0"]
    assert [(x.resolved, x.step) for x in fetched] == [(True, STEPS[hook])]
    outcome = run_for_real(path, str(tmp_path / "work"), train_steps=3 * EVERY, eval_steps=1)
    assert outcome.ok, outcome
    assert _global_step(tmp_path / "work") == 3 * EVERY


STOPPER = '''import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401


class StopsEarly(tf.estimator.SessionRunHook):
    """Requests a stop after step 3; its fetch at step 10 is never made. Prints every step."""

    def begin(self):
        self._step = 0

    def before_run(self, run_context):
        self._step += 1
        return tf.estimator.SessionRunArgs("eval_only:0") if self._step == 10 else None

    def after_run(self, run_context, run_values):
        print("SIMULATED-STEP", self._step)
        if self._step == 3:
            run_context.request_stop()


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    if mode == tf.estimator.ModeKeys.EVAL:
        tf.identity(logits, name="eval_only")
    return spec(mode, logits, labels, training_hooks=[StopsEarly()])
'''


def test_a_requested_stop_ends_the_steps_and_after_run_prints_nothing(tmp_path, capfd):
    """MonitoredSession stops after the step a hook requests it at, so a later fetch never fails;
    what after_run prints from placeholder values is not graphlint's output."""
    path = write_model(tmp_path / "model", STOPPER)

    report = lint_case(path)
    assert [f for f in report.findings if f.code.startswith("GL2")] == [], report.findings
    assert "SIMULATED-STEP" not in "".join(capfd.readouterr())
    outcome = run_for_real(path, str(tmp_path / "work"), train_steps=20, eval_steps=1)
    assert outcome.train_error is None, outcome
    assert _global_step(tmp_path / "work") == 3


def test_before_run_raising_at_a_later_step_fails_real_training_there(tmp_path):
    """tests/cases/hook_schedule_raises.py (GL203 there): its hook raises KeyError every 20th step."""
    path = os.path.join(CASES, "hook_schedule_raises.py")
    report = lint_case(path)
    (err,) = report.snapshots["train"].hook_errors
    assert (err.moment, err.step, err.message.split(":")[0]) == ("before_run", 20, "KeyError")
    before = run_for_real(path, str(tmp_path / "before"), train_steps=19, eval_steps=1)
    assert before.train_error is None, before
    assert _global_step(tmp_path / "before") == 19
    at = run_for_real(path, str(tmp_path / "at"), train_steps=20, eval_steps=1)
    assert at.train_error is not None and at.train_error.startswith("KeyError:"), at


# --- how far hooks are stepped (hook_schedule.run with recording steppers, no model build) -----

class _Recorder:
    """A stepper as hooks.py's, recording the steps it was asked for and the names fetched."""

    def __init__(self, hook):
        self.hook, self.failed, self.last_new, self.steps, self.names = hook, False, 1, [], {}

    def before_run(self, context, step):
        self.steps.append(step)
        args = self.hook.before_run(context)
        name = None if args is None else args.fetches
        if name is not None and name not in self.names:
            self.names[name], self.last_new = step, step
        return args


def _step(*hooks):
    from graphlint.model import hook_schedule
    from graphlint.model.tfcompat import tf

    t = tf()
    recorders = [_Recorder(h) for h in hooks]
    with t.Graph().as_default() as graph:
        t.compat.v1.train.get_or_create_global_step()
        clock = hook_schedule.Clock()
        with clock.installed(hooks):
            for hook in hooks:
                hook.begin()
            hook_schedule.run(recorders, graph, "train", clock)
    return recorders


def _hooks():
    from graphlint.model.tfcompat import tf

    Hook, Args = tf().compat.v1.train.SessionRunHook, tf().compat.v1.train.SessionRunArgs

    class Constant(Hook):
        def before_run(self, run_context):
            return Args("loss:0")

    class Counter(Hook):
        def begin(self):
            self.step = 0

        def before_run(self, run_context):
            self.step += 1
            return Args("every_50:0") if self.step % 50 == 0 else None

    class Clocked(Hook):  # no state of its own changes: only the clock tells it when
        def begin(self):
            self.start = time.time()

        def before_run(self, run_context):
            return Args("after_2h:0") if time.time() - self.start > 7200 else None

    return Constant(), Counter(), Clocked()


def test_a_hook_whose_step_changes_nothing_is_stepped_once_others_their_course():
    constant, counter, clocked = _step(*_hooks())
    assert constant.steps == [1] and constant.names == {"loss:0": 1}
    assert counter.names == {"every_50:0": 50}
    assert counter.steps == list(range(1, 50 + 1000 + 1))  # PATIENCE steps after its last new name
    assert clocked.names == {"after_2h:0": 4}  # one simulated hour per step: after 3 steps > 2 h


_COUNT = 0  # HiddenCounters' module-global counter


def _hidden_counters():
    """Hooks whose own attributes never change: the step count hides in what they hold."""
    from graphlint.model.tfcompat import tf

    Hook, Args = tf().compat.v1.train.SessionRunHook, tf().compat.v1.train.SessionRunArgs

    class InDict(Hook):
        def begin(self):
            self.state = {"n": 0}

        def before_run(self, run_context):
            self.state["n"] += 1
            return Args("dict:0") if self.state["n"] % 50 == 0 else None

    class Box:
        n = 0

    class InObject(Hook):
        def begin(self):
            self.box = Box()

        def before_run(self, run_context):
            self.box.n += 1
            return Args("object:0") if self.box.n % 50 == 0 else None

    def closure():
        n = 0

        def tick():
            nonlocal n
            n += 1
            return n
        return tick

    class InClosure(Hook):
        def begin(self):
            self.tick = closure()

        def before_run(self, run_context):
            return Args("closure:0") if self.tick() % 50 == 0 else None

    class InModule(Hook):
        def before_run(self, run_context):
            global _COUNT
            _COUNT += 1
            return Args("module:0") if _COUNT % 50 == 0 else None

    return InDict(), InObject(), InClosure(), InModule()


def test_state_a_hook_hides_in_what_it_holds_still_counts_as_change():
    global _COUNT
    _COUNT = 0
    found = [r.names for r in _step(*_hidden_counters())]
    assert found == [{"dict:0": 50}, {"object:0": 50}, {"closure:0": 50}, {"module:0": 50}]


def test_the_steps_do_not_depend_on_the_machine_clock():
    first = [(r.names, r.steps[-1]) for r in _step(*_hooks())]
    second = [(r.names, r.steps[-1]) for r in _step(*_hooks())]
    assert first == second


def test_results_are_placeholders_of_the_fetched_dtype_and_shape_and_the_counters_follow_the_step():
    import numpy as np

    from graphlint.model import hook_schedule
    from graphlint.model.tfcompat import tf

    t = tf()
    v1 = t.compat.v1
    with t.Graph().as_default() as graph:
        global_step = v1.train.get_or_create_global_step()
        eval_step = v1.get_variable("eval_step", [], t.int64, collections=[v1.GraphKeys.LOCAL_VARIABLES,
                                                                           v1.GraphKeys.EVAL_STEP])
        fetches = {"global": global_step, "eval": eval_step.value(), "matrix": t.zeros([2, 3], t.float16),
                   "text": t.constant("x"), "op": t.no_op(name="noop"),
                   "unknown": v1.placeholder(t.float32, [None, 3])}
        args = v1.train.SessionRunArgs(fetches)
        for mode, counting in (("train", "global"), ("eval", "eval")):
            results = hook_schedule.Results(graph, mode)
            key, _ = hook_schedule.FetchKeys().of(args)
            for step in (1, 7):
                got = results.of(fetches, step, key)
                assert got[counting] == step - 1 and got[counting].dtype == np.int64
                other = {"global": "eval", "eval": "global"}[counting]
                assert got[other] == 0
                assert got["matrix"].shape == (2, 3) and got["matrix"].dtype == np.float16
                assert got["text"] == b"" and got["op"] is None and got["unknown"] is None
                # With and without the key, the same results (the same zeros array: compared by identity).
                assert got == results.of(fetches, step)


def test_a_global_step_read_is_before_after_or_raced_as_the_graph_orders_it_against_the_increment():
    """TensorFlow runs an op after its inputs (data and control) and in no other promised order."""
    from graphlint.model import hook_schedule
    from graphlint.model.tfcompat import tf

    t = tf()
    v1 = t.compat.v1
    with t.Graph().as_default() as graph:
        global_step = v1.train.get_or_create_global_step()
        before = t.identity(global_step.read_value(), name="before")
        with t.control_dependencies([before]):
            increment = v1.assign_add(global_step, 1)
        with t.control_dependencies([increment]):
            after = t.identity(global_step.read_value(), name="after")
        ordered = {"before": before, "after": after}
        results = hook_schedule.Results(graph, "train", step_ops=[increment])
        assert results.of(ordered, 7) == {"before": 6, "after": 7} and not results.raced
        # The variable itself, as a hook fetches get_global_step(): its read waits for nothing.
        assert results.of({"variable": global_step}, 7) == {"variable": 6} and results.raced
        key, _ = hook_schedule.FetchKeys().of(v1.train.SessionRunArgs(global_step))
        assert results.of(global_step, 7, key) == 6 and results.raced
        assert results.of(ordered, 7, hook_schedule.FetchKeys().of(v1.train.SessionRunArgs(ordered))[0]) \
            == {"before": 6, "after": 7} and not results.raced
        # No step op known (PREDICT, or EVAL here): every read is the value before the step's update.
        unknown = hook_schedule.Results(graph, "train")
        assert unknown.of({**ordered, "variable": global_step}, 7) == {"before": 6, "after": 6, "variable": 6}
        assert not unknown.raced
