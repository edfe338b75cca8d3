"""AssertionError: <name> is not in graph (graph_util.extract_sub_graph, used when freezing)."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import GRAPH_NAME, clean

_NOT_IN_GRAPH = " is not in graph"
# Words that end up before " is not in graph" in prose rather than node names.
_STOPWORDS = frozenset({"it", "this", "that", "which", "what", "node", "tensor", "op", "operation", "name",
                        "variable", "is", "not", "and", "or", "but", "one", "something"})


class NodeNotInGraphDef(Kind):
    id = "node-not-in-graph-def"
    title = "A node name is not in the GraphDef"
    triggers = (_NOT_IN_GRAPH,)
    meaning = (
        "A graph utility (convert_variables_to_constants or extract_sub_graph, used when freezing "
        "or exporting) was given a node name. The GraphDef has no node of that name."
    )
    causes = (
        "A wrong output node name. Common slips are a tensor name with ':0' where a node name is "
        "wanted, a missing scope prefix, and an op that got a uniquifying suffix ('_1')."
    )
    fix = (
        "Give node names without ':0', copied from [n.name for n in graph_def.node]. Name the "
        "output ops explicitly with tf.identity(x, name=...) when building the model."
    )

    def scan(self, ctx, i, line):
        pos = line.find(_NOT_IN_GRAPH)
        while pos >= 0 and not ctx.full():
            end = pos + len(_NOT_IN_GRAPH)
            nxt = line[end:end + 1]
            if not nxt or not (nxt.isalnum() or nxt in "_ "):  # not "... is not in graph network"
                head = line[max(0, pos - 1000):pos]
                token = head.rsplit(None, 1)[-1] if head.strip() else ""
                name = clean(token)
                if name and GRAPH_NAME.fullmatch(name) and name.lower() not in _STOPWORDS:
                    self.add(ctx, (name,), i, line, pos - len(token), end)
            pos = line.find(_NOT_IN_GRAPH, end)
