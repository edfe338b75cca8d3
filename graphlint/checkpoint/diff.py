"""Compare two checkpoints: keys only in one, renames, shape/dtype changes, and value distances.

Keys and signatures come from reader.read (the index only). Values are read one key at a time
with TensorFlow's own reader (tf.train.load_checkpoint), so memory holds at most one variable of
each side, whatever the checkpoints' size; partitioned variables come back whole and sharded
checkpoints are the reader's business. Nothing is ever written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from graphlint.analysis import pairing
from graphlint.checkpoint import reader as ckpt_lib
from graphlint.errors import UsageError

# TF's narrow floats reach numpy as ml_dtypes types, whose numpy kind is not "f".
_NARROW_FLOATS = frozenset({"bfloat16", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
                            "float8_e4m3b11fnuz"})


@dataclass(frozen=True)
class Distance:
    identical: bool
    max_abs: Optional[float] = None  # None for strings and other non-numeric dtypes
    rel_l2: Optional[float] = None  # ||a-b|| / ||a||; inf when a is all zeros and b is not
    cosine: Optional[float] = None  # None when either side is all zeros


@dataclass(frozen=True)
class Row:
    """One key compared: in both (a == b), or a rename pair (a != b)."""

    a: str
    b: str
    cls: str
    shape: tuple
    dtype: str
    distance: Distance
    evidence: Optional[str] = None  # for renames: why the pairing says A's key is B's
    slot: bool = False  # a rename that follows its variable's (w/Adam): a Saver restores it, init_from_checkpoint not


@dataclass(frozen=True)
class Change:
    """A key in both whose shape or dtype differs: its values are not comparable."""

    key: str
    cls: str
    a: tuple  # (shape, dtype)
    b: tuple


@dataclass
class CkptDiff:
    a: str  # checkpoint prefixes
    b: str
    only_a: list = field(default_factory=list)  # [CkptEntry]
    only_b: list = field(default_factory=list)
    renamed: list = field(default_factory=list)  # [Row], a != b
    unsure: list = field(default_factory=list)  # [pairing.Unsure]: keys of A the evidence cannot place
    changed: list = field(default_factory=list)  # [Change]
    common: list = field(default_factory=list)  # [Row], most changed first
    hidden: dict = field(default_factory=dict)  # class -> number of keys left out by --ignore-class
    warm_start: object = None  # WarmStartCheck, with --mapped-by / --assignment-map


def parse_strip_prefix(value: Optional[str]) -> tuple:
    """`A=B`: strip A from the first checkpoint's keys and B from the second's (either may be empty)."""
    if not value:
        return "", ""
    if "=" not in value:
        raise UsageError(f"--strip-prefix: expected A=B (the prefix to strip from each checkpoint), got {value!r}")
    a, _, b = value.partition("=")
    return a, b


def compile_filter(regex: Optional[str]):
    if not regex:
        return None
    try:
        return re.compile(regex)
    except re.error as exc:
        raise UsageError(f"invalid filter regex {regex!r}: {exc}") from None


def diff(path_a: str, path_b: str, *, filter_regex=None, ignore_classes=(), strip_prefix=None) -> CkptDiff:
    """Compare the checkpoints at path_a and path_b (model directories, prefixes or files)."""
    bad = sorted(set(ignore_classes) - set(ckpt_lib.CLASSES))
    if bad:
        raise UsageError(f"--ignore-class: unknown class {bad[0]!r} (choose from {', '.join(ckpt_lib.CLASSES)})")
    pattern = compile_filter(filter_regex)
    strip_a, strip_b = parse_strip_prefix(strip_prefix)
    ca, cb = ckpt_lib.read(path_a), ckpt_lib.read(path_b)
    result = CkptDiff(ca.prefix, cb.prefix)
    ea = _selected(ca, strip_a, pattern, ignore_classes, result.hidden)
    eb = _selected(cb, strip_b, pattern, ignore_classes, result.hidden)
    ra, rb = _Values(ca.prefix), _Values(cb.prefix)
    sa, sb = pairing.Sketches(), pairing.Sketches()
    common, changed = {}, {}
    for name in sorted(ea.keys() & eb.keys()):
        x, y = ea[name], eb[name]
        if (x.shape, x.dtype) != (y.shape, y.dtype):
            changed[name] = Change(name, x.cls, (x.shape, x.dtype), (y.shape, y.dtype))
            continue
        va, vb = ra.get(x.key), rb.get(y.key)
        sa.add(name, va)
        sb.add(name, vb)
        common[name] = Row(x.key, y.key, x.cls, x.shape, x.dtype, distance(va, vb))
    for names, entries, values, sketches in ((ea.keys() - eb.keys(), ea, ra, sa), (eb.keys() - ea.keys(), eb, rb, sb)):
        for name in sorted(names):
            sketches.add(name, values.get(entries[name].key))
    found = pairing.pair({n: (e.shape, e.dtype) for n, e in ea.items() if n not in common},
                         {n: (e.shape, e.dtype) for n, e in eb.items() if n not in common},
                         common={n: (r.shape, r.dtype) for n, r in common.items()}, values_a=sa, values_b=sb)
    _place(result, found, ea, eb, common, changed, ra, rb)
    result.common.sort(key=_most_changed_first)
    return result


def _place(result, found, ea, eb, common, changed, ra, rb) -> None:
    """Fill the diff's lists: each pair a renamed row; a name whose A or B side moved elsewhere
    leaves 'in both' / 'changed', and its other side is then only in A or only in B."""
    moved_a = {p.a for p in found.pairs}
    moved_b = {p.b for p in found.pairs}
    for p in found.pairs:
        x, y = ea[p.a], eb[p.b]
        result.renamed.append(Row(x.key, y.key, x.cls, x.shape, x.dtype, distance(ra.get(x.key), rb.get(y.key)),
                                  p.detail, p.evidence == "slot"))
    result.unsure = list(found.unsure)
    for name in sorted(ea.keys() | eb.keys()):
        in_a = name in ea and name not in moved_a
        in_b = name in eb and name not in moved_b
        if in_a and in_b:
            (result.common.append(common[name]) if name in common else result.changed.append(changed[name]))
        elif in_a:
            result.only_a.append(ea[name])
        elif in_b:
            result.only_b.append(eb[name])
    result.renamed.sort(key=lambda r: (r.a, r.b))


def _selected(ckpt, strip, pattern, ignore_classes, hidden) -> dict:
    """{compared name -> CkptEntry}: the keys kept by --filter and --ignore-class, prefix stripped."""
    out = {}
    for key, entry in ckpt.entries.items():
        if entry.cls == "object-graph" and key == ckpt_lib.OBJECT_GRAPH_KEY:
            continue  # a serialized proto, not a value: its bytes change with every save
        if pattern is not None and not pattern.search(key):
            continue
        if entry.cls in ignore_classes:
            hidden[entry.cls] = hidden.get(entry.cls, 0) + 1
            continue
        out[key[len(strip):] if strip and key.startswith(strip) else key] = entry
    return out


def _most_changed_first(row: Row):
    d = row.distance
    rel = d.rel_l2 if d.rel_l2 is not None else (0.0 if d.identical else float("inf"))
    return (d.identical, -rel, -(d.max_abs or 0.0), row.a)


class _Values:
    """One checkpoint's values, read one key at a time by TensorFlow's reader."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.reader = ckpt_lib.open_reader(prefix)

    def get(self, key: str):
        from graphlint.model.tfcompat import tf

        try:
            return self.reader.get_tensor(key)
        except tf().errors.OpError as exc:
            raise UsageError(f"cannot read {key} from {self.prefix}: {ckpt_lib.error_line(exc)}") from None


def distance(a, b) -> Distance:
    """Max |a-b|, ||a-b||/||a||, cosine similarity, and whether a and b are identical."""
    import numpy as np

    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "iub":  # integers: differences must not wrap around
        a, b = a.astype(np.float64), b.astype(np.float64)
    elif a.dtype.kind == "f" and a.dtype.itemsize < 4 or a.dtype.name in _NARROW_FLOATS:
        a, b = a.astype(np.float32), b.astype(np.float32)  # float16, bfloat16 (ml_dtypes), float8
    elif a.dtype.kind not in "fc":
        return Distance(bool(np.array_equal(a, b)))
    if np.array_equal(a, b):
        return Distance(True, 0.0, 0.0, 1.0 if np.any(a) else None)
    x, y = a.ravel(), b.ravel()
    d = x - y
    max_abs = float(np.max(np.abs(d)))
    # vdot conjugates its first argument, so these are the true (real) squared norms for complex too.
    na, nb, nd = (float(np.sqrt(abs(np.vdot(v, v)))) for v in (x, y, d))
    rel = nd / na if na else float("inf")
    cosine = float(np.real(np.vdot(x, y))) / (na * nb) if na and nb else None
    return Distance(False, max_abs, rel, None if cosine is None else max(-1.0, min(1.0, cosine)))
