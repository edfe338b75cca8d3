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
