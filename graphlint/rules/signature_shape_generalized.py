"""GL509 signature-shape-generalized: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule, shape_change
from graphlint.serving.compare import GENERALIZED


class SignatureShapeGeneralized(ServingRule):
    """An input or output shape of a signature accepts more than before.

    ## What it does
    Reports shapes that became more general, e.g. `[None, 4]` -> `[None, None]`. Runs with `graphlint check model.py --saved-model DIR`.

    ## Why is this bad
    Nothing breaks for clients; it is listed for review.

    ## Example
    The placeholder's second dimension became unknown.

    ## Fix
    Nothing to fix.
    """

    code = "GL509"
    symbol = "signature-shape-generalized"
    severity = "info"
    summary = "an input or output shape of a signature accepts more than before"

    def check_serving(self, comparison) -> list:
        return [self.serving_finding(p.at.name, shape_change(p),
                                     "nothing to fix: every input of the old shape still fits") for p in comparison.kept
                if p.shape_relation == GENERALIZED]
