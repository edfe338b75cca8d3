"""GL502 added-signature: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule


class AddedSignature(ServingRule):
    """The new export has a signature the SavedModel in production does not.

    ## What it does
    Reports signatures the new export adds. Runs with `graphlint check model.py --saved-model DIR`.

    ## Why is this bad
    Nothing breaks; it is listed so the change is seen in review.

    ## Example
    export_outputs gains an entry `embeddings`.

    ## Fix
    Nothing to fix.
    """

    code = "GL502"
    symbol = "added-signature"
    severity = "info"
    summary = "the new export has a signature the SavedModel in production does not"

    def check_serving(self, comparison) -> list:
        return [self.serving_finding(key, f"signature '{key}' is new (no client calls it yet)",
                                     "nothing to fix: tell the clients that want it that it exists")
                for key in comparison.added]
