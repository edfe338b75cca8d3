"""GL602 old-weight-unused: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._migrate import MAPPING_FIX, MigrateRule, weight_keys
from graphlint.rules._shapes import show_shape


class OldWeightUnused(MigrateRule):
    """A trained variable of the old checkpoint that no weight of the new model takes.

    ## What it does
    Reports each key of the old checkpoint that is a model variable (not an optimizer slot,
    `global_step`, a metric or an EMA shadow) and that the mapping uses for no new weight, naming
    its layer and where in the old model's order it sat. When every old layer under one scope is
    unused (a block missing from the port, such as one of BERT's encoder layers), that is one
    finding naming the block and listing its layers; a scope that also holds a used layer is never
    merged.

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
        return ([self._weight(f) for f in check.unused_weights] + [self._layer(f) for f in check.unused_layers]
                + [self._block(f) for f in check.unused_blocks])

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
        message = (f"OLD layer {layer.title()} ({layer.kind}: {layer.signature()}) is used by no NEW weight"
                   f"{_where(f)}: its trained values would be lost")
        return self.make(layer.name, message, f"a layer missing in the new model? port it, {MAPPING_FIX}",
                         names=[layer.name] + weight_keys(layer))

    def _block(self, f):
        """Every OLD layer under one scope unused: one finding for the block, listing its layers."""
        inner = [layer.name[len(f.scope) + 1:] or layer.name for layer in f.layers]
        shown = ", ".join(f"{n} ({layer.kind})" for n, layer in zip(inner[:_SHOWN], f.layers))
        more = f" and {len(inner) - _SHOWN} more" if len(inner) > _SHOWN else ""
        message = (f"OLD block {f.scope}/ ({len(f.layers)} layers, every OLD layer under it: {shown}{more}) is used by "
                   f"no NEW weight{_where(f)}: its trained values would be lost")
        names = [f.scope] + [layer.name for layer in f.layers] + [k for layer in f.layers for k in weight_keys(layer)]
        return self.make(f.scope, message, f"a block missing in the new model? port it, {MAPPING_FIX}", names=names)


_SHOWN = 12  # a block's layers the message spells out; the finding's `names` keeps them all


def _where(f) -> str:
    parts = ([f"after NEW {f.after}"] if f.after else []) + ([f"before NEW {f.before}"] if f.before else [])
    return f" (it would sit {' and '.join(parts)}, by OLD's {f.order} order)" if parts else ""
