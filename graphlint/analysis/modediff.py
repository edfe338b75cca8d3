"""The table of names present in some modes only, grouped by top scope and labelled by class."""

from __future__ import annotations

import heapq
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass

from graphlint.analysis.classify import Classifier
from graphlint.model.snapshot import MODES


@dataclass(frozen=True)
class DiffRow:
    scope: str
    cls: str
    modes: tuple  # the modes that have these names
    ops: int
    variables: int
    examples: tuple


_GENERATED = re.compile(r"^[A-Z][A-Za-z0-9]*(_\d+)?$")


def _telling(name, op_type, variables):
    """Sort key: variables and user-named tensors (tf.identity) first, generated names last."""
    leaf = name.rsplit("/", 1)[-1]
    return (name not in variables, name.count("/"), bool(_GENERATED.match(leaf)), op_type != "Identity",
            len(name), name)


def mode_diff(snapshots: dict) -> list:
    built = [snapshots[m] for m in MODES if m in snapshots and snapshots[m].built]
    if len(built) < 2:
        return []
    classifier = Classifier(built)
    types, present = {}, {}  # name -> its op type, the modes that have it: for names missing somewhere
    have = {snap.mode: set(snap.ops) for snap in built}
    for size in range(1, len(built)):  # each set of modes, by set algebra: most names are everywhere
        for modes in itertools.combinations([snap.mode for snap in built], size):
            here = set.intersection(*(have[m] for m in modes))
            here.difference_update(*(have[m] for m in have if m not in modes))
            first = snapshots[modes[0]].ops  # the type in the first mode that has it, as MODES go
            for name in here:
                types[name], present[name] = first[name], modes
    variables = {n for s in built for n in s.variables}
    groups = defaultdict(list)
    for name, modes in present.items():  # in any order: groups are sorted, and so are their names
        scope = name.split("/", 1)[0]  # an op and the scope named after it are one group
        groups[(scope, classifier.classify(name, types[name], modes), modes)].append(name)
    rows = []
    for (scope, cls, modes), names in sorted(groups.items()):
        n_vars = sum(1 for n in names if n in variables)
        examples = tuple(heapq.nsmallest(2, names, key=lambda n: _telling(n, types[n], variables)))
        rows.append(DiffRow(scope, cls, modes, len(names) - n_vars, n_vars, examples))
    return rows
