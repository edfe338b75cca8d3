"""Plain, picklable records of one mode's graph: what the rules read, never a live tf.Graph."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Optional

from graphlint.constants import MODES  # noqa: F401  (re-exported: snapshots are per mode)


@dataclass(frozen=True, order=True)
class Site:
    """A line of the user's code."""

    file: str
    line: int
    func: str = ""
    code: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Variable:
    name: str
    shape: Optional[tuple]
    dtype: str
    trainable: bool
    saved: bool  # the default Saver saves and restores it (global variables, saveable objects)
    kind: str = "global"  # global | local | metric
    # A partition of a partitioned variable: (the whole variable's name, its full shape), as its
    # checkpoint key and warm starts name it; None for a variable in one piece.
    whole: Optional[tuple] = None


@dataclass(frozen=True)
class RestoreKey:
    """One checkpoint key the mode's default Saver would ask for, from TF's saveable conversion."""

    key: str
    dtype: str
    shape: Optional[tuple]
    var_name: str
    slice_spec: str = ""


@dataclass(frozen=True)
class Fetch:
    """One leaf of what a hook's before_run asked the session to fetch."""

    hook: str
    name: str
    resolved: bool
    error: str = ""
    site: Optional[Site] = None
    moment: str = "before_run"  # when TF resolves it: begin (a lookup), before_run, feed, end
    step: int = 1  # before_run and feed: the mode's session.run (from 1) that first asks for it
    # The hook read the global step unordered against the train op's increment before `step`, so
    # a real run can ask a step earlier or later (hook_schedule.py).
    raced: bool = False


@dataclass(frozen=True)
class HookError:
    """A hook raised while graphlint called it. moment "begin": MonitoredSession fails the same way."""

    hook: str
    message: str
    site: Optional[Site]
    moment: str
    step: int = 1  # before_run: the mode's session.run (from 1) it raised at


@dataclass(frozen=True)
class ScopeRename:
    """TensorFlow uniquified a requested name scope: `requested` was in use, so it opened `got`."""

    requested: str
    got: str
    site: Optional[Site]
    first_site: Optional[Site]


@dataclass(frozen=True)
class BuildFailure:
    exc_type: str
    message: str
    site: Optional[Site]
    kind: str = ""  # "warm-start" when init_from_checkpoint raised, "warm-start-settings" when warm_start did


@dataclass(frozen=True)
class Rejection:
    """One assignment_map entry TensorFlow rejects on its own, and why, from the checkpoint and the
    graph (never TF's message): "shape" (the key exists with a shape the variable's is not
    compatible with), "missing" (a key, or a key under a mapped scope, the checkpoint lacks) or
    "map" (an entry TF cannot apply, e.g. a name mapped to a scope)."""

    key: str  # the checkpoint side of the entry, as given
    target: str  # the graph side: a variable or scope name
    why: str  # shape | missing | map
    variable_shape: Optional[tuple] = None  # for "shape": the variable's (None dims unknown)
    checkpoint_shape: Optional[tuple] = None  # for "shape": the checkpoint key's
    # A variable a scope entry ('old/': 'new/') maps to a key the checkpoint lacks: the entry as
    # given (key and target are then the full key TF looked up and the variable's name).
    scope: tuple = ()


@dataclass(frozen=True)
class WarmStart:
    """One warm start while model_fn ran (init_from_checkpoint), or the one Estimator's
    WarmStartSettings would do (--warm-start): what TensorFlow resolved its map to."""

    ckpt: str  # the checkpoint TF was given
    map_size: int  # entries of the assignment_map as given
    loaded: tuple  # ((variable name, checkpoint key), ...) TF set a checkpoint initializer for
    site: Optional[Site]
    source: dict = field(default_factory=dict, compare=False)  # model keys of ckpt: {key: (shape, dtype)}
    from_settings: bool = False  # WarmStartSettings(ckpt) as Estimator(warm_start_from=ckpt) does it
    error: str = ""  # the exception type TF raised (WarmStartSettings only: a key it cannot find)
    rejected: tuple = ()  # (Rejection, ...): init_from_checkpoint raised; the entries TF rejects
    # WarmStartSettings only: what its vars_to_warm_start selects, as TF's warm_start selects it:
    # ((variable name, checkpoint key, full shape), ...), the selection as given (for messages),
    # and the names of var_name_to_prev_var_name / var_name_to_vocab_info that select no variable.
    selected: tuple = ()
    selection: str = ""
    unused: tuple = ()
    store: tuple = field(default=(), compare=False)  # init_from_checkpoint: the variable store's names at the call


@dataclass
class Snapshot:
    mode: str
    ops: dict = field(default_factory=dict)  # op name -> op type
    variables: dict = field(default_factory=dict)  # name -> Variable
    restore_keys: dict = field(default_factory=dict)  # key -> RestoreKey
    unrestored: tuple = ()  # global variables a custom Saver's var_list leaves out
    uninitialized: dict = field(default_factory=dict)  # of those, {name: why} for the ones nothing initializes after a restore
    fetches: list = field(default_factory=list)  # [Fetch]
    hook_errors: list = field(default_factory=list)  # [HookError]
    renames: list = field(default_factory=list)  # [ScopeRename]
    params: dict = field(default_factory=dict)  # the params this mode was built with
    loss: str = ""  # EstimatorSpec.loss tensor name ("" when None)
    train_op: str = ""  # EstimatorSpec.train_op name, "" when None
    results: tuple = ()  # EVAL/PREDICT: the tensors whose values the mode returns (model/outputs.py)
    label_ops: frozenset = frozenset()  # ops downstream of the labels (absent in PREDICT by design)
    roles: dict = field(default_factory=dict)  # op name -> role from the graph's structure (model/roles.py)
    estimator_ops: frozenset = frozenset()  # ops Estimator and its session add around model_fn
    late_ops: frozenset = frozenset()  # ops that exist only once the session is created (not at begin())
    update_ops: tuple = ()  # op names in the UPDATE_OPS collection (batch norm's moving averages)
    warm_starts: list = field(default_factory=list)  # [WarmStart]
    failure: Optional[BuildFailure] = None
    skipped: str = ""  # why this mode was not built, when it was skipped on purpose
    converted_from: str = ""  # "TPUEstimatorSpec" when model_fn returned one (see tpu_spec.py)

    @property
    def built(self) -> bool:
        return self.failure is None and not self.skipped

    def portable(self) -> "Snapshot":
        """A copy that can cross a process boundary: params may hold functions, which do not pickle
        (the parent process, which computed them, puts them back when it needs them)."""
        return dataclasses.replace(self, params={})


@dataclass
class RunInfo:
    """What was run, for the report header."""

    model: str
    model_file: str = ""  # the imported file, also for package.module targets
    tf_version: str = ""
    estimator_api: str = ""
    modes: tuple = ()
    spec_conversion: str = ""  # how a TPUEstimatorSpec became an EstimatorSpec, "" when none did
