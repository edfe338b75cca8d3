"""GL601 new-weight-without-source: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._migrate import MAPPING_FIX, MigrateRule, weight_keys
from graphlint.rules._shapes import show_shape


class NewWeightWithoutSource(MigrateRule):
    """A weight of the new model that no key of the old checkpoint maps to.

    ## What it does
    `graphlint migrate` aligns the new model's layers with the old checkpoint's (by kind and shape,
    in order) and reports each new layer with no old counterpart, and each new weight whose old
    layer lacks the part it needs, such as batch-norm moving statistics the old model never kept.

    ## Why is this bad
    The weight keeps its random or default initial value: the converted model loads without an
    error and computes something else. Batch-norm statistics left at mean 0 and variance 1
    normalize nothing, which shows only as worse results.

    ## Example
    The old model normalized with the batch's own statistics (`tf.nn.moments`), so its checkpoint
    has `bn/gamma` and `bn/beta` and no moving statistics; the new model's `nn.BatchNorm2d` has
    `running_mean` and `running_var`:
    ```python
    import torch

    def build_model():
        return torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.BatchNorm2d(8))
    ```

    ## Fix
    Give the statistics a source: compute them over training data with the converted weights
    (the new model in training mode over a few batches), or normalize with batch statistics as the
    old model did; a layer the old model did not have is removed.
    ```python
    import torch

    def build_model():
        return torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.BatchNorm2d(8, track_running_stats=False))
    ```
    """

    code = "GL601"
    symbol = "new-weight-without-source"
    severity = "error"
    summary = "a weight of the new model gets no value from the old checkpoint"

    def check_migration(self, check) -> list:
        return ([self._layer(f.layer) for f in check.layers_without_source]
                + [self.make(f.weight.key, f"NEW {f.weight.key} (layer {f.layer.title()}) has no entry in the mapping "
                                           "file", "add its entry to the mapping file (--write-mapping writes one to "
                                                   "start from)") for f in check.weights_not_in_file]
                + [self._parts(f) for f in check.parts_without_source])

    def _layer(self, layer):
        message = (f"NEW layer {layer.title()} ({layer.kind}: {layer.signature()}) has no counterpart in OLD: no OLD "
                   f"layer of kind {layer.kind} with shape {show_shape(layer.main_shape)} is left to give it values "
                   f"(in TF1's layout)")
        fix = f"a layer the old model did not have? remove it from the new model, {MAPPING_FIX}"
        return self.make(layer.name, message, fix, names=[layer.name] + weight_keys(layer))

    def _parts(self, f):
        """Batch-norm statistics the old model never kept say so; other parts name what OLD has."""
        layer, keys = f.layer, [w.key for w in f.weights]
        have = ", ".join(w.key.rsplit("/", 1)[-1] for w in f.old_layer.weights.values())
        if f.statistics:
            message = (f"NEW {', '.join(keys)} (the batch-norm statistics of layer {layer.title()}) have no source: "
                       f"OLD layer {f.old_layer.name} has {have} and no moving statistics (the old model normalized "
                       f"with each batch's own statistics, or did not save them); the new model would normalize with "
                       f"its initial statistics")
            fix = ("compute the statistics over training data with the converted weights, or normalize with batch "
                   "statistics as the old model did")
        else:
            message = (f"NEW {', '.join(keys)} (layer {layer.title()}) have no source: OLD layer {f.old_layer.name} "
                       f"has only {have}")
            fix = f"give the old side's part a source, {MAPPING_FIX}"
        return self.make(layer.name, message, fix, names=[layer.name] + keys)
