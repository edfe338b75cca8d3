"""GL505 added-signature-output: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule


class AddedSignatureOutput(ServingRule):
    """A signature has a new output.

    ## What it does
    Reports output keys a signature gains. Runs with `graphlint check model.py --saved-model DIR`.

    ## Why is this bad
    Nothing breaks; it is listed so the change is seen in review.

    ## Example
    predictions gain `probabilities`.

    ## Fix
    Nothing to fix.
    """

    code = "GL505"
    symbol = "added-signature-output"
    severity = "info"
    summary = "a signature has a new output"
