"""What the GL5xx rules share. Their input is a serving/compare.py Comparison of the serving graph
with a SavedModel, which the run layer has built (serving/check.py) and hands to each rule's
check_serving, so they do not run on the three modes' graphs; each rule decides what in it is a
finding of its own, and words it."""

from __future__ import annotations

from graphlint.rules import Rule
from graphlint.serving.compare import shape_text

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

    def check_serving(self, comparison) -> list:
        """This rule's findings in a serving/compare.py Comparison."""
        raise NotImplementedError

    def serving_finding(self, name, message, fix="", severity=None):
        return self.finding(("predict",), name, message, fix, severity=severity)


def tensor_text(at) -> str:
    """"input 'x' of signature 'serving_default'" for a compare.TensorKey."""
    return f"{io_word(at.io)} '{at.key}' of signature '{at.signature}'"


def io_word(io: str) -> str:
    return "input" if io == "inputs" else "output"


def is_input(at) -> bool:
    return at.io == "inputs"


def shape_change(pair) -> str:
    """The message of the three shape rules for a compare.TensorPair."""
    return (f"{tensor_text(pair.at)} changed shape {shape_text(pair.old.shape)} -> {shape_text(pair.new.shape)} "
            f"({pair.shape_relation})")
