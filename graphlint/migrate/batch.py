"""The batch parity feeds both models: the user's (`--batch FILE.npz`); else one batch of the old
model's input_fn, called in PREDICT as graphlint's builds call it (a program's: the input_fn of its
Estimator's predict, else evaluate, else train call, called as that call's Estimator calls it); else, when input_fn cannot run
here (it reads files that are elsewhere), one generated from the features of the old
serving_input_receiver_fn (their dtypes and shapes, seeded: the same batch every run).

A generated batch has GENERATED_ROWS rows; integers are drawn from [0, GENERATED_INT_HIGH) so that
any id is valid for any embedding table (the receiver does not say a vocabulary's size).
"""

from __future__ import annotations

from dataclasses import dataclass

from graphlint.errors import UsageError

GENERATED_ROWS = 4
GENERATED_INT_HIGH = 2
GENERATED_SEED = 0


@dataclass
class Batch:
    arrays: dict  # feature name -> numpy array
    single: bool  # model_fn gets one tensor, not a dict
    source: str  # where it came from, for the report


def load(path: str) -> Batch:
    """--batch FILE.npz: one array is the features tensor, several the features dict by name."""
    import numpy as np

    try:
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError) as exc:
        raise UsageError(f"--batch: cannot read {path} as a .npz of feature arrays: {exc}") from None
    if not arrays:
        raise UsageError(f"--batch: {path} holds no arrays")
    return Batch(arrays, len(arrays) == 1, path)


def from_model(opened) -> Batch:
    """One batch of the old model's input_fn, else one generated from its serving receiver
    (`opened`: old_model.Opened)."""
    try:
        return _from_input_fn(opened.session, opened.batch_source)
    except UsageError as exc:
        failed = str(exc)
    receiver = _from_receiver(opened.session, opened.option)
    if receiver is None:
        raise UsageError(f"{opened.option}: no batch to feed: the input_fn failed ({failed}) and "
                         f"{opened.no_receiver}; pass --batch FILE.npz") from None
    return receiver


def _from_input_fn(session, source: str) -> Batch:
    from graphlint.model.build import predict_features
    from graphlint.model.tfcompat import tf

    t = tf()
    v1 = t.compat.v1
    graph = t.Graph()
    with graph.as_default():
        v1.train.get_or_create_global_step()  # Estimator creates it before input_fn
        features = predict_features(session.model, session.params("predict"), session.est)
        _refuse_sparse(t, features, "input_fn")
        fetch = t.nest.map_structure(t.convert_to_tensor, features)
        # a Dataset's iterator (and feature columns' tables) start as Estimator's hooks start them
        starts = [op for op in graph.get_operations() if op.type == "MakeIterator"] + [v1.tables_initializer()]
        with v1.Session(graph=graph) as sess:
            sess.run(starts)
            try:
                values = sess.run(fetch)
            except t.errors.OpError as exc:
                raise UsageError(f"input_fn's first batch failed: {type(exc).__name__}: "
                                 f"{str(exc.message).splitlines()[0]}") from None
    if isinstance(values, dict):
        return Batch(dict(sorted(values.items())), False, source)
    return Batch({"features": values}, True, source)


def _refuse_sparse(t, features, where: str) -> None:
    for value in t.nest.flatten(features):
        if isinstance(value, t.SparseTensor):
            raise UsageError(f"{where} gives a SparseTensor, which the new model cannot be fed as it is")


def _from_receiver(session, option: str):
    """A batch of the receiver's features (what model_fn gets when serving), or None without one."""
    import numpy as np

    from graphlint.model.tfcompat import tf
    from graphlint.serving.build import find_receiver_fn

    fn = find_receiver_fn(session.model)
    if fn is None:
        return None
    t = tf()
    with t.Graph().as_default():
        try:
            features = fn().features
        except Exception as exc:  # noqa: BLE001 - the user's code: one line
            raise UsageError(f"{option}: serving_input_receiver_fn raised {type(exc).__name__}: {exc}") from None
        _refuse_sparse(t, features, "serving_input_receiver_fn")
        rng = np.random.RandomState(GENERATED_SEED)
        named = features if isinstance(features, dict) else {"features": features}
        arrays = {k: _generated(rng, k, v) for k, v in sorted(named.items())}
    source = f"generated from serving_input_receiver_fn's features ({GENERATED_ROWS} rows, seed {GENERATED_SEED})"
    return Batch(arrays, not isinstance(features, dict), source)


def _generated(rng, name: str, tensor):
    dtype = tensor.dtype
    if tensor.shape.rank is None:
        raise UsageError(f"serving_input_receiver_fn's feature {name!r} has no known rank: pass --batch FILE.npz")
    shape = [GENERATED_ROWS if d is None and i == 0 else (1 if d is None else d)
             for i, d in enumerate(tensor.shape.as_list())]
    if dtype.is_floating:
        return rng.normal(size=shape).astype(dtype.as_numpy_dtype)
    if dtype.is_integer:
        return rng.randint(0, GENERATED_INT_HIGH, size=shape).astype(dtype.as_numpy_dtype)
    if dtype.is_bool:
        return rng.randint(0, 2, size=shape).astype(bool)
    raise UsageError(f"serving_input_receiver_fn's feature {name!r} is {dtype.name}: a batch of it cannot be "
                     "generated (a parsed tf.Example?); pass --batch FILE.npz")
