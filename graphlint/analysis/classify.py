"""Label names that exist in some modes only: most are expected (training machinery, metrics,
label-dependent ops in PREDICT) and only the class "other" is worth a reader's attention.

The roles that the graph's structure gave each op while its mode was built (Snapshot.roles, see
model/roles.py) decide first; the name patterns here are the fallback for what structure does not
settle (snapshots without roles, batch-norm's training path, the labels' scope).
"""

from __future__ import annotations

import re

from graphlint.model.roles import SUMMARY_TYPES

_GRADIENTS = re.compile(r"^gradients(_\d+)?$")
_SAVE = re.compile(r"^save(_\d+)?$")
_SLOT = re.compile(r"/(Adam|Adam_\d+|Momentum|Adagrad|RMSProp|RMSProp_\d+|Ftrl|Ftrl_\d+|Adadelta|Adadelta_\d+)(/|$)")
_POWERS = re.compile(r"^(beta1_power|beta2_power)(_\d+)?(/|$)")
# Roles that settle a name's class before any name pattern. "optimizer" waits until batch-norm's
# scopes are tried: its moving-average updates are run by the train op too (UPDATE_OPS).
_DECISIVE_ROLES = frozenset({"save", "init", "summary", "moving-average", "dropout", "metric", "local",
                             "hook-output", "prediction", "input"})
_NUMBERED = re.compile(r"^(?P<base>[A-Za-z][A-Za-z0-9]*?)(_\d+)?$")  # TF's default names: Mean, Mean_1

EXPECTED = {
    "global_step": "the global step",
    "gradients": "gradient computation (TRAIN only)",
    "optimizer": "optimizer updates, slots and accumulators (TRAIN only)",
    "metric": "tf.compat.v1.metrics state and update ops (local, never checkpointed)",
    "summary": "summaries",
    "save": "Saver save/restore ops",
    "init": "variable initialization and readiness checks (Scaffold's init and ready ops)",
    "moving-average": "ExponentialMovingAverage shadows and their updates (created by ema.apply in TRAIN)",
    "dropout": "dropout (tf.nn.dropout), applied in training only",
    "local": "local variables (never checkpointed)",
    "hook-output": "tensors only a hook of that mode fetches, consumed by nothing in the graph (named for LoggingTensorHook)",
    "prediction": "PREDICT's prediction and export outputs, computed for the caller alone (probabilities from logits)",
    "batch-norm": "batch normalization: training path (batch statistics, moving-average updates) vs inference path",
    "needs-labels": "uses labels, or sits in a scope that does; PREDICT has no labels",
    "renumbered": "an auto-numbered name (Mean_1) that moved: in this mode ops of an expected class took a lower number",
    "input": "the input pipeline (tf.data) input_fn builds for this mode",
    "estimator": "added by Estimator and its session, not by model_fn (eval step, init and readiness ops)",
}


class Classifier:
    """Built once per run from the snapshots, then asked about many names."""

    def __init__(self, snapshots):
        self.no_predict = tuple(s.mode for s in snapshots if s.mode != "predict")
        self.optimizer_scopes = set()
        self.metric_scopes = set()
        self.local_vars = set()
        self.bn_scopes = set()
        self.label_ops = set()
        self.roles = {}  # mode -> {op name: role}
        self._ops = {}  # mode -> {op name: type}
        self._families = {}  # mode -> {(scope, base name, op type): [names]}, made when first asked
        self.estimator_ops = set()
        for snap in snapshots:
            self._ops[snap.mode] = snap.ops
            self.roles[snap.mode] = snap.roles
            self.estimator_ops |= snap.estimator_ops
            for name, op_type in snap.ops.items():
                if "Apply" in op_type:
                    self.optimizer_scopes.add(name.split("/", 1)[0])
            for var in snap.variables.values():
                if var.kind == "metric" and "/" in var.name:
                    self.metric_scopes.add(var.name.rsplit("/", 1)[0] + "/")
                elif var.kind == "local":
                    self.local_vars.add(var.name)
                if var.name.endswith(("/moving_mean", "/moving_variance")):
                    self.bn_scopes.add(var.name.rsplit("/", 1)[0] + "/")
            self.label_ops |= snap.label_ops
        self.label_scopes = {n.rsplit("/", 1)[0] for n in self.label_ops if "/" in n}

    def classify(self, name: str, op_type: str, modes: tuple = ()) -> str:
        top = name.split("/", 1)[0]
        if top == "global_step":
            return "global_step"
        if _GRADIENTS.match(top):
            return "gradients"
        role = self._role(name, modes)
        if role in _DECISIVE_ROLES:
            return role
        if _SAVE.match(top):
            return "save"
        if op_type in SUMMARY_TYPES:
            return "summary"
        if any(name.startswith(s) for s in self.bn_scopes):
            return "batch-norm"
        if role == "optimizer" or top in self.optimizer_scopes or _SLOT.search(name) or _POWERS.match(name):
            return "optimizer"
        if any(name.startswith(s) for s in self.metric_scopes):
            return "metric"
        if name in self.local_vars or name.rsplit("/", 1)[0] in self.local_vars:
            return "local"
        if name in self.estimator_ops:
            return "estimator"
        if modes == self.no_predict and self._needs_labels(name):
            return "needs-labels"
        if self._renumbered(name, op_type, modes):
            return "renumbered"
        return "other"

    def _role(self, name: str, modes: tuple):
        """The role the modes that have `name` agree on (the same name may be another op elsewhere)."""
        found = {self.roles[m].get(name) for m in modes if m in self.roles}
        return found.pop() if len(found) == 1 else None

    def _renumbered(self, name: str, op_type: str, modes: tuple) -> bool:
        """The modes without `name` have the same kind of op under a lower number, and the modes with it
        have more of that kind because some of them have an expected role (a summary's Mean took
        'Mean', so the loss became 'Mean_1')."""
        key = _family(name, op_type)
        if key is None or not modes:
            return False
        here = self.families(modes[0]).get(key, ())
        roles = self.roles.get(modes[0], {})
        if not any(roles.get(n) in _DECISIVE_ROLES or roles.get(n) == "optimizer" for n in here):
            return False
        counts = [len(self.families(m).get(key, ())) for m in self._ops if m not in modes]
        return any(counts) and all(c < len(here) for c in counts)

    def families(self, mode: str) -> dict:
        """{(scope, base name, op type): [names]} of a mode's auto-numbered ops: only a name no other
        class explains asks, so a model whose modes differ little never pays for every op's."""
        if mode not in self._families:
            self._families[mode] = _families(self._ops[mode])
        return self._families[mode]

    def _needs_labels(self, name: str) -> bool:
        """Consumes the labels, or sits in a scope that does (the loss's constants and shapes)."""
        if name in self.label_ops:
            return True
        parts = name.split("/")
        return any("/".join(parts[:i]) in self.label_scopes for i in range(1, len(parts)))


def _family(name: str, op_type: str):
    scope, _, leaf = name.rpartition("/")
    match = _NUMBERED.match(leaf)
    return (scope, match.group("base"), op_type) if match else None


def _families(ops: dict) -> dict:
    out = {}
    for name, op_type in ops.items():
        key = _family(name, op_type)
        if key is not None:
            out.setdefault(key, []).append(name)
    return out
