"""GL510 dropped-signature: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule


class DroppedSignature(ServingRule):
    """An export_outputs entry that Estimator's export silently drops.

    ## What it does
    Builds the signatures with TensorFlow's own build_all_signature_defs, as Estimator.export_saved_model does, and reports export_outputs entries it leaves out. Runs with `graphlint check model.py --saved-model DIR`.

    ## Why is this bad
    TensorFlow drops a signature whose inputs or outputs do not fit its kind (a ClassificationOutput over a float receiver) with no error, and the SavedModel ships without it.

    ## Example
    `ClassificationOutput(scores=...)` with a receiver of float placeholders.

    ## Fix
    Feed serialized tf.Example to classification signatures, or use PredictOutput.
    """

    code = "GL510"
    symbol = "dropped-signature"
    severity = "error"
    summary = "an export_outputs entry that Estimator's export silently drops"

    def check_serving(self, comparison) -> list:
        return [self.serving_finding(key, f"export_outputs['{key}'] is not in the export: Estimator's "
                                          f"build_all_signature_defs drops it silently ({why})",
                                     "fix the output or the receiver, or remove the entry")
                for key, why in comparison.dropped]
