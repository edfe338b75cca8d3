"""GL604 ambiguous-migration: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._migrate import MAPPING_FIX, MigrateRule


class AmbiguousMigration(MigrateRule):
    """A new layer that could come from more than one old layer, or by more than one transform.

    ## What it does
    Reports a new layer when the evidence (kind, shapes, order, names) leaves several old layers
    it could take, or when its weight file cannot tell its kind and the kinds transform
    differently (a square PyTorch weight alone: a Linear, transposed, or an Embedding, as is), or
    when a fused query/key/value weight (PyTorch's `MultiheadAttention`) has its three old layers
    but their names do not say which is the query, the key and the value (the order in which the
    old model created them is not evidence). The layer is mapped to none of them; the finding lists
    the candidates.

    ## Why is this bad
    A guess between same-shaped layers is silently wrong half the time, and nothing downstream
    fails: the weights load and the outputs are merely worse.

    ## Example
    The old model has two dense layers [64, 64] and the port has one: which was dropped?
    ```python
    import torch

    def build_model():
        return torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.Linear(64, 64))
    ```

    ## Fix
    Write the mapping file (`--write-mapping`), keep the right line, and pass it back with
    `--mapping`; or port the model completely, so the order decides.
    ```python
    import torch

    def build_model():
        return torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.Linear(64, 64), torch.nn.Linear(64, 64))
    ```
    """

    code = "GL604"
    symbol = "ambiguous-migration"
    severity = "error"
    summary = "a new layer could come from several old layers (or transforms); mapped to none"

    def check_migration(self, check) -> list:
        return [self._old(f) if f.is_old else self._new(f) for f in check.ambiguous]

    def _old(self, f):
        old, names = f.layer, [n.title() for n in f.candidates]
        message = (f"OLD layer {old.name} ({old.kind}: {old.signature()}) could go to any of NEW {', '.join(names)} "
                   f"(same kind and shape; neither their order nor their names decide); mapped to none")
        return self.make(old.name, message, f"port the model as the old one was, {MAPPING_FIX}",
                         names=[old.name] + [n.name for n in f.candidates])

    def _new(self, f):
        layer = f.layer
        if f.fused:
            message = (f"NEW layer {layer.title()} ({layer.signature()}) fuses the query, key and value projections in "
                       f"that order; OLD {', '.join(o.name for o in f.candidates)} are its three layers by kind, "
                       f"shape and place, but their names do not say which is the query, the key and the value; "
                       f"mapped to none")
            return self.make(layer.name, message, ("--write-mapping PATH, write each fused weight's entry with its old keys in the order "
                              "query, key, value, and pass it back with --mapping PATH"),
                             names=[layer.name] + [o.name for o in f.candidates])
        if f.kinds:
            message = (f"NEW layer {layer.title()} ({layer.signature()}) could be a {' or a '.join(f.kinds)} for OLD "
                       f"{f.candidates[0].name}, and their transforms differ: its file does not tell; mapped to none")
        else:
            message = (f"NEW layer {layer.title()} ({layer.kind}: {layer.signature()}) could come from any of OLD "
                       f"{', '.join(o.name for o in f.candidates)} (same kind and shape; neither their order nor "
                       f"their names decide); mapped to none")
        return self.make(layer.name, message, f"port the model completely so the order decides, {MAPPING_FIX}")
