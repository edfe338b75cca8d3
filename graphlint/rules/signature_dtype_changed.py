"""GL506 signature-dtype-changed: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule


class SignatureDtypeChanged(ServingRule):
    """An input or output of a signature changed dtype (error for inputs, warning for outputs).

    ## What it does
    Compares each input's and output's dtype with the SavedModel's. Runs with `graphlint check model.py --saved-model DIR`.

    ## Why is this bad
    A client feeding the old dtype to an input gets an error; an output's clients silently receive another dtype.

    ## Example
    The receiver's placeholder became `tf.float64`.

    ## Fix
    Keep the signature's dtype and cast inside the model.
    """

    code = "GL506"
    symbol = "signature-dtype-changed"
    severity = "error"
    summary = "an input or output of a signature changed dtype (error for inputs, warning for outputs)"

    def severity_for(self, change) -> str:
        return "error" if change.io == "inputs" else "warning"
