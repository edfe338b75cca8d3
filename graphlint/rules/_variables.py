"""Which variable a fetched op name or a restore key stands for."""

from __future__ import annotations

# The ops through which a variable's value is read: a ref variable's Identity, a resource
# variable's ReadVariableOp (the snapshot also names a resource variable's saveable by it).
READS = ("/read", "/Read/ReadVariableOp")


def variable_of(op_name: str, variables):
    """The variable `op_name` is, or reads; None when it is neither."""
    if op_name in variables:
        return op_name
    for suffix in READS:
        if op_name.endswith(suffix) and op_name[: -len(suffix)] in variables:
            return op_name[: -len(suffix)]
    return None


def restored_variable(snap, rk) -> str:
    """The variable a restore key goes into ('w' for a saveable named 'w/Read/ReadVariableOp')."""
    return variable_of(rk.var_name, snap.variables) or rk.var_name
