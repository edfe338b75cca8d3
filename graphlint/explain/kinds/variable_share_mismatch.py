"""ValueError: Trying to share variable <name>, but specified shape (2, 4) and found shape (2, 3)."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import N, SHAPE, Pattern, clean, shape

_SHARE = Pattern(
    r"Trying to share variable (?P<name>[^\s,]" + N + r"), but specified (?P<what>shape|dtype) "
    r"(?P<spec>" + SHAPE + r"|\w{1,40}) and found (?:shape|dtype) (?P<found>" + SHAPE + r"|\w{1,40})"
)


class VariableShareMismatch(Kind):
    id = "variable-share-mismatch"
    title = "A shared variable was asked for with another shape or dtype"
    triggers = ("Trying to share variable ",)
    labels = {"what": "differs in", "specified": "asked for", "found": "existing"}
    meaning = (
        "tf.compat.v1.get_variable reused an existing variable, but the call asked for a "
        "different shape or dtype. The details say what differs, what was asked for and what "
        "exists."
    )
    causes = (
        "Two different variables were given the same name under a reusing scope. Or the shape "
        "depends on the input or on params that differ between the two calls."
    )
    fix = (
        "Give the two variables different names if they are different variables. If they are "
        "one variable, make both calls ask for the same shape and dtype."
    )

    def scan(self, ctx, i, line):
        for m in ctx.matches(_SHARE, line):
            what = m.group("what")
            conv = shape if what == "shape" else (lambda s: s)
            d = {"what": what, "specified": conv(m.group("spec")), "found": conv(m.group("found"))}
            self.add(ctx, (clean(m.group("name")),), i, line, m.start(), m.end(), d)
