"""TypeError: Fetch argument None has invalid type <class 'NoneType'> (TF 1.x), or
Argument `fetch` = None has invalid type "NoneType" (TF 2.x)."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import Pattern

_INVALID_FETCH = Pattern(
    r"(?:Fetch argument|Argument `fetch` =) (?P<fetch>[^\s]{1,200}(?: of [^\s]{1,200})?) has invalid type "
    r"['\"<]?(?:class |type )?['\"]?(?P<type>[\w.]{1,200})"
)


class InvalidFetchType(Kind):
    id = "invalid-fetch-type"
    title = "A session was asked to fetch something that is not a tensor or op"
    triggers = ("has invalid type",)
    identity = ("fetch", "type")  # never named
    labels = {"type": "type"}
    meaning = (
        "Session.run, called directly or with a SessionRunHook's SessionRunArgs, got a fetch "
        "that is neither a tensor, an operation nor a name of one. Most often the fetch was None."
    )
    causes = (
        "A function that returns None by accident: a missing return, an op built only in some "
        "modes, or train_op=None in EVAL. A Python number or object put into the fetches does "
        "the same."
    )
    fix = (
        "Check each value put into SessionRunArgs or Session.run before running. Leave out the "
        "fetches that do not exist in the current mode."
    )

    def scan(self, ctx, i, line):
        for m in ctx.matches(_INVALID_FETCH, line):
            d = {"fetch": m.group("fetch").split(" of ")[0], "type": m.group("type")}  # "X of <type>": X
            self.add(ctx, (), i, line, m.start(), m.end(), d)
