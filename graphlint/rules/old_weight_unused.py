"""GL602 old-weight-unused: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._migrate import MAPPING_FIX, MigrateRule, weight_keys
from graphlint.rules._shapes import show_shape


class OldWeightUnused(MigrateRule):
    """A trained variable of the old checkpoint that no weight of the new model takes.

    ## What it does
    Reports each key of the old checkpoint that is a model variable (not an optimizer slot,
    `global_step`, a metric or an EMA shadow) and that the mapping uses for no new weight, naming
    its layer and where in the old model's order it sat.

    ## Why is this bad
    Training went into that variable and the new model computes without it: most often a layer
    missing from the port, which no loader reports ("Skipping" in a log at best).

    ## Example
    The old model has three dense layers (`dense`, `dense_1`, `dense_2`); the port forgot the middle one:
    ```python
    import torch

    def build_model():
        return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    ```

    ## Fix
    Port the missing layer:
    ```python
    import torch

    def build_model():
        return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16),
                                   torch.nn.ReLU(), torch.nn.Linear(16, 3))
    ```
    """

    code = "GL602"
    symbol = "old-weight-unused"
    severity = "error"
    summary = "a trained variable of the old checkpoint is used by no weight of the new model"

    def check_migration(self, check) -> list:
        return [self._weight(f) for f in check.unused_weights] + [self._layer(f) for f in check.unused_layers]

    def _weight(self, f):
        w, layer = f.weight, f.layer
        if f.new_layer is None:
            return self.make(w.key, f"OLD {w.key} {show_shape(w.shape)} (layer {layer.title()}) is used by no entry "
                                    "of the mapping file: its trained values would be lost",
                             "map it in the mapping file, or port the layer it belongs to")
        return self.make(w.key, f"OLD {w.key} {show_shape(w.shape)} (layer {layer.title()}) is used by no weight of "
                                f"NEW layer {f.new_layer.name}", f"give the new layer that part, {MAPPING_FIX}")

    def _layer(self, f):
        layer = f.layer
        parts = ([f"after NEW {f.after}"] if f.after else []) + ([f"before NEW {f.before}"] if f.before else [])
        where = f" (it would sit {' and '.join(parts)}, by OLD's {f.order} order)" if parts else ""
        message = (f"OLD layer {layer.title()} ({layer.kind}: {layer.signature()}) is used by no NEW weight{where}: "
                   f"its trained values would be lost")
        return self.make(layer.name, message, f"a layer missing in the new model? port it, {MAPPING_FIX}",
                         names=[layer.name] + weight_keys(layer))
