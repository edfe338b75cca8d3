"""Which variable a restore key or a fetched op name stands for."""

from __future__ import annotations

_READS = ("/read", "/Read/ReadVariableOp")


def _variable_of(op_name: str, variables):
    if op_name in variables:
        return op_name
    for suffix in _READS:
        if op_name.endswith(suffix) and op_name[: -len(suffix)] in variables:
            return op_name[: -len(suffix)]
    return None


def _var_name(snap, rk) -> str:
    """The variable a restore key goes into. The snapshot names a resource variable's saveable by
    its read op ('w/Read/ReadVariableOp'); the variable is 'w'."""
    name = rk.var_name
    for suffix in ("/Read/ReadVariableOp", "/read"):
        if name.endswith(suffix) and name[:-len(suffix)] in snap.variables:
            return name[:-len(suffix)]
    return name
