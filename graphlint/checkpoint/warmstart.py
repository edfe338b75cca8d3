"""Did a warm start load anything? The map a model's warm start uses, checked against the values.

The map comes from the model itself (`--mapped-by model.py`: its TRAIN graph is built and every
variable init_from_checkpoint or WarmStartSettings really assigns is recorded, with TensorFlow's
own resolution of scopes and partitions), or from the user (`--assignment-map`, the map of a
WarmStartSettings). Then each mapped variable's value in the second checkpoint is compared with
its source and with what it would hold had it not been loaded: draws of its own initializer,
from the TRAIN graph built with --mapped-by. graphlint/checkpoint/initial.py states the rule:
loaded, not loaded, or unsure when neither is clearly closer. The variables a warm start assigns
are what graphlint/model/warmstart.py records on every build (the rules GL305/GL310 read the
same records).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphlint.checkpoint.initial import LOADED, NOT_LOADED, UNSURE
from graphlint.errors import UsageError


@dataclass
class WarmStartCheck:
    source: str  # where the map came from: the model file, or "--assignment-map"
    calls: int  # warm starts seen (with --mapped-by): init_from_checkpoint calls and WarmStartSettings
    pairs: list = field(default_factory=list)  # [(source key, model key, Evidence or a reason string)]

    @property
    def compared(self) -> list:
        return [p for p in self.pairs if not isinstance(p[2], str)]

    def count(self, verdict: str) -> int:
        return sum(1 for p in self.compared if p[2].verdict == verdict)

    @property
    def loaded(self) -> bool:
        return self.count(LOADED) > 0

    def verdict(self) -> str:
        if self.source != "--assignment-map" and not self.calls:
            return ("model_fn never warm-starts in TRAIN (no init_from_checkpoint, no WarmStartSettings): "
                    "nothing is mapped")
        if not self.pairs:
            return f"the {self.calls} warm start(s) map no variable: nothing was loaded"
        n = len(self.compared)
        loaded, not_loaded, unsure = (self.count(v) for v in (LOADED, NOT_LOADED, UNSURE))
        rest = ", ".join(f"{k} {v}" for k, v in ((not_loaded, NOT_LOADED), (unsure, UNSURE)) if k)
        if loaded:
            return (f"{loaded} of {n} mapped variables are clearly closer to their source than to their initializer"
                    f"{f' ({rest})' if rest else ''}: the warm start loaded them")
        if n and not_loaded == n:
            return (f"none of the {n} mapped variables is closer to its source than an unloaded one would be: "
                    "nothing was loaded")
        if not n:
            return "no mapped variable could be compared with its source"
        return (f"unsure: {rest} of {n} mapped variables; none is clearly closer to its source than to its "
                "initializer")


def mapped_by(model_path: str, *, model_fn=None, input_fn=None, params=None) -> tuple:
    """(warm starts, sorted unique [(source key, model key)], InitialValues) from building the
    model's TRAIN graph."""
    from graphlint.checkpoint.initial import InitialValues
    from graphlint.model import session as session_lib

    initial = InitialValues()
    with session_lib.opened(model_path, model_fn=model_fn, input_fn=input_fn, params=params) as session, \
            _keeping(initial):
        snap, initial.graph = session.build("train")
    if snap.failure is not None:
        site = f"{snap.failure.site}: " if snap.failure.site else ""
        raise UsageError(f"--mapped-by: {site}model_fn raised while building train: "
                         f"{snap.failure.exc_type}: {snap.failure.message}")
    # the build records every warm start as TensorFlow resolved it (model/warmstart.py)
    pairs = {(key, var) for ws in snap.warm_starts for var, key in ws.loaded}
    return len(snap.warm_starts), sorted(pairs), initial


def _keeping(initial):
    """While the model builds: keep each variable's initial value before a warm start replaces it
    (entered before the build's own recorder, which wraps it)."""
    from graphlint.tfpatch import checkpoint_utils

    return checkpoint_utils.wrapped(set_initializer=initial.recording)


def parse_assignment_map(value: str) -> dict:
    """`--assignment-map`: inline JSON {source key or 'scope/': model key or 'scope/'}, or @file."""
    from graphlint.model.loader import parse_params

    mapping = parse_params(value, "--assignment-map")
    if not all(isinstance(v, str) for v in mapping.values()):
        raise UsageError("--assignment-map: every value must be a variable name or scope (a string)")
    return mapping


def resolve_map(mapping: dict, source_keys) -> list:
    """[(source key, model key)] for a user map, resolved as init_from_checkpoint resolves names:
    an exact key, or 'scope/' -> 'other/' for every source key under scope/."""
    out = set()
    for src, dst in mapping.items():
        if not src.endswith("/"):
            out.add((src, dst))
            continue
        for key in source_keys:
            if key.startswith(src):
                out.add((key, dst + key[len(src):] if dst.endswith("/") or not dst else f"{dst}/{key[len(src):]}"))
    return sorted(out)


def check(source_prefix: str, model_prefix: str, pairs, calls: int, source: str, initial=None) -> WarmStartCheck:
    """Compare each mapped variable in the model's checkpoint with its source and its initializer
    (initial: InitialValues from mapped_by, None without a model), one key at a time."""
    from graphlint.checkpoint import diff as diff_lib
    from graphlint.checkpoint import initial as initial_lib
    from graphlint.checkpoint import reader as ckpt_lib

    src, dst = ckpt_lib.read(source_prefix), ckpt_lib.read(model_prefix)
    values_src, values_dst = diff_lib._Values(src.prefix), diff_lib._Values(dst.prefix)
    result = WarmStartCheck(source, calls)
    try:
        for s, d in pairs:
            a, b = src.entries.get(s), dst.entries.get(d)
            if a is None or b is None:
                result.pairs.append((s, d, f"not in the {'source' if a is None else 'model'} checkpoint"))
            elif (a.shape, a.dtype) != (b.shape, b.dtype):
                result.pairs.append((s, d, f"{a.dtype}{list(a.shape)} in the source, "
                                           f"{b.dtype}{list(b.shape)} in the model"))
            else:
                result.pairs.append((s, d, initial_lib.evidence(initial, d, values_src.get(s), values_dst.get(d))))
    finally:
        if initial is not None:
            initial.close()
    return result


def to_json(ws: WarmStartCheck) -> dict:
    return {
        "source": ws.source, "warm_starts": ws.calls, "mapped": len(ws.pairs), "compared": len(ws.compared),
        **{v.replace(" ", "_"): ws.count(v) for v in (LOADED, NOT_LOADED, UNSURE)}, "verdict": ws.verdict(),
        "pairs": [{"source_key": s, "model_key": d, **({"skipped": v} if isinstance(v, str) else _evidence(v))}
                  for s, d, v in ws.pairs],
    }


def _evidence(e) -> dict:
    low, high = e.without_loading or (None, None)
    return {"verdict": e.verdict, "distance_to_source": _num(e.to_source), "initializer": e.initializer,
            "distance_without_loading": None if low is None else {"min": _num(low), "max": _num(high)}}


def _num(x):
    return None if x is None else (x if x == x and abs(x) != float("inf") else str(x))
