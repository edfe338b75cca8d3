"""What a warm-started variable would hold had the warm start not loaded it, and whether it loaded.

A warm start replaces each variable's initial value with a read of the checkpoint. While
`--mapped-by` builds the model's TRAIN graph, the initial value each variable had before that
replacement is kept (InitialValues), so that graphlint can draw it afterwards: the variable's own
initializer, in the graph the model built.

The decision rule (decide), for a variable whose value after training is t, whose source value
is s, with d_src = ||t - s||:
- deterministic initializer (no op its initial value is computed from draws random numbers:
  zeros, ones, constant), value c: the run's own start is c, and d_init = ||t - c||. Loaded
  when d_init >= CLEARLY * d_src (t is clearly closer to the source than to where it would have
  started); not loaded when d_src >= CLEARLY * d_init; otherwise unsure (training moved it as
  far as the two are apart, or the source is, or is close to, the initializer's value).
- random initializer (seeded ones too: Keras picks a seed each time the graph is built, so a
  seed in graphlint's graph need not be the run's): the run's own start r0 is one draw we
  cannot repeat, so DRAWS independent draws r_k stand for it, and e_k = ||s - r_k|| is how far
  from the source an unloaded variable starts. r0 is one more such draw, so its distance may
  fall below the smallest e_k: the floor an unloaded start is held to is
  low = min e_k - (max e_k - min e_k), the draws' smallest distance less their spread.
  Loaded when CLEARLY * d_src <= low: then ||t - r_k|| >= e_k - d_src >= d_src for every draw,
  t is at least as close to the source as to any unloaded start, and an unloaded variable could
  only have come this close by moving straight at the source farther than the loaded one moved
  in all. Not loaded when d_src >= low: t is as far from the source as a fresh initialization.
  In between, or when the spread leaves no floor (low <= 0, a tiny variable): unsure.
- no initializer to draw (an --assignment-map without a model, an initial value that cannot be
  computed alone): unsure.
A fixed distance cannot decide this: ten normal steps of fine-tuning move a variable 10-80% of
its norm, while a source that is itself little trained lies close to any draw of its initializer.
The rule reads what training did to the first checkpoint after the warm start: a long run from
an unloaded start that converges to the source's values is not told apart from a loaded one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from graphlint.tfpatch import variables as tf_vars

DRAWS = 8  # draws of a random initializer: enough for the smallest distance an unloaded start has
_SEED = 20260  # the second half of each stateless draw's seed (the first is the draw's index)
_RANDOM_OPS = ("Random", "TruncatedNormal", "Multinomial", "Stateless")  # op types that draw numbers
CLEARLY = 2.0  # "clearly closer": the other distance is at least this many times larger
LOADED, NOT_LOADED, UNSURE = "loaded", "not loaded", "unsure"


@dataclass(frozen=True)
class Evidence:
    """Why a mapped variable is called loaded, not loaded or unsure."""

    verdict: str
    to_source: float  # ||t - s||
    without_loading: Optional[tuple] = None  # (min, max) distance an unloaded value has (see decide)
    initializer: str = ""  # "deterministic", f"random ({DRAWS} draws)", or why there is none


class InitialValues:
    """The initial value each variable of a graph had before a warm start replaced it."""

    def __init__(self):
        self.graph = None
        self._parts = {}  # whole variable name -> [(initial value tensor, offset, full shape)]
        self._session = None

    def recording(self, original):
        """Wraps the function TF sets a warm-started initializer with (tfpatch/checkpoint_utils.py): keep
        the value it replaces."""
        def wrapped(variable, *args, **kwargs):
            info = tf_vars.save_slice_info(variable)
            name = info.full_name if info is not None else variable.op.name
            initial = tf_vars.initial_value(variable)
            parts = self._parts.setdefault(name, [])
            if initial is not None and not any(p[0] is initial for p in parts):
                shape = tuple(info.full_shape) if info is not None else None
                parts.append((initial, tuple(info.var_offset) if info is not None else None, shape))
            return original(variable, *args, **kwargs)
        return wrapped

    def is_random(self, name) -> bool:
        """Whether any op the initial value is computed from draws random numbers. Two runs of it
        agreeing prove nothing: Keras' initializers are stateless ops whose seed is picked when
        the graph is built, so each build (the run's, graphlint's) starts elsewhere."""
        return any(_is_random(op) for op in self._ops(name))

    def draw(self, name, index: int = 0):
        """One draw of the variable's initial value (whole, partitions put together), or None when
        the model's graph cannot compute it alone. Stateful random ops draw anew on every run;
        stateless ones get the seed `index` (fed in place of theirs), so draws are independent."""
        import numpy as np

        from graphlint.model.tfcompat import tf

        parts = self._parts.get(name)
        if not parts or self.graph is None:
            return None
        t = tf()
        seeds = {x.name: np.array([index + 1, _SEED], dtype=x.dtype.as_numpy_dtype) for x in self._seeds(name)}
        try:
            values = self._draws().run([p[0].name for p in parts], feed_dict=seeds)
        except (t.errors.OpError, ValueError, TypeError, KeyError):
            return None
        if parts[0][1] is None:
            return values[0]
        whole = np.zeros(parts[0][2], dtype=values[0].dtype)
        for (_, offset, _), value in zip(parts, values):
            whole[tuple(slice(o, o + n) for o, n in zip(offset, value.shape))] = value
        return whole

    def _draws(self):
        """A session on a copy of the ops the initial values are computed from, in which a random
        op without a seed gets a fixed one: the same draws, and distances, on every invocation."""
        import zlib

        from graphlint.model.tfcompat import tf

        if self._session is None:
            t = tf()
            names = sorted({p[0].op.name for parts in self._parts.values() for p in parts})
            ops = t.compat.v1.graph_util.extract_sub_graph(self.graph.as_graph_def(), names)
            for node in ops.node:
                if "seed2" in node.attr and not node.attr["seed"].i and not node.attr["seed2"].i:
                    node.attr["seed"].i = _SEED
                    node.attr["seed2"].i = zlib.crc32(node.name.encode()) & 0x7FFFFFFF or 1
            copy = t.Graph()
            with copy.as_default():
                t.compat.v1.import_graph_def(ops, name="")
            self._session = t.compat.v1.Session(graph=copy)
        return self._session

    def _ops(self, name) -> list:
        """The ops the variable's initial value is computed from."""
        seen, todo = {}, [p[0].op for p in self._parts.get(name, ())]
        while todo:
            op = todo.pop()
            if op.name not in seen:
                seen[op.name] = op
                todo.extend(x.op for x in op.inputs)
        return list(seen.values())

    def _seeds(self, name) -> list:
        """The seed inputs of the stateless random ops among them."""
        return [x for op in self._ops(name) if op.type.startswith("Stateless")
                for x, arg in zip(op.inputs, op.op_def.input_arg) if arg.name == "seed"]

    def close(self):
        if self._session is not None:
            self._session.close()
            self._session = None


def evidence(initial: Optional[InitialValues], name: str, source, trained) -> Evidence:
    """The evidence for one variable: its values in the source and after training, and draws of
    its initializer (one value in memory at a time besides those two)."""
    import numpy as np

    try:
        s, t = (np.asarray(v).astype(np.float64) for v in (source, trained))
    except (TypeError, ValueError):
        return Evidence(UNSURE, float("nan"), None, "not numeric")
    to_source = _norm(t - s)
    first = initial.draw(name) if initial is not None else None
    if first is None or np.shape(first) != s.shape:
        why = "no model to draw it from (--mapped-by)" if initial is None else "cannot be computed alone"
        return Evidence(UNSURE, to_source, None, f"no initializer: {why}")
    first = np.asarray(first).astype(np.float64)
    if not initial.is_random(name):
        to_init = _norm(t - first)
        return Evidence(decide(to_source, to_init, deterministic=True), to_source, (to_init, to_init), "deterministic")
    gaps = [_norm(s - first)]
    for index in range(1, DRAWS):
        draw = initial.draw(name, index)
        if draw is None:
            return Evidence(UNSURE, to_source, None, "no initializer: cannot be computed alone")
        gaps.append(_norm(s - np.asarray(draw).astype(np.float64)))
    low = min(gaps) - (max(gaps) - min(gaps))
    return Evidence(decide(to_source, low, deterministic=False), to_source, (min(gaps), max(gaps)),
                    f"random ({DRAWS} draws)")


def decide(to_source: float, unloaded: float, deterministic: bool) -> str:
    """The rule of the module docstring. unloaded: ||t - c|| for a deterministic initializer c,
    the floor `low` of ||s - r_k|| over the draws of a random one."""
    if deterministic:
        if unloaded > 0 and unloaded >= CLEARLY * to_source:
            return LOADED
        if to_source > 0 and to_source >= CLEARLY * unloaded:
            return NOT_LOADED
        return UNSURE
    if unloaded <= 0:
        return UNSURE
    if CLEARLY * to_source <= unloaded:
        return LOADED
    if to_source >= unloaded:
        return NOT_LOADED
    return UNSURE


def _is_random(op) -> bool:
    return any(part in op.type for part in _RANDOM_OPS)


def _norm(x) -> float:
    import numpy as np

    return float(np.sqrt(np.sum(np.abs(x) ** 2)))
