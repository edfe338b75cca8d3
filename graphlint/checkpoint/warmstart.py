"""Did a warm start load anything? The map a model's warm start uses, checked against the values.

The map comes from the model itself (`--mapped-by model.py`: its TRAIN graph is built and every
variable init_from_checkpoint really assigns is recorded, with TensorFlow's own resolution of
scopes and partitions), or from the user (`--assignment-map`, the map of a WarmStartSettings).
Then each mapped variable's value in the first checkpoint is compared with its source: a loaded
variable is still close after a few steps; if none is, nothing was loaded.
The variables a warm start assigns are what graphlint/model/warmstart.py records on every build
(the rules GL305/GL310 read the same records).
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field

from graphlint.errors import UsageError


@dataclass
class WarmStartCheck:
    source: str  # where the map came from: the model file, or "--assignment-map"
    calls: int  # init_from_checkpoint calls seen (with --mapped-by)
    pairs: list = field(default_factory=list)  # [(source key, model key, Distance or a reason string)]

    @property
    def compared(self) -> list:
        return [p for p in self.pairs if not isinstance(p[2], str)]

    @property
    def identical(self) -> int:
        return sum(1 for p in self.compared if p[2].identical)

    @property
    def close(self) -> int:
        return sum(1 for p in self.compared if p[2].close)

    @property
    def loaded(self) -> bool:
        return self.close > 0

    def verdict(self) -> str:
        if self.source != "--assignment-map" and not self.calls:
            return "model_fn never calls init_from_checkpoint in TRAIN: the warm start maps nothing"
        if not self.pairs:
            return (f"init_from_checkpoint was called {self.calls} time(s) with an empty assignment_map: "
                    "nothing was loaded")
        n = len(self.compared)
        if not self.close:
            return (f"none of the {n} mapped variables is close to its source after the first checkpoint: "
                    "nothing was loaded")
        return (f"{self.close} of {n} mapped variables are close to their source "
                f"({self.identical} identical): the warm start loaded them")


def mapped_by(model_path: str, *, model_fn=None, input_fn=None, params=None) -> tuple:
    """(calls, sorted unique [(source key, model key)]) from building the model's TRAIN graph."""
    from graphlint.model import tfcompat
    from graphlint.model.build import build_mode
    from graphlint.model.loader import loaded
    from graphlint.model.specs import estimator_params
    from graphlint.run.engine import mode_params

    with tfcompat.estimator_api() as est, contextlib.redirect_stdout(sys.stderr), \
            loaded(model_path, model_fn=model_fn, input_fn=input_fn) as model:
        snap, _ = build_mode(model, "train", estimator_params(model.model_fn, mode_params(
            model.params, params, None, "train")), est)
    if snap.failure is not None:
        site = f"{snap.failure.site}: " if snap.failure.site else ""
        raise UsageError(f"--mapped-by: {site}model_fn raised while building train: "
                         f"{snap.failure.exc_type}: {snap.failure.message}")
    # the build records every warm start as TensorFlow resolved it (model/warmstart.py)
    pairs = {(key, var) for ws in snap.warm_starts for var, key in ws.loaded}
    return len(snap.warm_starts), sorted(pairs)


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


def check(source_prefix: str, model_prefix: str, pairs, calls: int, source: str) -> WarmStartCheck:
    """Compare each mapped variable in the model's checkpoint with its source, one key at a time."""
    from graphlint.checkpoint import diff as diff_lib
    from graphlint.checkpoint import reader as ckpt_lib

    src, dst = ckpt_lib.read(source_prefix), ckpt_lib.read(model_prefix)
    values_src, values_dst = diff_lib._Values(src.prefix), diff_lib._Values(dst.prefix)
    result = WarmStartCheck(source, calls)
    for s, d in pairs:
        a, b = src.entries.get(s), dst.entries.get(d)
        if a is None or b is None:
            result.pairs.append((s, d, f"not in the {'source' if a is None else 'model'} checkpoint"))
        elif (a.shape, a.dtype) != (b.shape, b.dtype):
            result.pairs.append((s, d, f"{a.dtype}{list(a.shape)} in the source, {b.dtype}{list(b.shape)} in the model"))
        else:
            result.pairs.append((s, d, diff_lib.distance(values_src.get(s), values_dst.get(d))))
    return result


def to_json(ws: WarmStartCheck) -> dict:
    return {
        "source": ws.source, "init_from_checkpoint_calls": ws.calls, "mapped": len(ws.pairs),
        "compared": len(ws.compared), "identical": ws.identical, "close": ws.close, "loaded": ws.loaded,
        "verdict": ws.verdict(),
        "pairs": [{"source_key": s, "model_key": d, **({"skipped": v} if isinstance(v, str) else
                                                         {"identical": v.identical, "close": v.close,
                                                          "rel_l2": _num(v.rel_l2)})} for s, d, v in ws.pairs],
    }


def _num(x):
    return None if x is None else (x if x == x and abs(x) != float("inf") else str(x))
