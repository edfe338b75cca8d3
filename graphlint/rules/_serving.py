"""What the GL5xx rules share: each reports the serving Changes of its own kind (serving/compare.py).
Their input is the serving graph and a SavedModel, which the run layer builds (serving/run.py), so
they do not run on the three modes' graphs."""

from __future__ import annotations

from graphlint.rules import Rule

EXAMPLE_NEEDS = ("a SavedModel exported by Estimator.export_saved_model; tests/test_saved_model.py exports the "
                 "Example and Fix for real and calls the old signatures on the new model")

RECEIVER = '''def serving_input_receiver_fn():
    x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
    return tf.estimator.export.ServingInputReceiver({"x": x}, {"x": x})'''


class ServingRule(Rule):
    on_graphs = False
    example_needs = EXAMPLE_NEEDS

    def check(self, ctx):
        return []

    def severity_for(self, change) -> str:
        return self.severity

    def check_serving(self, changes) -> list:
        return [self.finding(("predict",), c.name, c.message, c.fix, severity=self.severity_for(c))
                for c in changes if c.kind == self.symbol]
