"""`graphlint ckpt diff` output: text tables or a versioned JSON document (deterministic)."""

from __future__ import annotations

import json
import math

from tabulate import tabulate

from graphlint import __version__
from graphlint.checkpoint import warmstart

SCHEMA_VERSION = 1


def render_text(d, top=None) -> str:
    out = [f"A: {d.a}", f"B: {d.b}", ""]
    if d.warm_start is not None:
        out += _warm_start_text(d.warm_start)
    out += _keys_text("only in A", d.only_a) + _keys_text("only in B", d.only_b)
    if d.renamed:
        rows = [(r.a, r.b, _sig(r.shape, r.dtype), r.evidence, _state(r.distance)) for r in d.renamed]
        out += [f"renamed ({len(d.renamed)}): A key -> B key", _table(
            rows, ("A key", "B key", "signature", "evidence", "values")), "",
            "assignment_map (init_from_checkpoint(A, assignment_map) loads A into B's names; optimizer slots "
            "and EMA shadows follow their variable in a Saver, init_from_checkpoint does not take them):",
            _assignment_map(d.renamed), ""]
    if d.unsure:
        rows = [(u.a, ", ".join(u.candidates), u.reason) for u in d.unsure]
        out += [f"unsure ({len(d.unsure)}): A keys that may be renamed, with no map line (nothing tells which B key "
                "they are)", _table(rows, ("A key", "could be", "why unsure")), ""]
    if d.changed:
        rows = [(c.key, c.cls, _sig(*c.a), _sig(*c.b)) for c in d.changed]
        out += [f"shape or dtype changed ({len(d.changed)}):", _table(rows, ("key", "class", "A", "B")), ""]
    shown = d.common if top is None else d.common[:top]
    if shown:
        more = f", the {len(shown)} most changed shown" if len(shown) < len(d.common) else ", most changed first"
        rows = [(r.a, r.cls, _sig(r.shape, r.dtype), *_numbers(r.distance)) for r in shown]
        out += [f"in both ({len(d.common)}{more}):",
                _table(rows, ("key", "class", "signature", "max |a-b|", "||a-b||/||a||", "cosine", "identical")), ""]
    out.append(_summary(d))
    return "\n".join(out) + "\n"


def render_json(d, top=None) -> str:
    common = d.common if top is None else d.common[:top]
    doc = {
        "schema_version": SCHEMA_VERSION, "graphlint_version": __version__, "a": d.a, "b": d.b,
        "only_a": [_entry(e) for e in d.only_a], "only_b": [_entry(e) for e in d.only_b],
        "renamed": [dict(_row(r), evidence=r.evidence, slot=r.slot) for r in d.renamed],
        "unsure": [{"a": u.a, "candidates": list(u.candidates), "reason": u.reason} for u in d.unsure],
        "assignment_map": {r.a: r.b for r in d.renamed if not r.slot},
        "changed": [{"key": c.key, "class": c.cls, "a": _sig_dict(*c.a), "b": _sig_dict(*c.b)} for c in d.changed],
        "common": [_row(r) for r in common],
        "hidden": dict(sorted(d.hidden.items())),
        "totals": _totals(d),
        "warm_start": warmstart.to_json(d.warm_start) if d.warm_start is not None else None,
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _warm_start_text(ws) -> list:
    out = [f"warm start ({ws.source}): {ws.verdict()}"]
    if ws.pairs:
        rows = [(s, d, v, "", "", "") if isinstance(v, str) else (s, d, v.verdict, _fmt(v.to_source), _without(v),
                                                                 _reference(v.initializer)) for s, d, v in ws.pairs]
        out.append(_table(rows, ("source key (A)", "model key (B)", "in B", "||B-A||", "unloaded reference",
                                 "reference is")))
    return out + [""]


def _reference(initializer: str) -> str:
    if initializer == "deterministic":
        return "||B-init||, init deterministic"
    if initializer.startswith("random"):
        return f"||A-init|| over {initializer.split('(')[1].rstrip(')')} of a random init"
    return initializer


def _without(evidence) -> str:
    """What ||B-A|| would be had B not been loaded: ||B-c|| for a deterministic initializer c
    (B's distance from its own start), the range of ||A-r|| over draws r of a random one."""
    if evidence.without_loading is None:
        return "-"
    low, high = evidence.without_loading
    return _fmt(low) if low == high else f"{_fmt(low)}..{_fmt(high)}"


def _keys_text(title, entries) -> list:
    if not entries:
        return []
    rows = [(e.key, _sig(e.shape, e.dtype), e.cls) for e in entries]
    return [f"{title} ({len(entries)}):", _table(rows, ("key", "signature", "class")), ""]


def _assignment_map(rows) -> str:
    body = "".join(f"    {json.dumps(r.a)}: {json.dumps(r.b)},\n" for r in rows if not r.slot)
    return "assignment_map = {\n" + body + "}"


def _state(dist) -> str:
    if dist.identical:
        return "identical"
    if dist.rel_l2 is None:
        return "differ"
    return f"differ (||a-b||/||a|| = {_fmt(dist.rel_l2)})"  # how much is a question for the reader, not a threshold


def _numbers(dist) -> tuple:
    return (_fmt(dist.max_abs), _fmt(dist.rel_l2), _fmt(dist.cosine), "yes" if dist.identical else "no")


def _fmt(x) -> str:
    if x is None:
        return "-"
    if math.isinf(x) or math.isnan(x):
        return str(x)
    return f"{x:.4g}"


def _sig(shape, dtype) -> str:
    return f"{dtype}[{', '.join(str(n) for n in shape)}]"


def _sig_dict(shape, dtype) -> dict:
    return {"shape": list(shape), "dtype": dtype}


def _entry(e) -> dict:
    return {"key": e.key, "class": e.cls, **_sig_dict(e.shape, e.dtype)}


def _json_num(x):
    return x if x is None or math.isfinite(x) else str(x)  # JSON has no inf/nan


def _row(r) -> dict:
    dist = r.distance
    return {"a": r.a, "b": r.b, "class": r.cls, **_sig_dict(r.shape, r.dtype), "identical": dist.identical,
            "max_abs": _json_num(dist.max_abs), "rel_l2": _json_num(dist.rel_l2), "cosine": _json_num(dist.cosine)}


def _totals(d) -> dict:
    return {"only_a": len(d.only_a), "only_b": len(d.only_b), "renamed": len(d.renamed), "unsure": len(d.unsure),
            "changed": len(d.changed),
            "common": len(d.common), "identical": sum(1 for r in d.common if r.distance.identical)}


def _summary(d) -> str:
    t = _totals(d)
    hidden = ""
    if d.hidden:
        hidden = "; hidden by --ignore-class: " + ", ".join(f"{n} {c}" for c, n in sorted(d.hidden.items()))
    unsure = f" ({t['unsure']} unsure)" if t["unsure"] else ""
    return (f"{t['common']} in both ({t['identical']} identical, {t['common'] - t['identical']} differ), "
            f"{t['changed']} changed shape or dtype, {t['renamed']} renamed{unsure}, {t['only_a']} only in A, "
            f"{t['only_b']} only in B{hidden}")


def _table(rows, headers) -> str:
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)
