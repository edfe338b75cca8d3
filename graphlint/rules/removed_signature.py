"""GL501 removed-signature: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule


class RemovedSignature(ServingRule):
    """A signature of the SavedModel in production is gone from the new export.

    ## What it does
    Reports signatures that the existing SavedModel (`--saved-model DIR`) has and the new export would not. Runs with `graphlint check model.py --saved-model DIR`.

    ## Why is this bad
    Every client calling that signature fails once the new model is deployed.

    ## Example
    export_outputs no longer lists `scores`, which the SavedModel in production serves.

    ## Fix
    Keep the export_outputs entry until no client calls it.
    """

    code = "GL501"
    symbol = "removed-signature"
    severity = "error"
    summary = "a signature of the SavedModel in production is gone from the new export"

    def check_serving(self, comparison) -> list:
        # A signature the export cannot build at all is signature-tensor-missing's finding (the
        # export fails, so nothing ships), not a removal.
        unbuilt = {u.at.signature for u in comparison.unbuilt}
        return [self.serving_finding(key, f"signature '{key}' is in the SavedModel but the new export does not have "
                                          f"it: clients calling it get no such signature",
                                     "keep the export_outputs entry, or move clients off it before deploying")
                for key in comparison.removed if key not in unbuilt]
