"""GL507 signature-shape-incompatible: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule, shape_change
from graphlint.serving.compare import INCOMPATIBLE


class SignatureShapeIncompatible(ServingRule):
    """An input or output shape of a signature is incompatible with the old one.

    ## What it does
    Compares shapes by TensorShape's own compatibility. Runs with `graphlint check model.py --saved-model DIR`.

    ## Why is this bad
    No value of the old shape fits the new signature: a client sending what it always sent is rejected.

    ## Example
    The placeholder went from `[None, 4]` to `[None, 2, 2]`.

    ## Fix
    Keep the old shape at the model's edge and reshape inside.
    """

    code = "GL507"
    symbol = "signature-shape-incompatible"
    severity = "error"
    summary = "an input or output shape of a signature is incompatible with the old one"

    def check_serving(self, comparison) -> list:
        return [self.serving_finding(p.at.name, shape_change(p),
                                     "keep the old shape at the model's edge and reshape inside") for p in comparison.kept
                if p.shape_relation == INCOMPATIBLE]
