"""What the GL6xx rules share. Their input is a migrate/coverage.py MigrationCheck: the facts of one
`graphlint migrate` run (graphlint/migrate/ maps a TF1 checkpoint onto a rewrite of its model, and
with --old-model runs both), which the command hands to each rule's check_migration; they do not run
on the three modes' graphs. Each rule decides what in the facts is a finding of its own, and words it."""

from __future__ import annotations

from graphlint.rules import Rule

EXAMPLE_NEEDS = ("a TF1 checkpoint trained for real and a new model in Keras 3 or PyTorch; "
                 "tests/test_migrate_*.py train the old models and check each broken port")

MAPPING_FIX = ("or name its source yourself: --write-mapping PATH, edit the entry, pass it back with --mapping PATH")


class MigrateRule(Rule):
    on_graphs = False
    example_needs = EXAMPLE_NEEDS

    def check(self, ctx):
        return []

    def check_migration(self, check) -> list:
        """This rule's findings in a migrate/coverage.py MigrationCheck."""
        raise NotImplementedError

    def make(self, name, message, fix="", names=()):
        return self.finding((), name, message, fix, names=names)


def weight_keys(layer) -> list:
    return [w.key for w in layer.weights.values()]
