"""Label names that exist in some modes only: most are expected (training machinery, metrics,
label-dependent ops in PREDICT) and only the class "other" is worth a reader's attention."""

from __future__ import annotations

import re

_GRADIENTS = re.compile(r"^gradients(_\d+)?$")
_SAVE = re.compile(r"^save(_\d+)?$")
_SLOT = re.compile(r"/(Adam|Adam_\d+|Momentum|Adagrad|RMSProp|RMSProp_\d+|Ftrl|Ftrl_\d+|Adadelta|Adadelta_\d+)(/|$)")
_POWERS = re.compile(r"^(beta1_power|beta2_power)(_\d+)?(/|$)")
_SUMMARY_TYPES = ("ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummary", "AudioSummaryV2",
                  "MergeSummary", "TensorSummary", "TensorSummaryV2", "WriteSummary", "WriteScalarSummary")

EXPECTED = {
    "global_step": "the global step",
    "gradients": "gradient computation (TRAIN only)",
    "optimizer": "optimizer updates, slots and accumulators (TRAIN only)",
    "metric": "tf.compat.v1.metrics state and update ops (local, never checkpointed)",
    "summary": "summaries",
    "save": "Saver save/restore ops",
    "local": "local variables (never checkpointed)",
    "batch-norm": "batch normalization: training path (batch statistics, moving-average updates) vs inference path",
    "needs-labels": "uses labels, or sits in a scope that does; PREDICT has no labels",
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
        self.estimator_ops = set()
        for snap in snapshots:
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
        if _SAVE.match(top):
            return "save"
        if op_type in _SUMMARY_TYPES:
            return "summary"
        if top in self.optimizer_scopes or _SLOT.search(name) or _POWERS.match(name):
            return "optimizer"
        if any(name.startswith(s) for s in self.metric_scopes):
            return "metric"
        if any(name.startswith(s) for s in self.bn_scopes):
            return "batch-norm"
        if name in self.local_vars or name.rsplit("/", 1)[0] in self.local_vars:
            return "local"
        if name in self.estimator_ops:
            return "estimator"
        if modes == self.no_predict and self._needs_labels(name):
            return "needs-labels"
        return "other"

    def _needs_labels(self, name: str) -> bool:
        """Consumes the labels, or sits in a scope that does (the loss's constants and shapes)."""
        if name in self.label_ops:
            return True
        parts = name.split("/")
        return any("/".join(parts[:i]) in self.label_scopes for i in range(1, len(parts)))
