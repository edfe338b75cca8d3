"""What the GL6xx rules share: `graphlint migrate` (graphlint/migrate/) maps a TF1 checkpoint onto a
rewrite of its model and turns what does not map into these rules' findings; they do not run on the
three modes' graphs."""

from __future__ import annotations

from graphlint.rules import Rule

EXAMPLE_NEEDS = ("a TF1 checkpoint trained for real and a new model in Keras 3 or PyTorch; "
                 "tests/test_migrate_*.py train the old models and check each broken port")


class MigrateRule(Rule):
    on_graphs = False
    example_needs = EXAMPLE_NEEDS

    def check(self, ctx):
        return []

    def make(self, name, message, fix="", names=()):
        return self.finding((), name, message, fix, names=names)
