"""The serving graph's signatures against a SavedModel's, as plain structure: the signatures only
one side has, each tensor of a common signature that only one side has or that both have (old
against new dtype and shape), what the export drops or cannot build, and the restore keys against
the SavedModel's variables. It says what differs, never whether that is a finding: each GL5xx
rule reads a Comparison and decides (graphlint/rules/_serving.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

# How a new shape relates to the old one (shape_relation).
GENERALIZED, NARROWED, INCOMPATIBLE = "generalized", "narrowed", "incompatible"


@dataclass(frozen=True)
class TensorKey:
    """An input or output key of a signature, on one side only (or, in Comparison.kept, on both)."""

    signature: str
    io: str  # "inputs" | "outputs"
    key: str
    # gone: the one new key of its signature and io with the same dtype and shape, when no other
    # gone key has them (a likely rename); came: the gone key it is that twin of
    twin: str = ""

    @property
    def name(self) -> str:
        return f"{self.signature}/{self.io}/{self.key}"


@dataclass(frozen=True)
class TensorPair:
    """A key both sides' signature has: its old and new TensorSig, and how the shape changed."""

    at: TensorKey
    old: object  # signatures.TensorSig
    new: object
    shape_relation: str  # "" (the same shape), GENERALIZED, NARROWED or INCOMPATIBLE


@dataclass(frozen=True)
class Unbuilt:
    """A signature tensor (serving/build.py's missing) that the PREDICT graph does not have."""

    at: TensorKey
    tensor: str  # the graph tensor name the signature names


@dataclass(frozen=True)
class Restore:
    """A key the serving graph restores, and what the SavedModel's variables hold for it."""

    key: str
    shape: Optional[tuple]  # None: the graph does not know it
    dtype: str
    held: Optional[tuple] = None  # (shape, dtype) in the SavedModel's variables; None: no such key


@dataclass(frozen=True)
class Comparison:
    """What the GL5xx rules read. Every sequence is in a fixed order (keys sorted; inputs before
    outputs), so the findings made from it are too. Without a SavedModel only `dropped` and
    `unbuilt` are filled; without its variables, `restores` is empty."""

    dropped: tuple = ()  # ((export_outputs key, why Estimator drops it), ...)
    unbuilt: tuple = ()  # (Unbuilt, ...)
    removed: tuple = ()  # signature keys the SavedModel has and the new export does not
    added: tuple = ()  # signature keys the new export has and the SavedModel does not
    gone: tuple = ()  # (TensorKey, ...) of a common signature, in the SavedModel's only
    came: tuple = ()  # (TensorKey, ...) of a common signature, in the new export's only
    kept: tuple = ()  # (TensorPair, ...)
    restores: tuple = ()  # (Restore, ...)


def compare(build, saved=None, variables=None) -> Comparison:
    """`build`: a signatures.ServingBuild; `saved`: its SavedModelInfo or None; `variables`: the
    SavedModel's variables checkpoint (checkpoint.reader) or None."""
    unbuilt = tuple(Unbuilt(TensorKey(sig, io, k), tensor) for sig, io, k, tensor in build.missing)
    plain = Comparison(tuple(build.dropped.items()), unbuilt)
    if saved is None:
        return plain
    old, new = saved.signatures, build.signatures
    gone, came, kept = [], [], []
    for sig in sorted(old.keys() & new.keys()):
        for io in ("inputs", "outputs"):
            _tensors(sig, io, getattr(old[sig], io), getattr(new[sig], io), gone, came, kept)
    restores = _restores(build.restore_keys, variables) if variables is not None else ()
    return Comparison(plain.dropped, unbuilt, tuple(sorted(old.keys() - new.keys())),
                      tuple(sorted(new.keys() - old.keys())), tuple(gone), tuple(came), tuple(kept), restores)


def _tensors(sig, io, old, new, gone, came, kept) -> None:
    only_old = {k: old[k] for k in old.keys() - new.keys()}
    only_new = {k: new[k] for k in new.keys() - old.keys()}
    # Tensors of one signature share little name text ('logits' -> 'scores'): a gone tensor is
    # taken for a rename only when exactly one new tensor has its dtype and shape, and no other
    # gone tensor does.
    twins = _only_twins({k: _sig(v) for k, v in only_old.items()}, {k: _sig(v) for k, v in only_new.items()})
    back = {v: k for k, v in twins.items()}
    gone += [TensorKey(sig, io, k, twins.get(k, "")) for k in sorted(only_old)]
    came += [TensorKey(sig, io, k, back.get(k, "")) for k in sorted(only_new)]
    kept += [TensorPair(TensorKey(sig, io, k), old[k], new[k], shape_relation(old[k].shape, new[k].shape))
             for k in sorted(old.keys() & new.keys())]


def _restores(restore_keys: dict, variables) -> tuple:
    out = []
    for key, (shape, dtype) in sorted(restore_keys.items()):
        entry = variables.entries.get(key)
        out.append(Restore(key, shape, dtype, None if entry is None else (entry.shape, entry.dtype)))
    return tuple(out)


def shape_relation(old, new) -> str:
    """'' (same), GENERALIZED (every old value still fits), NARROWED (compatible, but some old
    values no longer fit) or INCOMPATIBLE (no old value fits), by TensorShape's own rules."""
    if old == new:
        return ""
    from graphlint.model.tfcompat import tf

    a, b = tf().TensorShape(_dims(old)), tf().TensorShape(_dims(new))
    if not a.is_compatible_with(b):
        return INCOMPATIBLE
    return GENERALIZED if b.most_specific_compatible_shape(a) == b and a != b else NARROWED


def _sig(t) -> tuple:
    return (t.shape, t.dtype)


def _dims(shape):
    return None if shape is None else list(shape)


def shape_text(shape) -> str:
    if shape is None:
        return "<unknown rank>"
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def _only_twins(gone: dict, came: dict) -> dict:
    """{gone key: new key} where each is the other's only tensor of the same signature."""
    out = {}
    for k, sig in gone.items():
        twins = [c for c, s in came.items() if s == sig]
        if len(twins) == 1 and sum(1 for s in gone.values() if s == sig) == 1:
            out[k] = twins[0]
    return out
