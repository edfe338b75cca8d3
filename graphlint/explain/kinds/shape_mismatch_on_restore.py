"""A variable's shape differs from the value assigned on restore: ref variables' Assign, resource
variables' AssignVariableOp, tf.train.Checkpoint, and warm-starting."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import N, S, SHAPE, Pattern, clean, shape, var_name

_ASSIGN = Pattern(
    r"Assign requires shapes of both tensors to match\. ?lhs shape= ?(?P<lhs>\[[^\]\n]" + S + r"\])"
    r" ?rhs shape= ?(?P<rhs>\[[^\]\n]" + S + r"\])"
)
_ASSIGN_VAR = Pattern(
    r"Trying to assign to variable with tensor with wrong shape\. Expected (?P<lhs>" + SHAPE + r") got (?P<rhs>"
    + SHAPE + r")"
)
_RECEIVED = Pattern(
    r"Received incompatible tensor with shape (?P<rhs>" + SHAPE + r") when attempting to restore variable "
    r"with shape (?P<lhs>" + SHAPE + r") and name (?P<name>\S" + N + r")"
)
_WARM_SHAPE = Pattern(
    r"Shape of variable (?P<name>\S" + N + r") \((?P<lhs>" + SHAPE + r")\) doesn't match with shape of "
    r"tensor (?P<key>\S" + N + r") \((?P<rhs>" + SHAPE + r")\) from checkpoint reader"
)
_OP_ERRORS = (("Assign requires shapes", _ASSIGN), ("Trying to assign to variable", _ASSIGN_VAR))


class ShapeMismatchOnRestore(Kind):
    id = "shape-mismatch-on-restore"
    title = "A variable's shape differs from the checkpoint's"
    triggers = ("Assign requires shapes", "Trying to assign to variable", "Received incompatible tensor",
                "Shape of variable ")
    restore = True
    identity = ("lhs_shape", "rhs_shape")  # the op errors name no variable unless a node line does
    labels = {
        "lhs_shape": "shape in the graph",
        "rhs_shape": "shape of the value (checkpoint)",
        "checkpoint_key": "checkpoint key",
        "source": "from",
    }
    meaning = (
        "A value could not be assigned to a variable because the shapes differ. In the details, "
        "lhs_shape is the variable's shape in the current graph and rhs_shape is the shape of "
        "the value, on restore the value stored in the checkpoint. When the node is a "
        "save/Assign or save/AssignVariableOp node, this happened while restoring a checkpoint."
    )
    causes = (
        "The model changed since the checkpoint was written: a different number of classes, "
        "features, vocabulary size or hidden units, or a model_dir shared by two "
        "configurations. Less often two variables swapped names, so each gets the other's value."
    )
    fix = (
        "Use a fresh model_dir when the shapes are meant to change, or restore only the "
        "unchanged variables (warm-starting with vars_to_warm_start) and initialise the rest. "
        "If the shapes should not have changed, compare the params used for training with the "
        "ones used now."
    )

    def scan(self, ctx, i, line):
        for trigger, pattern in _OP_ERRORS:
            if trigger in line:
                self.scan_op_error(ctx, i, line, pattern)
        if "Received incompatible tensor" in line:
            for m in ctx.matches(_RECEIVED, line):
                name = var_name(m.group("name"))
                d = {"lhs_shape": shape(m.group("lhs")), "rhs_shape": shape(m.group("rhs")), "variable": name}
                self.add(ctx, (name,), i, line, m.start(), m.end(), ctx.restore_context(d))
        if "Shape of variable " in line:
            for m in ctx.matches(_WARM_SHAPE, line):
                name = var_name(m.group("name"))
                d = {"lhs_shape": shape(m.group("lhs")), "rhs_shape": shape(m.group("rhs")), "variable": name,
                     "checkpoint_key": clean(m.group("key")), "source": "warm-start"}
                self.add(ctx, (name,), i, line, m.start(), m.end(), d)

    def scan_op_error(self, ctx, i, line, pattern):
        """The kernel's message names no variable; an Assign node line after it names its input."""
        for m in ctx.matches(pattern, line):
            d = ctx.node_after(i, line, m.end())
            d.update(lhs_shape=shape(m.group("lhs")), rhs_shape=shape(m.group("rhs")))
            names = (d["variable"],) if "variable" in d else ()
            self.add(ctx, names, i, line, m.start(), m.end(), ctx.restore_context(d))
