"""GL504 added-signature-input: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule, is_input, tensor_text


class AddedSignatureInput(ServingRule):
    """A signature has a new input that clients of the old signature do not feed.

    ## What it does
    Reports input keys a signature gains. Runs with `graphlint check model.py --saved-model DIR`.

    ## Why is this bad
    Clients built against the old signature do not feed it, and the call fails: TF2's
    `signatures[key](...)` requires every input, even a `placeholder_with_default`; a TF1
    `Session.run` fails on an unfed placeholder.

    ## Example
    The receiver gains a second placeholder `mask`.

    ## Fix
    Keep `receiver_tensors` as they were and put the new input in a signature of its own:
    `ServingInputReceiver(features, {"x": x}, receiver_tensors_alternatives={"with_mask": features})`,
    with the new feature a `tf.compat.v1.placeholder_with_default` (the signature `with_mask:serving_default`).
    """

    code = "GL504"
    symbol = "added-signature-input"
    severity = "error"
    summary = "a signature has a new input that clients of the old signature do not feed"

    def check_serving(self, comparison) -> list:
        # a new key that is a gone key's twin is removed-signature-tensor's rename, not an addition
        return [self.serving_finding(at.name, f"{tensor_text(at)} is new: clients of the old signature do not feed it",
                                     "keep receiver_tensors as they were; put the new input in "
                                     "receiver_tensors_alternatives (a new signature), as a placeholder_with_default")
                for at in comparison.came if is_input(at) and not at.twin]
