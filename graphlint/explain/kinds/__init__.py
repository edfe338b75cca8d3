"""The error kinds of ``graphlint explain``: one module per kind of TensorFlow error, each holding
the messages' patterns, how the names are read from them, the labels of its details and the
explanation, together. Modules are found with pkgutil; every Kind subclass with an ``id``
registers itself in KINDS (like the rules in graphlint.rules). all_kinds() lists them by id.

How to add a kind, say "graph-is-finalized":

1. graphlint/explain/kinds/graph_is_finalized.py (the module is named after the id, with '_' for
   '-'), holding one subclass of Kind:

   - ``id``: stable, kebab-case; ``title``: one line, capitalised, no full stop;
   - ``triggers``: literal substrings that every message of the kind contains; a line holding
     none of them is never given to ``scan`` (this keeps a large log fast);
   - ``scan(ctx, i, line)``: find the messages in line i (0-based) with ``ctx.matches(PATTERN,
     line)`` and record each with ``self.add(ctx, names, i, line, start, end, details)``. The
     patterns start with a literal and have bounded quantifiers only (see patterns.py). ``ctx``
     (graphlint.explain.parser.Scan) also reads the "[[node ...]]" lines after an op error
     (``ctx.node_after``), the checkpoint being restored (``ctx.restore_context``) and tracebacks
     (``ctx.defined_at``). Details are str values; give new detail keys a ``labels`` entry;
   - ``meaning``, ``causes``, ``fix``: two to four sentences each, in plain English;
   - ``restore``, ``fetched``, ``identity``, ``data_dependent``: see Kind below; an op error of
     a kernel can record its node (or eager op type) with ``self.add_op_error``.

2. A log of a real failing run under tests/logs/ (paths made generic), or, for an old TF
   version's wording, one hand-made from that version's sources; or, for a one-line message, a
   case in ONE_ERROR in tests/test_logparse.py.

3. Its expectations in tests/test_logparse.py: the exact (kind, names, line) of everything found
   in the new log in EXPECTED, and its details. test_every_kind_is_exercised fails until a log or
   a ONE_ERROR case finds the new kind; the random-log tests then check that it never raises.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from graphlint.explain.patterns import Pattern

KINDS: dict = {}  # id -> Kind instance, filled by all_kinds()
_EAGER_OP = Pattern(r"\[Op:(?P<op>\w{1,64})\]")  # eager's "... [Op:MatMul] name: "


class Kind:
    """One kind of TensorFlow error: its messages, what they name, and what to do about it."""

    id = ""  # stable id, e.g. "key-not-found-in-checkpoint"
    title = ""  # one line, for a person
    triggers: tuple = ()  # literals, at least one of which is in every line holding a message
    meaning = ""  # what it means
    causes = ""  # usual causes
    fix = ""  # what to do
    labels: dict = {}  # detail key -> label, for the detail keys only this kind uses
    restore = False  # an error of a checkpoint restore (a nearby "Restoring ... failed" wrapper adds nothing)
    wraps_restore = False  # only wraps a restore error: dropped when that error is in the log near it
    fetched = False  # can be a fetch or feed_dict key, so the "Fetch argument X ..." wrapper names it
    identity: tuple = ()  # for an error without names: the details that tell two of them apart
    data_dependent = False  # raised by what an op met when it ran, which building a graph cannot see

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.id:
            if cls.id in KINDS:
                raise RuntimeError(f"error kind {cls.id} is defined twice")
            KINDS[cls.id] = cls()

    def scan(self, ctx, i: int, line: str) -> None:
        raise NotImplementedError

    def add(self, ctx, names, i, line, start, end, details=None):
        return ctx.add(self.id, names, i, line, start, end, details)

    def add_op_error(self, ctx, i, line, m, details):
        """An op kernel's error at match m: named by its node ("[[{{node x}}]]" after it, "Node: 'x'"
        before it); an eager op has none, and "[Op:MatMul]" after it gives its type instead."""
        d = ctx.node_after(i, line, m.end())
        d.pop("variable", None)  # only an Assign's first input is a variable
        op = _EAGER_OP.search(line, m.end(), m.end() + 400)
        if op:
            d["op"] = op.group("op")
        d.update(details)
        return self.add(ctx, (d["node"],) if "node" in d else (), i, line, m.start(), m.end(), d)


@functools.lru_cache(maxsize=None)
def all_kinds() -> tuple:
    """Every kind, by id: importing the modules of this package registers them."""
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        importlib.import_module(f"{__name__}.{module}")
    return tuple(KINDS[k] for k in sorted(KINDS))
