"""A graph's edges, read from TensorFlow once: which op feeds which, by name.

Op roles and the label ops spread along edges in both directions, several times over the whole
graph. Each step through TF's objects (op.inputs, Tensor.consumers(), control outputs) is a call
into TF's C API; at 100k ops the spreads made millions of them. One pass here reads every op's
inputs (by name, from the C API: op.inputs would make and keep a Tensor per edge) and control
inputs; consumers are the same edges the other way round.
"""

from __future__ import annotations

from graphlint.tfpatch.graph import input_reader

_NONE: tuple = ()


class Links:
    """{name: ...} views of one graph's ops at the moment it is made (a graph only grows: ops made
    later are not in it)."""

    def __init__(self, graph):
        self.ops = graph.get_operations()  # in the order they were made
        self.types: dict = {}
        self.inputs: dict = {}  # name -> names of the ops whose outputs it reads, in input order
        self.controls: dict = {}  # name -> names of its control inputs
        users: dict = {}
        control_users: dict = {}
        input_names = input_reader()
        for op in self.ops:
            name = op.name
            self.types[name] = op.type
            ins = self.inputs[name] = input_names(op)
            ctl = self.controls[name] = tuple([c.name for c in op.control_inputs])
            for producer in ins:
                users.setdefault(producer, []).append(name)
            for producer in ctl:
                control_users.setdefault(producer, []).append(name)
        self._users, self._control_users = users, control_users

    def users(self, name: str):
        """The ops that read an output of `name` (Tensor.consumers() of each output)."""
        return self._users.get(name, _NONE)

    def control_users(self, name: str):
        """The ops that have `name` as a control input (TF's control outputs)."""
        return self._control_users.get(name, _NONE)

    def ancestors(self, *names) -> set:
        """Every op that running `names` runs (themselves included): input and control-input
        producers, transitively."""
        seen, stack = set(), list(names)
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.add(name)
                stack.extend(self.inputs.get(name, _NONE))
                stack.extend(self.controls.get(name, _NONE))
        return seen
