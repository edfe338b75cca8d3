"""GL511 signature-tensor-missing: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule, io_word


class SignatureTensorMissing(ServingRule):
    """A signature names a tensor that the serving PREDICT graph does not have.

    ## What it does
    Looks up every signature tensor in the PREDICT graph built with serving_input_receiver_fn. Runs with `graphlint check model.py --saved-model DIR`.

    ## Why is this bad
    `export_saved_model` looks every signature tensor up by name in the serving graph and fails
    (a `KeyError`) without writing a SavedModel.

    ## Example
    An export output built in another graph.

    ## Fix
    Build every output inside model_fn.
    """

    code = "GL511"
    symbol = "signature-tensor-missing"
    severity = "error"
    summary = "a signature names a tensor that the serving PREDICT graph does not have"

    def check_serving(self, comparison) -> list:
        return [self.serving_finding(u.at.name, f"signature '{u.at.signature}' names {io_word(u.at.io)} '{u.at.key}' = "
                                                f"'{u.tensor}', which the PREDICT graph does not have",
                                     "build the tensor in model_fn's graph")
                for u in comparison.unbuilt]
