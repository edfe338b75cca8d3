"""GL508 signature-shape-narrowed: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule, shape_change
from graphlint.serving.compare import NARROWED


class SignatureShapeNarrowed(ServingRule):
    """An input or output shape of a signature is compatible but narrower than the old one.

    ## What it does
    Reports shapes that accept fewer values than before, e.g. `[None, 4]` -> `[8, 4]`. Runs with `graphlint check model.py --saved-model DIR`.

    ## Why is this bad
    A TF1 `Session.run` client that sent other batch sizes or lengths is rejected (a `ValueError` for the
    feed); TF2's `signatures[key](...)` does not check fed shapes against the signature.

    ## Example
    The placeholder's batch dimension became fixed.

    ## Fix
    Keep unknown dimensions unknown.
    """

    code = "GL508"
    symbol = "signature-shape-narrowed"
    severity = "warning"
    summary = "an input or output shape of a signature is compatible but narrower than the old one"

    def check_serving(self, comparison) -> list:
        return [self.serving_finding(p.at.name, shape_change(p),
                                     "keep unknown dimensions unknown in serving_input_receiver_fn") for p in comparison.kept
                if p.shape_relation == NARROWED]
