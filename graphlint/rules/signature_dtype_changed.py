"""GL506 signature-dtype-changed: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule, is_input, tensor_text


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

    def check_serving(self, comparison) -> list:
        out = []
        for p in comparison.kept:
            old, new = p.old.dtype, p.new.dtype
            if old == new:
                continue
            # an input breaks every client that feeds it; an output only surprises its readers
            effect, severity = (("a client feeding the old dtype gets an error", "error") if is_input(p.at)
                                else ("clients now receive the new dtype", "warning"))
            out.append(self.serving_finding(p.at.name, f"{tensor_text(p.at)} changed dtype {old} -> {new}: {effect}",
                                            f"cast back to {old} at the model's edge", severity=severity))
        return out
