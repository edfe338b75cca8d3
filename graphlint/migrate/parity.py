"""Parity: the old PREDICT graph, built from the old model file (model_fn, as `graphlint diff` builds
it) or the old training program's Estimator (old_model.py) and restored from OLD, and the new model with the converted weights, fed the same batch; per
output, the largest absolute difference and ||new - old|| / ||old||, and the same per mapped layer
(probes.py), so that a difference is located at the first layer that has it.

The batch is the user's (`--batch FILE.npz`), else the old model's own (batch.py). The new model is
called with the features tensor (or, for several arrays, a torch model with them as keyword
arguments, a Keras model with the dict). Outputs are paired when each side has one, or by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from graphlint.errors import UsageError


@dataclass(frozen=True)
class Output:
    name: str
    shape: tuple
    max_abs: Optional[float]  # None: the output has no counterpart (or shapes differ)
    rel_l2: Optional[float]
    note: str = ""


@dataclass
class Result:
    outputs: list  # [Output]
    layers: list  # [probes.LayerParity], in the order the old graph computes them
    batch: str  # where the batch came from
    old: dict  # {name: array}: the old outputs (for the tolerance)
    old_model: str = ""  # the model file, or the program and the Estimator taken from it


@dataclass(frozen=True)
class ParityCheck:
    """What parity found, for the rules (coverage.MigrationCheck.parity): the outputs beyond the
    tolerance, and the first layer that differs when the layers locate it."""

    differing: tuple  # [Output] beyond atol + rtol x max |old|, or without a counterpart
    first: Optional[object]  # probes.LayerParity: the first layer that differs; None: none does
    agreeing_before: tuple  # NEW layers before `first` that agree
    batch: str
    atol: float
    rtol: float


def run(old_spec, prefix: str, batch_path: Optional[str], new_side, converted, pairs, atol: float,
        rtol: float) -> Result:
    """Both models on one batch (--batch, else the old model's own: batch.py), outputs and layers
    compared; `old_spec` is an old_model.OldModel."""
    from graphlint.migrate import batch as batch_lib
    from graphlint.migrate import old_model, probes

    with old_model.opened(old_spec, prefix) as opened:
        batch = batch_lib.load(batch_path) if batch_path else batch_lib.from_model(opened)
        new, new_layers, read = new_outputs(new_side, converted, batch, [n for n, _, _ in pairs])
        old, segments, old_layers, aims = _old_outputs(opened, prefix, batch, pairs, new_layers, read,
                                                       new_side.framework == "torch")
    rows = probes.compare(pairs, new_layers, segments, old_layers, new_side.framework == "torch", atol, rtol, aims)
    return Result(compare(old, new), rows, batch.source, old, opened.label)


def _old_outputs(opened, prefix: str, batch, pairs, new_layers: dict, read: dict,
                 torch: bool) -> tuple:
    """({name: array} of the old PREDICT graph's predictions, its variables restored from `prefix`;
    the layers' segments (probes.py); {tensor name: array} of the segments' tensors NEW's shapes fit;
    probes.targets' answer: which segment each NEW layer's output is compared with)."""
    from graphlint.migrate import probes
    from graphlint.model import tfcompat
    from graphlint.model.build import call_model_fn
    from graphlint.model.tpu_spec import to_estimator_spec

    t = tfcompat.tf()
    v1 = t.compat.v1
    session = opened.session
    model, est = session.model, session.est
    graph = t.Graph()
    with graph.as_default():
        v1.train.get_or_create_global_step()
        feeds = {k: v1.placeholder(t.as_dtype(v.dtype), [None, *v.shape[1:]], name=k) for k, v in batch.arrays.items()}
        features = next(iter(feeds.values())) if batch.single else feeds
        spec = to_estimator_spec(call_model_fn(model, features, None, est.ModeKeys.PREDICT,
                                               session.params("predict")))
        predictions = spec.predictions if isinstance(spec.predictions, dict) else {"output": spec.predictions}
        # restored as Estimator's PREDICT restores: the spec's Scaffold saver (an EMA model's
        # Saver(ema.variables_to_restore())), else every variable by its own name
        saver = spec.scaffold.saver if spec.scaffold is not None and spec.scaffold.saver is not None \
            else v1.train.Saver()
        segments = probes.old_segments(graph, list(feeds.values()), pairs)
        aims = probes.targets(pairs, read, segments)
        probed = _shaped_like(segments, pairs, new_layers, torch, aims[0])
        with v1.Session(graph=graph) as sess:
            try:
                saver.restore(sess, prefix)
            except t.errors.OpError as exc:
                raise UsageError(f"{opened.option}: {opened.label}'s PREDICT graph does not restore from {prefix}: "
                                 f"{type(exc).__name__}") from None
            values, layers = sess.run((predictions, probed), {feeds[k]: v for k, v in batch.arrays.items()})
    return dict(sorted(values.items())), segments, layers, aims


def _shaped_like(segments: dict, pairs, new_layers: dict, torch: bool, against: dict) -> dict:
    """{tensor name: tensor} of the segments' tensors whose static shape fits a NEW layer output's."""
    from graphlint.migrate import probes

    out = {}
    for new, old, _ in pairs:
        old = against.get(new, old)
        if old not in segments or new not in new_layers:
            continue
        shapes = {tuple(v.shape) for a in new_layers[new] for v in probes.variants(a, torch)}
        for tensor in segments[old][1]:
            if any(tensor.shape.is_compatible_with(s) for s in shapes):
                out[tensor.name] = tensor
    return out


def new_outputs(new_side, converted, batch, layers=()) -> tuple:
    """({name: array} of the new model with the converted weights (new key -> numpy value),
    {layer: [arrays]} of the named layers' outputs, {layer: the layer or module whose output that is})."""
    import numpy as np

    from graphlint.migrate import probes

    model = new_side.model
    arrays = list(batch.arrays.values())
    if new_side.framework == "torch":
        import torch

        state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        state.update({k: torch.from_numpy(np.array(v)) for k, v in converted})
        model.load_state_dict(state, strict=True)
        model.eval()
        handles, seen = probes.torch_hooks(model, layers)
        try:
            with torch.no_grad():
                inputs = {k: torch.from_numpy(v) for k, v in batch.arrays.items()}
                out = model(*inputs.values()) if len(inputs) == 1 else model(**inputs)
        finally:
            for handle in handles:
                handle.remove()
        return _named(out, lambda v: v.detach().numpy()), seen, {name: name for name in seen}
    inputs = arrays[0] if len(arrays) == 1 else batch.arrays
    if new_side.framework == "tf":  # a tf.Module: called as it is; its layers have no outputs of their own to read
        from graphlint.migrate import new_tf

        return _named(new_tf.outputs(new_side, converted, inputs), np.asarray), {}, {}
    by_path = {w.path: w for w in model.weights}
    for key, value in converted:
        by_path[key].assign(value)
    out = model(inputs, training=False)
    return (_named(out, np.asarray), *probes.keras_outputs(model, layers, inputs))


def _named(out, to_numpy) -> dict:
    if isinstance(out, dict):
        return {k: to_numpy(v) for k, v in sorted(out.items())}
    if isinstance(out, (tuple, list)):
        return {f"output_{i}": to_numpy(v) for i, v in enumerate(out)}
    return {"output": to_numpy(out)}


def compare(old: dict, new: dict) -> list:
    """[Output] per old output: paired with the new one of the same name, or the only one with the only one."""
    from graphlint.checkpoint.diff import distance

    if len(old) == 1 and len(new) == 1:
        pairs = [(next(iter(old)), next(iter(old.values())), next(iter(new.values())))]
    else:
        pairs = [(k, v, new.get(k)) for k, v in old.items()]
    out = []
    for name, a, b in pairs:
        if b is None:
            out.append(Output(name, tuple(a.shape), None, None, f"NEW has no output {name!r}"))
        elif tuple(a.shape) != tuple(b.shape):
            out.append(Output(name, tuple(a.shape), None, None, f"NEW's shape is {tuple(b.shape)}"))
        else:
            d = distance(a.astype("float64"), b.astype("float64"))
            out.append(Output(name, tuple(a.shape), d.max_abs, d.rel_l2))
    return out


def within(o: Output, old_value, atol: float, rtol: float) -> bool:
    import numpy as np

    return o.max_abs is not None and o.max_abs <= atol + rtol * float(np.max(np.abs(old_value)))


def check(done: Result, atol: float, rtol: float) -> ParityCheck:
    from graphlint.migrate import probes

    bad = tuple(o for o in done.outputs if o.max_abs is None or not within(o, done.old[o.name], atol, rtol))
    first = probes.first_divergence(done.layers)
    before = () if first is None else tuple(r.new for r in done.layers[:done.layers.index(first)] if r.agrees)
    return ParityCheck(bad, first, before, done.batch, atol, rtol)
