"""run/supersede.py: a rule that names a cause runs before the rules whose findings are its
symptoms, and those leave out what it explains, directly or through another rule. Rules here are
stand-ins with the attributes the runner reads (a real Rule subclass would join the registry)."""

from types import SimpleNamespace

import pytest

from graphlint.findings import Finding
from graphlint.rules import Rule
from graphlint.run import supersede


class FakeRule:
    """A rule reporting each of `names` in `modes`, one finding per name it has left."""

    def __init__(self, code, names, modes=("eval",), supersedes=(), asks=True):
        self.code, self.names, self.modes, self.supersedes, self.asks = code, names, modes, supersedes, asks
        self.ran_after = None

    def check(self, ctx):
        self.ran_after = set(ctx.ran)
        ctx.ran.add(self.code)
        for name in self.names:
            modes = Rule.unclaimed(self, ctx, name, self.modes) if self.asks else self.modes
            if modes:
                yield Finding(self.code, "s", "error", tuple(modes), name, "m")

    explains = Rule.explains


def _ctx():
    return SimpleNamespace(claims={}, ran=set())


def test_a_cause_rule_runs_first_and_its_symptoms_leave_out_its_names():
    symptom = FakeRule("GL101", ["a", "b"], supersedes=("GL301",))
    missing = FakeRule("GL301", ["a", "b", "c"])
    cause = FakeRule("GL107", ["a"], supersedes=("GL101",))
    found = supersede.run(_ctx(), [symptom, missing, cause])  # listed before their cause: reordered
    assert sorted((f.code, f.name) for f in found) == [("GL101", "b"), ("GL107", "a"), ("GL301", "c")]
    assert "GL107" in symptom.ran_after and {"GL101", "GL107"} <= missing.ran_after


def test_only_the_modes_a_cause_explains_are_left_out():
    cause = FakeRule("GL102", ["k"], modes=("eval",), supersedes=("GL302",))
    ckpt = FakeRule("GL302", ["k"], modes=("train", "eval"))
    found = supersede.run(_ctx(), [ckpt, cause])
    assert [(f.code, f.modes) for f in found if f.code == "GL302"] == [("GL302", ("train",))]


def test_a_rule_that_does_not_ask_still_reports_nothing_twice():
    cause = FakeRule("GL107", ["a"], modes=("eval", "predict"), supersedes=("GL101",))
    deaf = FakeRule("GL101", ["a", "b"], modes=("eval",), asks=False)
    found = supersede.run(_ctx(), [deaf, cause])
    assert sorted((f.code, f.name) for f in found) == [("GL101", "b"), ("GL107", "a")]


def test_rules_that_supersede_each_other_in_a_cycle_are_a_programming_error():
    with pytest.raises(RuntimeError, match="cycle"):
        supersede.run(_ctx(), [FakeRule("A", [], supersedes=("B",)), FakeRule("B", [], supersedes=("A",))])


def test_the_registry_supersedes_only_codes_that_exist():
    from graphlint.rules import all_rules

    codes = {r.code for r in all_rules()}
    for rule in all_rules():
        assert set(rule.supersedes) <= codes - {rule.code}, rule.code
