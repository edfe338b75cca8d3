"""GL504 added-signature-input: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule


class AddedSignatureInput(ServingRule):
    """A signature has a new input that clients of the old signature do not feed.

    ## What it does
    Reports input keys a signature gains. Runs with `graphlint check model.py --saved-model DIR`.

    ## Why is this bad
    Clients built against the old signature do not feed it, and the call fails.

    ## Example
    The receiver gains a second placeholder `mask`.

    ## Fix
    Give the new input a default with `tf.compat.v1.placeholder_with_default`, or make it a new signature.
    """

    code = "GL504"
    symbol = "added-signature-input"
    severity = "error"
    summary = "a signature has a new input that clients of the old signature do not feed"
