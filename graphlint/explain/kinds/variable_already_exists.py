"""ValueError: Variable <name> already exists, disallowed. Did you mean to set reuse=True ..."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import N, Pattern, clean

_EXISTS = Pattern(
    r"Variable (?P<name>\S" + N + r") already exists, disallowed\. Did you mean to set reuse=True"
)


class VariableAlreadyExists(Kind):
    id = "variable-already-exists"
    title = "A variable was created twice"
    triggers = ("Variable ",)
    labels = {"originally_defined_at": "first created at"}
    meaning = (
        "tf.compat.v1.get_variable was asked to create a variable whose full name already exists "
        "in the variable store. Reuse was not enabled, so TensorFlow refused."
    )
    causes = (
        "model_fn or a network function called twice in the same graph, for example once for "
        "training and once for evaluation logits, or in a tower loop. It also happens when a "
        "layer is built twice under the same scope or two variables get the same name by mistake."
    )
    fix = (
        "Share deliberately with tf.compat.v1.variable_scope(scope, "
        "reuse=tf.compat.v1.AUTO_REUSE) around the second use, or give the second variable a "
        "different name. The 'Originally defined at' part of the message shows where the first "
        "one was made."
    )

    def scan(self, ctx, i, line):
        for m in ctx.matches(_EXISTS, line):
            d = {}
            defined = ctx.defined_at(i)  # ref variables' message goes on: "Originally defined at:"
            if defined:
                d["originally_defined_at"] = defined
            self.add(ctx, (clean(m.group("name")),), i, line, m.start(), m.end(), d)
