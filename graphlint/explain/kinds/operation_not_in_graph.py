"""KeyError: The name '<name>' refers to an Operation not in the graph."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import N, Pattern, clean

_OP_MISSING = Pattern(
    r"The name ['\"]?(?P<name>[^\s'\"]" + N + r")['\"]? refers to an Operation not in the graph"
)


class OperationNotInGraph(Kind):
    id = "operation-not-in-graph"
    title = "An operation was asked for by a name that the graph does not have"
    triggers = ("The name ",)
    fetched = True
    meaning = (
        "Code looked up an operation by its name, as a fetch or a run target without ':0'. The "
        "graph being run has no operation of that name."
    )
    causes = (
        "The op is created only in some modes, or it was given another name. The name may also "
        "have got a uniquifying suffix ('_1') because a scope or op of that name already existed."
    )
    fix = (
        "Pass the operation object instead of its name, or look up the real name with "
        "[op.name for op in graph.get_operations()]. Build the op in every mode that runs it."
    )

    def scan(self, ctx, i, line):
        for m in ctx.matches(_OP_MISSING, line):
            self.add(ctx, (clean(m.group("name")),), i, line, m.start(), m.end())
