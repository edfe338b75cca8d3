"""GL503 removed-signature-tensor: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule, is_input, tensor_text


class RemovedSignatureTensor(ServingRule):
    """An input or output of a signature is gone or renamed in the new export.

    ## What it does
    Compares each signature's input and output keys with the SavedModel's; a key that is gone is reported, with the new key of the same dtype and shape as a likely rename. Runs with `graphlint check model.py --saved-model DIR`.

    ## Why is this bad
    A client feeding a removed input gets an error; one reading a removed or renamed output finds no such key.

    ## Example
    predictions `{'logits': ...}` became `{'logit2': ...}`.

    ## Fix
    Keep the old key (an alias of the new tensor is fine).
    """

    code = "GL503"
    symbol = "removed-signature-tensor"
    severity = "error"
    summary = "an input or output of a signature is gone or renamed in the new export"

    def check_serving(self, comparison) -> list:
        out = []
        for at in comparison.gone:
            # the likely rename is a question in the message, never the fix
            also = f" (renamed to '{at.twin}'? same dtype and shape)" if at.twin else ""
            result = "a client feeding it gets an error" if is_input(at) else "a client reading it finds no such key"
            out.append(self.serving_finding(at.name, f"{tensor_text(at)} is gone from the new export{also}: {result}",
                                            f"keep the key '{at.key}' (an alias is fine)"))
        return out
