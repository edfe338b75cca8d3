"""GL512 saved-model-variables-mismatch: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._serving import ServingRule


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
