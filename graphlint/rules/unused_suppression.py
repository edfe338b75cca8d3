"""GL001 unused-suppression: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

import linecache

from graphlint.model.snapshot import Site
from graphlint.rules import Rule


class UnusedSuppression(Rule):
    """Suppression comment that suppresses no finding.

    ## What it does
    Reports `# graphlint: ignore` and `# graphlint: ignore[CODE,...]` comments, in the model's
    files, that suppressed nothing in this run, naming the codes that went unused.

    ## Why is this bad
    A suppression outlives the bug it silenced: once the code is fixed or moved, the comment
    stays, and later silences a new, real problem on that line without anyone noticing.

    ## Example
    The variable is now created in every mode, so GL101 no longer fires on that line:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        temperature = tf.compat.v1.get_variable("temperature", [], trainable=False)  # graphlint: ignore[GL101]
        return spec(mode, logits / temperature, labels)
    ```

    ## Fix
    Remove the comment, or the codes in it that no longer fire:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        temperature = tf.compat.v1.get_variable("temperature", [], trainable=False)
        return spec(mode, logits / temperature, labels)
    ```
    """

    code = "GL001"
    symbol = "unused-suppression"
    severity = "info"
    summary = "a `# graphlint: ignore` comment suppresses no finding"

    # Its input is the suppression comments of the model's files, each with the codes it suppressed
    # a finding of (run/suppressions.py matches them against the other rules' findings).
    on_graphs = False

    def check_suppressions(self, suppressions) -> list:
        """The findings for run.suppressions.Suppression comments that suppressed nothing, or
        nothing of some of the codes they name, in report order."""
        return sorted((self._finding(s) for s in suppressions if _unused(s)), key=lambda f: f.sort_key())

    def _finding(self, sup):
        unused = [c for c in sup.codes if c not in sup.used]
        what = f"ignore[{','.join(unused)}]" if sup.codes else "ignore"
        if sup.codes and len(unused) < len(sup.codes):
            message, fix = f"{', '.join(unused)} in `{sup.text}` suppressed no finding", f"remove {', '.join(unused)}"
        else:
            message, fix = f"`{sup.text}` suppressed no finding", "remove the comment"
        site = Site(sup.file, sup.line, "", linecache.getline(sup.file, sup.line).strip())
        return self.finding((), what, message, fix=fix, location=site)


def _unused(sup) -> bool:
    """A comment naming codes is unused when one of them suppressed nothing; a bare one (every
    code, `used` holding "*") when it suppressed nothing at all."""
    return bool(set(sup.codes) - sup.used) if sup.codes else not sup.used
