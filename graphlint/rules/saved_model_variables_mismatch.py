"""GL512 saved-model-variables-mismatch: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule
from graphlint.serving.compare import shape_text


class SavedModelVariablesMismatch(ServingRule):
    """A variable the serving graph restores is missing from, or shaped differently in, the SavedModel's variables.

    ## What it does
    Compares the serving PREDICT graph's restore keys with the SavedModel's `variables/variables` checkpoint, as `check` does for checkpoints. Runs with `graphlint check model.py --saved-model DIR`.

    ## Why is this bad
    The SavedModel in production was trained with other variables: the new serving graph could not restore it.

    ## Example
    A layer was renamed since the SavedModel was exported.

    ## Fix
    Export from a checkpoint of this model, or keep the variable names.
    """

    code = "GL512"
    symbol = "saved-model-variables-mismatch"
    severity = "error"
    summary = "a variable the serving graph restores is missing from, or shaped differently in, the SavedModel's variables"

    def check_serving(self, comparison) -> list:
        return [f for r in comparison.restores for f in self._restore(r)]

    def _restore(self, r) -> list:
        fix = "export from a checkpoint of this model"
        if r.held is None:
            return [self.serving_finding(r.key, f"the serving graph restores '{r.key}', which the SavedModel's "
                                                f"variables do not have", fix)]
        shape, dtype = r.held
        # a shape the serving graph does not know restores whatever shape is saved
        if ((tuple(r.shape) if r.shape is not None else shape), r.dtype) == (shape, dtype):
            return []
        return [self.serving_finding(r.key, f"the serving graph restores '{r.key}' as {r.dtype}{shape_text(r.shape)}, "
                                            f"the SavedModel's variables hold {dtype}{shape_text(shape)}", fix)]
