"""ValueError: Variable <name> does not exist, or was not created with tf.get_variable()."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import N, Pattern, clean

_NOT_EXIST = Pattern(
    r"Variable (?P<name>\S" + N + r") does not exist, or was not created with tf\.get_variable\(\)"
)


class VariableDoesNotExist(Kind):
    id = "variable-does-not-exist"
    title = "A variable was reused before it was created"
    triggers = ("Variable ",)
    meaning = (
        "tf.compat.v1.get_variable ran in a scope with reuse=True, and no variable of that name "
        "exists yet. A variable made with tf.Variable does not count: the store does not track it."
    )
    causes = (
        "reuse=True set on the first call, or a scope name that differs between the creating and "
        "the reusing call (a uniquified 'x_1' scope, a missing prefix). The variable may also be "
        "made only in some modes or code paths."
    )
    fix = (
        "Use reuse=tf.compat.v1.AUTO_REUSE, which creates on first use and reuses after. Create "
        "the variable with get_variable under the same scope name each time."
    )

    def scan(self, ctx, i, line):
        for m in ctx.matches(_NOT_EXIST, line):
            self.add(ctx, (clean(m.group("name")),), i, line, m.start(), m.end())
