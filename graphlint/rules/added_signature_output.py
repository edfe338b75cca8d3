"""GL505 added-signature-output: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule, is_input, tensor_text


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

    def check_serving(self, comparison) -> list:
        # a new key that is a gone key's twin is removed-signature-tensor's rename, not an addition
        return [self.serving_finding(at.name, f"{tensor_text(at)} is new",
                                     "nothing to fix: clients that read the old keys still find them")
                for at in comparison.came if not is_input(at) and not at.twin]
