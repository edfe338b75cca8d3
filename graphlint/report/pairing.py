"""The rename pairing as code to paste: an init_from_checkpoint assignment_map and a Saver var_list."""

from __future__ import annotations

from collections import Counter


def saver_map(renames) -> dict:
    """{checkpoint key: graph key} for every pair (analysis.pairing.Pair, a = graph key), optimizer
    slots included (what a Saver needs)."""
    return {p.b: p.a for p in renames}


def assignment_map(renames) -> dict:
    """{checkpoint key: variable name}, the form init_from_checkpoint takes: the model's variables
    only, since it rejects slots (w/Momentum), which exist in TRAIN only anyway."""
    return {p.b: p.a for p in renames if p.evidence != "slot"}


def code(renames, prefix: str) -> str:
    if not renames:
        return ""
    entries = "".join(f"    {c!r}: {g!r},\n" for c, g in sorted(assignment_map(renames).items()))
    pairs = "".join(f"    {c!r}: {g!r},\n" for c, g in sorted(saver_map(renames).items()))
    return (
        "# warm start (inside model_fn, before the variables are initialized):\n"
        f"tf.compat.v1.train.init_from_checkpoint({prefix!r}, {{\n{entries}}})\n"
        "# or restore through a Saver that reads the old keys into the new variables:\n"
        f"renames = {{\n{pairs}}}\n"
        "var_list = {v.op.name: v for v in tf.compat.v1.global_variables()}\n"
        "for old, new in renames.items():\n"
        "    if new in var_list:  # optimizer slots exist in TRAIN only\n"
        "        var_list[old] = var_list.pop(new)\n"
        "saver = tf.compat.v1.train.Saver(var_list)  # e.g. tf.compat.v1.train.Scaffold(saver=saver)\n"
    )


def unused_by_class(report) -> list:
    """[(class, count, example keys)] for the checkpoint keys no mode restores."""
    if report.checkpoint is None:
        return []
    entries = report.checkpoint.entries
    counts = Counter(entries[k].cls for k in report.unused)
    return [(cls, n, ", ".join(sorted(k for k in report.unused if entries[k].cls == cls)[:2]))
            for cls, n in sorted(counts.items())]
