"""The serving graph's signatures against a SavedModel's, as what a client of the old signatures
meets on the new model. Each difference is a Change of one kind; one rule reports each kind."""

from __future__ import annotations

from dataclasses import dataclass



@dataclass(frozen=True)
class Change:
    kind: str  # a GL5xx rule's symbol
    name: str  # signature, or signature/io/key
    message: str
    fix: str = ""
    io: str = ""  # "inputs" | "outputs" | ""


def signature_changes(old: dict, new: dict, unbuilt=()) -> list:
    """`unbuilt`: signatures the new export cannot build (GL511 reports them), so not "removed"."""
    out = []
    for key in sorted(old.keys() - new.keys() - set(unbuilt)):
        out.append(Change("removed-signature", key, f"signature '{key}' is in the SavedModel but the new export "
                          f"does not have it: clients calling it get no such signature",
                          "keep the export_outputs entry, or move clients off it before deploying"))
    for key in sorted(new.keys() - old.keys()):
        out.append(Change("added-signature", key, f"signature '{key}' is new (no client calls it yet)"))
    for key in sorted(old.keys() & new.keys()):
        for io in ("inputs", "outputs"):
            out.extend(_tensor_changes(key, io, getattr(old[key], io), getattr(new[key], io)))
    return out


def _tensor_changes(sig, io, old, new) -> list:
    out = []
    gone = {k: old[k] for k in old.keys() - new.keys()}
    came = {k: new[k] for k in new.keys() - old.keys()}
    # Tensors of one signature share little name text ('logits' -> 'scores'): a gone tensor is
    # asked about as a rename only when exactly one new tensor has its dtype and shape, and no
    # other gone tensor does (a question in the message, never a fix).
    renames = _only_twins({k: _sig(v) for k, v in gone.items()}, {k: _sig(v) for k, v in came.items()})
    what = "input" if io == "inputs" else "output"
    for k in sorted(gone):
        to = renames.get(k)
        also = f" (renamed to '{to}'? same dtype and shape)" if to else ""
        result = "a client feeding it gets an error" if io == "inputs" else "a client reading it finds no such key"
        out.append(Change("removed-signature-tensor", f"{sig}/{io}/{k}",
                          f"{what} '{k}' of signature '{sig}' is gone from the new export{also}: {result}",
                          f"keep the key '{k}' (an alias is fine)", io))
    for k in sorted(came):
        if k in renames.values():
            continue
        kind = "added-signature-input" if io == "inputs" else "added-signature-output"
        message = (f"input '{k}' of signature '{sig}' is new: clients of the old signature do not feed it"
                   if io == "inputs" else f"output '{k}' of signature '{sig}' is new")
        fix = ("keep receiver_tensors as they were; put the new input in receiver_tensors_alternatives "
               "(a new signature), as a placeholder_with_default" if io == "inputs" else "")
        out.append(Change(kind, f"{sig}/{io}/{k}", message, fix, io))
    for k in sorted(old.keys() & new.keys()):
        out.extend(_one_tensor(sig, io, k, old[k], new[k]))
    return out


def _one_tensor(sig, io, key, a, b) -> list:
    out = []
    name = f"{sig}/{io}/{key}"
    what = "input" if io == "inputs" else "output"
    if a.dtype != b.dtype:
        effect = ("a client feeding the old dtype gets an error" if io == "inputs"
                  else "clients now receive the new dtype")
        out.append(Change("signature-dtype-changed", name, f"{what} '{key}' of signature '{sig}' changed dtype "
                          f"{a.dtype} -> {b.dtype}: {effect}", f"cast back to {a.dtype} at the model's edge", io))
    relation = shape_relation(a.shape, b.shape)
    if relation:
        kind = {"incompatible": "signature-shape-incompatible", "narrowed": "signature-shape-narrowed",
                "generalized": "signature-shape-generalized"}[relation]
        out.append(Change(kind, name, f"{what} '{key}' of signature '{sig}' changed shape {shape_text(a.shape)} -> "
                          f"{shape_text(b.shape)} ({relation})", "", io))
    return out


def shape_relation(old, new) -> str:
    """'' (same), 'generalized' (every old value still fits), 'narrowed' (compatible, but some old
    values no longer fit) or 'incompatible' (no old value fits), by TensorShape's own rules."""
    if old == new:
        return ""
    from graphlint.model.tfcompat import tf

    a, b = tf().TensorShape(_dims(old)), tf().TensorShape(_dims(new))
    if not a.is_compatible_with(b):
        return "incompatible"
    return "generalized" if b.most_specific_compatible_shape(a) == b and a != b else "narrowed"


def restore_changes(restore_keys: dict, variables) -> list:
    """The export's restore keys against the SavedModel's variables/variables checkpoint."""
    out = []
    for key, (shape, dtype) in sorted(restore_keys.items()):
        entry = variables.entries.get(key)
        if entry is None:
            out.append(Change("saved-model-variables-mismatch", key, f"the serving graph restores '{key}', which "
                              f"the SavedModel's variables do not have", "export from a checkpoint of this model"))
        elif (tuple(shape) if shape is not None else entry.shape, dtype) != (entry.shape, entry.dtype):
            out.append(Change("saved-model-variables-mismatch", key, f"the serving graph restores '{key}' as "
                              f"{dtype}{shape_text(shape)}, the SavedModel's variables hold {entry.dtype}"
                              f"{shape_text(entry.shape)}", "export from a checkpoint of this model"))
    return out


def build_problems(build) -> list:
    out = [Change("dropped-signature", key, f"export_outputs['{key}'] is not in the export: Estimator's "
                  f"build_all_signature_defs drops it silently ({why})", "fix the output or the receiver, or remove the entry")
           for key, why in build.dropped.items()]
    out += [Change("signature-tensor-missing", f"{sig}/{io}/{k}", f"signature '{sig}' names {io[:-1]} '{k}' = "
                   f"'{tensor}', which the PREDICT graph does not have", "build the tensor in model_fn's graph")
            for sig, io, k, tensor in build.missing]
    return out


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
