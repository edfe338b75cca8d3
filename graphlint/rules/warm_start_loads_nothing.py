"""GL310 warm-start-loads-nothing: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.analysis import pairing
from graphlint.model.sites import display_path
from graphlint.rules import Rule

_SHOWN = 8  # map entries printed in a fix before "..."


class WarmStartLoadsNothing(Rule):
    """A warm start whose map, as TensorFlow resolves it, loads none or few of the model's variables.

    ## What it does
    Records every `tf.compat.v1.train.init_from_checkpoint` call while TRAIN is built and the
    variables TensorFlow really sets a checkpoint initializer for. It reports a warm start that
    loads no trainable variable, or fewer than the checkpoint holds under other names (a rename
    pairing finds them: `bert_model/...` for `bert/...`, one scope substitution the keys agree on), and prints the map
    that would load them. A partitioned variable counts once, under its whole name. For an
    Estimator's `warm_start_from` (under `graphlint run`, `graphlint.lint(estimator=...)`, or
    `--warm-start PATH` for `warm_start_from=PATH`) it evaluates the WarmStartSettings with
    TensorFlow's own selection: a `vars_to_warm_start` (regex, or list of regexes or names) that
    selects no variable warm-starts nothing without a word; a selected variable whose key
    (`var_name_to_prev_var_name` or its own name) the checkpoint lacks, or a
    `var_name_to_prev_var_name` / `var_name_to_vocab_info` name the selection leaves out, makes
    TensorFlow raise before the first step.

    ## Why is this bad
    A map built from the names the graph and the checkpoint share (BERT's
    `get_assignment_map_from_checkpoint` does this) is empty when the checkpoint's scope is
    named differently. TensorFlow accepts an empty map without a word, and the model trains
    from random weights: fine-tuning quietly becomes training from scratch.

    ## Example
    The map is the intersection of the graph's and the checkpoint's names; the checkpoint
    (`old_checkpoint()`) calls the scope `enc`:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, old_checkpoint, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder"):
            logits = linear(features, params["units"])
        in_checkpoint = {name for name, _ in tf.train.list_variables(old_checkpoint())}
        assignment_map = {v.op.name: v.op.name for v in tf.compat.v1.trainable_variables()
                          if v.op.name in in_checkpoint}
        tf.compat.v1.train.init_from_checkpoint(old_checkpoint(), assignment_map)   # {}: loads nothing
        return spec(mode, logits, labels)
    ```

    ## Fix
    Map the checkpoint's scope onto the model's (the finding prints the map):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, old_checkpoint, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder"):
            logits = linear(features, params["units"])
        tf.compat.v1.train.init_from_checkpoint(old_checkpoint(), {"enc/": "encoder/"})
        return spec(mode, logits, labels)
    ```
    """

    code = "GL310"
    symbol = "warm-start-loads-nothing"
    severity = "error"  # the run trains from scratch while its author believes it fine-tunes
    summary = ("a warm start (init_from_checkpoint, WarmStartSettings, --warm-start) that loads none or few of the "
               "trainable variables")

    def check(self, ctx):
        failed = _failed_settings(self, ctx.snapshots.get("train"))
        if failed is not None:
            yield failed
        train = ctx.built("train")
        if train is None:
            return
        variables = _whole_variables(train.variables)
        trainable = {n: sig for n, (sig, is_trainable) in variables.items() if is_trainable}
        if not trainable:
            return
        for ws in train.warm_starts:
            found = _settings(self, ws, trainable) if ws.from_settings else _call(self, ws, trainable)
            if found is not None:
                yield found


def _failed_settings(rule, snap):
    """TRAIN failed in WarmStartSettings' own checks: names in var_name_to_prev_var_name or
    var_name_to_vocab_info that its vars_to_warm_start does not select (TF raises after the
    selection), or a selection TF cannot read."""
    if snap is None or snap.failure is None or snap.failure.kind != "warm-start-settings":
        return None
    ws = snap.warm_starts[-1] if snap.warm_starts and snap.warm_starts[-1].from_settings else None
    failure = snap.failure
    if ws is not None and ws.unused:
        problem = (f"var_name_to_prev_var_name / var_name_to_vocab_info name {_names(ws.unused)}, which "
                   f"vars_to_warm_start={ws.selection} does not select ({len(ws.selected)} variables selected)")
    else:
        problem = f"{failure.exc_type}: {failure.message}"
    return rule.finding(
        ("train",), "warm_start_from",
        f"WarmStartSettings('{_shown(ws.ckpt) if ws else '?'}'): {problem}: TensorFlow raises before the first step",
        fix="name in those maps only variables vars_to_warm_start selects (their full names, not partitions')",
        location=failure.site or (ws.site if ws else None))


def _names(names) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def _whole_variables(variables) -> dict:
    """{name: ((shape, dtype), trainable)} with a partitioned variable as one, under the name and
    full shape that its checkpoint key and every warm start use (not its partitions')."""
    out = {}
    for name, v in variables.items():
        if v.whole is not None:
            name, shape = v.whole
        else:
            shape = v.shape
        if shape is not None:
            out[name] = ((tuple(shape), v.dtype), v.trainable)
    return out


def _call(rule, ws, trainable):
    """An init_from_checkpoint call: loads nothing, or less than a rename pairing would."""
    loaded = {v for v, _ in ws.loaded if v in trainable}
    used = {k for _, k in ws.loaded}
    pairs = _pairs({n: s for n, s in trainable.items() if n not in loaded},
                   {k: s for k, s in ws.source.items() if k not in used})
    if loaded and len(pairs) <= len(loaded):
        return None
    counted = f"loads {len(loaded)} of the {len(trainable)} trainable variables"
    gap = (f"; the checkpoint has {len(pairs)} of the rest under other names (e.g. '{pairs[0][1]}' for "
           f"'{pairs[0][0]}')" if pairs else "")
    return rule.finding(
        ("train",), "init_from_checkpoint",
        f"init_from_checkpoint('{_shown(ws.ckpt)}', a map of {ws.map_size} entries) {counted}{gap}: TensorFlow accepts "
        f"the map without a word, and what it does not load trains from its initializers",
        fix=(f"load them with this assignment_map: {_map_text(pairs, ws.store or trainable)}" if pairs else
             "map the checkpoint's names onto the model's (graphlint ckpt PATH lists them)"),
        location=ws.site)


def _settings(rule, ws, trainable):
    """WarmStartSettings: what its vars_to_warm_start selects (TF's own selection, recorded while
    TRAIN was built) against the checkpoint's keys for them."""
    shown = _shown(ws.ckpt)
    if not ws.selected:
        return rule.finding(
            ("train",), "warm_start_from",
            f"WarmStartSettings('{shown}', vars_to_warm_start={ws.selection}) selects none of the "
            f"{len(trainable)} trainable variables: TensorFlow warm-starts nothing without a word, and the run "
            f"trains from its initializers",
            fix=("vars_to_warm_start=None warm-starts only the variables var_name_to_vocab_info names: "
                 "pass a regex (the default '.*' selects every trainable variable)" if ws.selection == "None" else
                 f"select the model's names (e.g. {_example_scope(trainable)!r}); vars_to_warm_start is a regex "
                 f"matched from the start of each trainable variable's name, or a list of them for global variables"),
            location=ws.site)
    sigs = {n: (shape, trainable.get(n, (None, None))[1]) for n, _, shape in ws.selected}
    keys = {n: key for n, key, _ in ws.selected}
    missing = sorted(n for n, sig in sigs.items() if ws.source.get(keys[n], (None,))[0] != sig[0])
    if not missing:
        return None
    pairs = _pairs({n: sigs[n] for n in missing}, {k: s for k, s in ws.source.items() if k not in trainable})
    prev = {m: u for m, u, _ in pairs}
    return rule.finding(
        ("train",), "warm_start_from",
        f"WarmStartSettings('{shown}', vars_to_warm_start={ws.selection}) warm-starts {len(sigs)} variables, but "
        f"the checkpoint has {len(sigs) - len(missing)} of them ('{keys[missing[0]]}' for '{missing[0]}' is "
        f"missing{', with a twin under another name' if pairs else ''}): TensorFlow raises before the first step",
        fix=(f"WarmStartSettings('{shown}', var_name_to_prev_var_name={_dict_text(prev, whole=True)})" if pairs else
             "warm-start only what the checkpoint has: WarmStartSettings(PATH, vars_to_warm_start=REGEX)"),
        severity="error", location=ws.site)


def _example_scope(trainable) -> str:
    first = min(trainable)
    return f"^{first.split('/')[0]}/" if "/" in first else f"^{first}$"


def _pairs(variables: dict, keys: dict) -> list:
    """[(variable, checkpoint key, evidence)]: the exact pairs only (analysis/pairing.py); a
    variable the names and shapes cannot place gets no map entry."""
    return [(p.a, p.b, p.detail) for p in pairing.pair(variables, keys).pairs]


def _shown(path: str) -> str:
    """A local path as the user would type it from here; URLs (gs://...) as given."""
    return path if "://" in path else display_path(path)


def _map_text(pairs, existing) -> str:
    """The assignment_map that loads the paired variables, whole (it is pasted): a scope entry for
    each prefix swap whose pairs cover every variable under its scope that exists at the call
    (`existing`: TF raises for a scope entry over a variable the checkpoint lacks), one entry per
    variable for the rest."""
    by_swap = {}
    for m, u, _ in pairs:
        by_swap.setdefault(_prefix_swap(m, u), []).append((m, u))
    out = {}
    for swap, members in by_swap.items():
        if swap is not None and {n for n in existing if n.startswith(swap[1])} == {m for m, _ in members}:
            out[swap[0]] = swap[1]
        else:
            out.update({u: m for m, u in members})
    return _dict_text(out, whole=True)


def _prefix_swap(new: str, old: str):
    """('old_scope/', 'new_scope/') when the names differ only in their leading scopes."""
    a, b = new.split("/"), old.split("/")
    tail = 0
    while tail < min(len(a), len(b)) - 1 and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    if not tail or a[:-tail] == b[:-tail]:
        return None
    return "/".join(b[:-tail]) + "/", "/".join(a[:-tail]) + "/"


def _dict_text(mapping: dict, whole: bool = False) -> str:
    """A dict literal; `whole`: every entry (a map to paste), else the first few and a count."""
    items = sorted(mapping.items())
    shown = ", ".join(f"{k!r}: {v!r}" for k, v in (items if whole else items[:_SHOWN]))
    return "{" + shown + (f", ... ({len(items) - _SHOWN} more)" if len(items) > _SHOWN and not whole else "") + "}"
