"""Coverage: the mapping's issues as GL6xx findings, each naming the layer it is about.

Every NEW weight must be mapped exactly once (or be bookkeeping such as num_batches_tracked), with
shape and dtype equal after the transform; every OLD key must be used or classified (optimizer
slots, global_step, metrics, EMA shadows).
"""

from __future__ import annotations

from graphlint.migrate import layouts
from graphlint.migrate.layers import show_shape
from graphlint.rules import RULES, all_rules

MAPPING_FIX = ("or name its source yourself: --write-mapping PATH, edit the entry, pass it back with --mapping PATH")


def findings(mapping, old_side, new_side, use_ema) -> list:
    all_rules()
    out, mismatched = [], {}
    for issue in mapping.issues:
        if issue.kind in ("mismatch", "dtype") or issue.kind == "no-source" and issue.detail["why"] == "role":
            # one finding per layer pair: one cause, however many of its weights
            mismatched.setdefault((issue.kind, issue.detail["layer"].name), []).append(issue)
        else:
            out.append(_FINDERS[issue.kind](issue, mapping, old_side))
    grouped = {"mismatch": _mismatch, "dtype": _dtype, "no-source": _parts_without_source}
    out += [grouped[kind](issues, old_side) for (kind, _), issues in mismatched.items()]
    if old_side.shadows and use_ema is None:
        shadows = sorted(old_side.shadows.values())
        out.append(RULES["GL606"].make(
            shadows[0], f"OLD has {len(shadows)} ExponentialMovingAverage shadows ({', '.join(shadows[:3])}"
            f"{', ...' if len(shadows) > 3 else ''}) and the conversion takes the raw variables",
            "pass --use-ema if the old evaluation restored the shadows (ExponentialMovingAverage.variables_to_restore()), "
            "--no-use-ema if it used the raw variables", names=shadows))
    return sorted(out, key=lambda f: f.sort_key())


def _no_source(issue, mapping, old_side):
    d = issue.detail
    layer = d["layer"]
    if d["why"] == "layer":
        message = (f"NEW layer {layer.title()} ({layer.kind}: {layer.signature()}) has no counterpart in OLD: no OLD "
                   f"layer of kind {layer.kind} with shape {show_shape(layer.main_shape)} is left to give it values "
                   f"(in TF1's layout)")
        fix = f"a layer the old model did not have? remove it from the new model, {MAPPING_FIX}"
        return RULES["GL601"].make(layer.name, message, fix, names=[layer.name] + [w.key for w in layer.weights.values()])
    w = d["weight"]
    return RULES["GL601"].make(w.key, f"NEW {w.key} (layer {layer.title()}) has no entry in the mapping file",
                               "add its entry to the mapping file (--write-mapping writes one to start from)")


def _parts_without_source(issues, old_side):
    """Weights of a NEW layer whose paired OLD layer lacks their part (batch-norm statistics, ...)."""
    layer, old = issues[0].detail["layer"], issues[0].detail["old_layer"]
    keys = [i.detail["weight"].key for i in issues]
    roles = {i.detail["role"] for i in issues}
    have = ", ".join(w.key.rsplit("/", 1)[-1] for w in old.weights.values())
    if roles <= set(layouts.STATISTICS):
        message = (f"NEW {', '.join(keys)} (the batch-norm statistics of layer {layer.title()}) have no source: OLD "
                   f"layer {old.name} has {have} and no moving statistics (the old model normalized with each "
                   f"batch's own statistics, or did not save them); the new model would normalize with its initial "
                   f"statistics")
        fix = ("compute the statistics over training data with the converted weights, or normalize with batch "
               "statistics as the old model did")
    else:
        message = (f"NEW {', '.join(keys)} (layer {layer.title()}) have no source: OLD layer {old.name} has only "
                   f"{have}")
        fix = f"give the old side's part a source, {MAPPING_FIX}"
    return RULES["GL601"].make(layer.name, message, fix, names=[layer.name] + keys)


def _unused(issue, mapping, old_side):
    d = issue.detail
    layer = d["layer"]
    if d["why"] == "file":
        w = d["weight"]
        return RULES["GL602"].make(w.key, f"OLD {w.key} {show_shape(w.shape)} (layer {layer.title()}) is used by no "
                                          "entry of the mapping file: its trained values would be lost",
                                   "map it in the mapping file, or port the layer it belongs to")
    if d["why"] == "role":
        w = d["weight"]
        return RULES["GL602"].make(w.key, f"OLD {w.key} {show_shape(w.shape)} (layer {layer.title()}) is used by no "
                                          f"weight of NEW layer {d['new_layer'].name}",
                                   f"give the new layer that part, {MAPPING_FIX}")
    where = _neighbours(layer, mapping, old_side)
    message = (f"OLD layer {layer.title()} ({layer.kind}: {layer.signature()}) is used by no NEW weight{where}: "
               f"its trained values would be lost")
    return RULES["GL602"].make(layer.name, message, f"a layer missing in the new model? port it, {MAPPING_FIX}",
                               names=[layer.name] + [w.key for w in layer.weights.values()])


def _neighbours(layer, mapping, old_side) -> str:
    """Where the layer sat in OLD's order, by the NEW layers its neighbours became."""
    index = {id(o): i for i, o in enumerate(old_side.layers)}
    mine = index[id(layer)]
    paired = sorted((index[id(o)], n.name) for o, n, _ in mapping.pairs if id(o) in index)
    before = [name for i, name in paired if i < mine]
    after = [name for i, name in paired if i > mine]
    parts = ([f"after NEW {before[-1]}"] if before else []) + ([f"before NEW {after[0]}"] if after else [])
    return f" (it would sit {' and '.join(parts)}, by OLD's {old_side.order} order)" if parts else ""


def _mismatch(issues, old_side):
    layer = issues[0].detail["layer"]
    parts = []
    for issue in issues:
        d = issue.detail
        w, old, t = d["weight"], d["old"], d["transform"]
        hint = _shape_hint(w, old, t, old_side)
        parts.append(f"NEW {w.key} {show_shape(w.shape)} cannot take OLD {old.key} {show_shape(old.shape)}: "
                     f"{layouts.describe(t)} makes it {show_shape(d['shape'])}" + (f" ({hint})" if hint else ""))
    message = f"layer {layer.title()}: " + "; ".join(parts)
    return RULES["GL603"].make(layer.name, message, "fix the new layer's shape, or the transform in the mapping file "
                                                    "(--write-mapping, edit, --mapping)",
                               names=[layer.name] + [i.detail["weight"].key for i in issues])


def _shape_hint(w, old, t, old_side) -> str:
    parts = old_side.partitions.get(old.key, [])
    if len(parts) > 1 and any(tuple(p) in (w.shape, w.shape[::-1]) for p in parts):
        return (f"OLD {old.key} was saved from {len(parts)} partitioned variables ({', '.join(show_shape(p) for p in parts)}"
                f") and NEW holds one partition: the new weight must hold the whole {show_shape(old.shape)} (the "
                f"checkpoint reader returns the partitions concatenated)")
    if len(old.shape) == 2 and tuple(old.shape[::-1]) == w.shape and t["op"] == "identity":
        return ("it fits OLD transposed: the new layer stores this weight [out, in], not as its kind does; if it "
                "computes x @ W.T, its transform is a transpose")
    if len(old.shape) == 2 and tuple(old.shape) == w.shape and t["op"] == "permute":
        return ("it fits OLD untransposed: the new layer stores this weight [in, out] (it computes x @ W?), not "
                "[out, in] as a torch Linear does; if so, its transform is identity")
    return ""


def _ambiguous(issue, mapping, old_side):
    d = issue.detail
    if "new_candidates" in d:
        old, names = d["old_layer"], [n.title() for n in d["new_candidates"]]
        message = (f"OLD layer {old.name} ({old.kind}: {old.signature()}) could go to any of NEW {', '.join(names)} "
                   f"(same kind and shape; neither their order nor their names decide); mapped to none")
        return RULES["GL604"].make(old.name, message, f"port the model as the old one was, {MAPPING_FIX}",
                                   names=[old.name] + [n.name for n in d["new_candidates"]])
    layer = d["layer"]
    if "kinds" in d:
        message = (f"NEW layer {layer.title()} ({layer.signature()}) could be a {' or a '.join(d['kinds'])} for OLD "
                   f"{d['candidates'][0].name}, and their transforms differ: its file does not tell; mapped to none")
    else:
        names = [o.name for o in d["candidates"]]
        message = (f"NEW layer {layer.title()} ({layer.kind}: {layer.signature()}) could come from any of OLD "
                   f"{', '.join(names)} (same kind and shape; neither their order nor their names decide); "
                   f"mapped to none")
    return RULES["GL604"].make(layer.name, message, f"port the model completely so the order decides, {MAPPING_FIX}")


def _dtype(issues, old_side):
    layer = issues[0].detail["layer"]
    parts = [f"NEW {i.detail['weight'].key} is {i.detail['weight'].dtype}, its source OLD {i.detail['old'].key} is "
             f"{i.detail['old'].dtype}" for i in issues]
    return RULES["GL605"].make(layer.name, f"layer {layer.title()}: " + "; ".join(parts),
                               "migrate in the old dtype, check parity, then cast",
                               names=[layer.name] + [i.detail["weight"].key for i in issues])


def _not_converted(issue, mapping, old_side):
    from graphlint.migrate import gru

    d = issue.detail
    layer, old = d["layer"], d["old_layer"]
    message, fix = gru.not_converted(old, layer, d["framework"])
    return RULES["GL608"].make(layer.name, message, fix, names=[layer.name, old.name]
                               + [w.key for w in layer.weights.values()] + [w.key for w in old.weights.values()])


_FINDERS = {"no-source": _no_source, "unused": _unused, "ambiguous": _ambiguous, "not-converted": _not_converted}
