"""Which per-mode params differ between modes, and which of them size a differing dimension:
what GL106 reports and what GL102 groups its keys by (one params difference is one cause)."""

from __future__ import annotations

_MISSING = object()


def flat_params(ctx, modes):
    """{mode: {'a.b': value}} of the params each mode was built with; None when a snapshot does
    not record them or fewer than two modes were built."""
    params = {m: getattr(ctx.snapshots[m], "params", None) for m in modes}
    if len(modes) < 2 or any(not isinstance(p, dict) for p in params.values()):
        return None
    return {m: dict(_flatten(p)) for m, p in params.items()}


def param_difference(flat, shapes) -> tuple:
    """(params that differ between the modes of `shapes`, those of them that equal the differing
    dimension in every mode)."""
    differ = [p for p in sorted({p for m in shapes for p in flat[m]})
              if len({show_param(flat[m], p) for m in shapes}) > 1]
    dims = _differing_dims(shapes)
    sizing = [p for p in differ if dims and all(
        isinstance(flat[m].get(p), int) and all(shapes[m][i] == flat[m][p] for i in dims) for m in shapes)]
    return differ, sizing


def show_param(flat, name) -> str:
    value = flat.get(name, _MISSING)
    return "(unset)" if value is _MISSING else repr(value)


def _flatten(params, prefix=""):
    for k, v in params.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            yield from _flatten(v, name + ".")
        else:
            yield name, v


def _differing_dims(shapes):
    known = [s for s in shapes.values() if s is not None]
    if len(known) != len(shapes) or len({len(s) for s in known}) != 1:
        return []
    return [i for i in range(len(known[0])) if len({s[i] for s in known}) > 1]
