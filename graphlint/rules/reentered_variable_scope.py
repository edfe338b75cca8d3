"""GL202 reentered-variable-scope: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.analysis.match import uniquified_twins
from graphlint.findings import Related
from graphlint.rules import Rule
from graphlint.model.snapshot import MODES
from graphlint.rules._fetches import verb
from graphlint.rules._group import listing
from graphlint.wording import agree


class ReenteredVariableScope(Rule):
    """Hook fetches a name whose scope was re-entered and silently renamed.

    ## What it does
    When a fetched name is missing but a uniquified twin exists (`class_0_1/auc` for `class_0/auc`),
    explains it: the scope was entered a second time by its string name, and TensorFlow gave the
    second entry a fresh name scope.

    ## Why is this bad
    `variable_scope('class_0')` entered again reuses the *variable* scope (variables keep their
    names) but opens a new, uniquified *name* scope, `class_0_1`, for the ops. Hooks that fetch
    `class_0/...` by name fail with `The name 'class_0/...:0' refers to a Tensor which does not exist`.

    ## Example
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    class ScoreHook(tf.estimator.SessionRunHook):
        def before_run(self, run_context):
            return tf.estimator.SessionRunArgs("head/score:0")


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("head"):
            logits = linear(features, params["units"])   # the variable head/w
        with tf.compat.v1.variable_scope("head"):
            tf.reduce_sum(logits, name="score")          # really head_1/score
        return spec(mode, logits, labels, training_hooks=[ScoreHook()])
    ```

    ## Fix
    Build both parts under one entry of the scope, or re-enter with the scope object and
    `auxiliary_name_scope=False` (then open its `original_name_scope`):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    class ScoreHook(tf.estimator.SessionRunHook):
        def before_run(self, run_context):
            return tf.estimator.SessionRunArgs("head/score:0")


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("head") as scope:
            logits = linear(features, params["units"])
        with tf.compat.v1.variable_scope(scope, auxiliary_name_scope=False):
            with tf.name_scope(scope.original_name_scope):
                tf.reduce_sum(logits, name="score")      # head/score
        return spec(mode, logits, labels, training_hooks=[ScoreHook()])
    ```
    """

    code = "GL202"
    symbol = "reentered-variable-scope"
    severity = "error"
    summary = "a hook fetch misses because its scope was re-entered and TensorFlow renamed it (x -> x_1)"

    def check(self, ctx):
        groups = {}  # the line that entered the scope again -> [(mode, rename, [(fetch, twin)])]
        for mode in ctx.built_modes():
            per_rename = {}
            snap = ctx.snapshots[mode]
            for fetch in snap.fetches:
                twins = [] if fetch.resolved else uniquified_twins(fetch.name, snap.renames, snap.ops)
                if twins:
                    rename, twin = twins[0]
                    per_rename.setdefault(rename, []).append((fetch, twin))
            for rename, pairs in per_rename.items():
                groups.setdefault(_cause(rename), []).append((mode, rename, pairs))
        # One line run once per class (`for c in range(n):`) and per mode is one cause: one finding.
        for entries in groups.values():
            yield self._finding(entries)

    def _finding(self, entries):
        modes = tuple(m for m in MODES if any(e[0] == m for e in entries))
        renames = list(dict.fromkeys(e[1] for e in entries))
        pairs = list(dict.fromkeys(p for e in entries for p in e[2]))
        rename = renames[0]
        fetch, twin = pairs[0]
        fetched = list(dict.fromkeys(f.name for f, _ in pairs))
        hooks = list(dict.fromkeys(f.hook for f, _ in pairs))
        scopes = list(dict.fromkeys(r.requested for r in renames))
        gots = list(dict.fromkeys(r.got for r in renames))
        count = f"{len(fetched)} names" if len(fetched) > 1 else "a name"
        were = agree(len(fetched), "it was", "they were")
        where = f" at {rename.site}" if rename.site else ""
        first = f" (first at {rename.first_site})" if rename.first_site else ""
        who = f"{', '.join(hooks)} {verb(fetch) if len(hooks) == 1 else _plural_verb(verb(fetch))}"
        related = []
        if rename.first_site:
            related.append(Related(rename.first_site, f"scope '{rename.requested}' first entered here"))
        if rename.site:
            related.append(Related(rename.site, f"entered again here: TensorFlow opened name scope '{rename.got}'"))
        if len(scopes) == 1:
            what = (f"{who} {count} under '{rename.requested}/' in {'/'.join(modes)} "
                    f"({', '.join(repr(n) for n in fetched)}), but {were} built under '{rename.got}/' (e.g. '{twin}'): "
                    f"the scope '{rename.requested}' was entered a second time{where}{first}, and the second entry "
                    f"opened the name scope '{rename.got}'")
            fix = f"build both parts under one entry of '{rename.requested}', or re-enter it"
        else:
            what = (f"{who} {count} under {len(scopes)} scopes ({listing([s + '/' for s in scopes])}) in "
                    f"{'/'.join(modes)} ({listing(fetched)}), but they were built under "
                    f"{listing([g + '/' for g in gots])} (e.g. '{twin}'): one line entered each scope a second "
                    f"time{where}{first}, and each second entry opened a new name scope")
            fix = "build both parts under one entry of each scope, or re-enter each"
        return self.finding(
            modes, rename.requested + "/", what,
            fix=f"{fix} with the scope object: `with tf.compat.v1.variable_scope(scope, auxiliary_name_scope=False)` "
                "plus `tf.name_scope(scope.original_name_scope)`",
            location=rename.site or fetch.site, related=tuple(related), names=[s + "/" for s in scopes])


def _cause(rename):
    """The lines that entered the scope first and again; a rename with no known line stays alone."""
    if rename.site is None:
        return ("rename", rename)
    first = (rename.first_site.file, rename.first_site.line) if rename.first_site else None
    return ("line", rename.site.file, rename.site.line, first)


def _plural_verb(text) -> str:
    """'fetches' -> 'fetch', 'looks up' -> 'look up': the verb for several hooks."""
    head, _, rest = text.partition(" ")
    head = head[:-2] if head.endswith("hes") else head[:-1] if head.endswith("s") else head
    return " ".join(p for p in (head, rest) if p)
