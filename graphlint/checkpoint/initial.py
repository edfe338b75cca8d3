"""What a warm-started variable would hold had the warm start not loaded it, and whether it loaded.

A warm start replaces each variable's initial value with a read of the checkpoint. While
`--mapped-by` builds the model's TRAIN graph, the initial value each variable had before that
replacement is kept (InitialValues), so that graphlint can draw it afterwards: the variable's own
initializer, in the graph the model built.

The decision rule (decide), for a variable whose value after training is t, whose source value
is s, with d_src = ||t - s||:
- deterministic initializer (two draws are equal: zeros, ones, constant, a fixed seed), value c:
  the run's own start is c, and d_init = ||t - c||. Loaded when d_init >= CLEARLY * d_src (t is
  clearly closer to the source than to where it would have started); not loaded when
  d_src >= CLEARLY * d_init; otherwise unsure (training moved it as far as the two are apart,
  or the source is, or is close to, the initializer's value).
- random initializer: the run's own start r0 is one draw we cannot repeat, so DRAWS independent
  draws r_k stand for it, and e_k = ||s - r_k|| is how far from the source an unloaded variable
  starts. Loaded when CLEARLY * d_src <= min e_k: then ||t - r_k|| >= e_k - d_src >= d_src for
  every draw, t is at least as close to the source as to any unloaded start. Not loaded when
  d_src >= min e_k: t is as far from the source as a fresh initialization is. In between: unsure.
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

DRAWS = 8  # draws of a random initializer: enough for the smallest distance an unloaded start has
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
        """Wraps checkpoint_utils._set_checkpoint_initializer: keep the value it replaces."""
        def wrapped(variable, *args, **kwargs):
            info = getattr(variable, "_save_slice_info", None)
            name = info.full_name if info is not None else variable.op.name
            initial = getattr(variable, "_initial_value", None)
            parts = self._parts.setdefault(name, [])
            if initial is not None and not any(p[0] is initial for p in parts):
                shape = tuple(info.full_shape) if info is not None else None
                parts.append((initial, tuple(info.var_offset) if info is not None else None, shape))
            return original(variable, *args, **kwargs)
        return wrapped

    def draw(self, name):
        """One fresh draw of the variable's initial value (whole, partitions put together), or None
        when the model's graph cannot compute it alone."""
        import numpy as np

        from graphlint.model.tfcompat import tf

        parts = self._parts.get(name)
        if not parts or self.graph is None:
            return None
        t = tf()
        try:
            if self._session is None:
                self._session = t.compat.v1.Session(graph=self.graph)
            values = self._session.run([p[0] for p in parts])
        except (t.errors.OpError, ValueError, TypeError):
            return None
        if parts[0][1] is None:
            return values[0]
        whole = np.zeros(parts[0][2], dtype=values[0].dtype)
        for (_, offset, _), value in zip(parts, values):
            whole[tuple(slice(o, o + n) for o, n in zip(offset, value.shape))] = value
        return whole

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
    first = np.asarray(first, dtype=np.float64)
    second = np.asarray(initial.draw(name), dtype=np.float64)
    if np.array_equal(first, second):
        to_init = _norm(t - first)
        return Evidence(decide(to_source, to_init, deterministic=True), to_source, (to_init, to_init), "deterministic")
    gaps = [_norm(s - first), _norm(s - second)]
    for _ in range(DRAWS - 2):
        gaps.append(_norm(s - np.asarray(initial.draw(name), dtype=np.float64)))
    return Evidence(decide(to_source, min(gaps), deterministic=False), to_source, (min(gaps), max(gaps)),
                    f"random ({DRAWS} draws)")


def decide(to_source: float, unloaded: float, deterministic: bool) -> str:
    """The rule of the module docstring. unloaded: ||t - c|| for a deterministic initializer c,
    min ||s - r_k|| over the draws of a random one."""
    if deterministic:
        if unloaded > 0 and unloaded >= CLEARLY * to_source:
            return LOADED
        if to_source > 0 and to_source >= CLEARLY * unloaded:
            return NOT_LOADED
        return UNSURE
    if CLEARLY * to_source <= unloaded and unloaded > 0:
        return LOADED
    if to_source >= unloaded:
        return NOT_LOADED
    return UNSURE


def _norm(x) -> float:
    import numpy as np

    return float(np.sqrt(np.sum(np.abs(x) ** 2)))
