"""The GL5xx rules each decide from a neutral comparison of the serving export with a SavedModel
(serving/compare.py) what is a finding of their own: no rule's findings depend on a string that
names it, so a rule whose symbol changes still reports, and the comparison names no rule.

The comparison here is of plain signature records (what serving/signatures.py reads from TF), with
one of every difference; tests/test_saved_model.py runs the same rules on real exports."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import pytest

from graphlint.rules import all_rules
from graphlint.rules._serving import ServingRule
from graphlint.serving import compare
from graphlint.serving import check as serving_check
from graphlint.serving.signatures import SavedModelInfo, ServingBuild, Signature, TensorSig

SERVING_RULES = [r for r in all_rules() if isinstance(r, ServingRule)]


def _t(dtype, *shape):
    return TensorSig("t:0", dtype, shape)


OLD = {
    "gone": Signature("predict", {"x": _t("float32", None, 4)}, {}),
    "unbuilt": Signature("predict", {"x": _t("float32", None, 4)}, {"s": _t("float32", None)}),
    "serving_default": Signature("predict", {
        "x": _t("float32", None, 4), "a": _t("float32", None, 4), "inc": _t("float32", None, 4),
        "nar": _t("float32", None, 4), "gen": _t("float32", None, 4)}, {
        "logits": _t("float32", None, 3), "classes": _t("int64", None), "o": _t("float32", None)}),
}
NEW = {
    "new": Signature("predict", {"x": _t("float32", None, 4)}, {}),
    "serving_default": Signature("predict", {
        "x": _t("float32", None, 4), "a": _t("float64", None, 4), "inc": _t("float32", None, 2, 2),
        "nar": _t("float32", 2, 4), "gen": _t("float32", None, None), "mask": _t("float32", None, 4)}, {
        "logit2": _t("float32", None, 3), "classes": _t("int64", None), "o": _t("float64", None),
        "probabilities": _t("float32", None, 5)}),
}
RESTORES = {"w": ((4, 3), "float32"), "w2": ((4, 3), "float32"), "w3": ((4, 3), "float32"), "w4": (None, "float32")}
HELD = {"w": ((4, 3), "float32"), "w3": ((3,), "float32"), "w4": ((4, 3), "float32")}
# code -> [(name, severity)] each rule reports for the comparison above
EXPECTED = {
    "GL501": [("gone", "error")],  # not 'unbuilt': the export fails on it (GL511), it is not removed
    "GL502": [("new", "info")],
    "GL503": [("serving_default/outputs/logits", "error")],
    "GL504": [("serving_default/inputs/mask", "error")],
    "GL505": [("serving_default/outputs/probabilities", "info")],  # not logit2, the rename of logits
    "GL506": [("serving_default/inputs/a", "error"), ("serving_default/outputs/o", "warning")],
    "GL507": [("serving_default/inputs/inc", "error")],
    "GL508": [("serving_default/inputs/nar", "warning")],
    "GL509": [("serving_default/inputs/gen", "info")],
    "GL510": [("cls", "error")],
    "GL511": [("unbuilt/outputs/s", "error")],
    "GL512": [("w2", "error"), ("w3", "error")],
}


@pytest.fixture(scope="module")
def comparison():
    build = ServingBuild("serving_input_receiver_fn", NEW, {"cls": "why"}, [("unbuilt", "outputs", "s", "o:0")],
                         RESTORES)
    variables = SimpleNamespace(entries={k: SimpleNamespace(shape=s, dtype=d) for k, (s, d) in HELD.items()})
    return compare.compare(build, SavedModelInfo("/sm", OLD, "/sm/variables/variables"), variables)


def test_every_serving_rule_is_checked_here():
    assert sorted(r.code for r in SERVING_RULES) == sorted(EXPECTED)


@pytest.mark.parametrize("rule", SERVING_RULES, ids=lambda r: r.code)
def test_each_rule_reports_its_own_differences(rule, comparison):
    found = rule.check_serving(comparison)
    assert [(f.name, f.severity) for f in found] == EXPECTED[rule.code]
    assert {(f.code, f.symbol, f.modes) for f in found} == {(rule.code, rule.symbol, ("predict",))}


def test_a_rename_is_asked_about_in_the_removed_keys_message(comparison):
    (gl503,) = [r for r in SERVING_RULES if r.code == "GL503"]
    (finding,) = gl503.check_serving(comparison)
    assert "'logit2'" in finding.message


@pytest.mark.parametrize("rule", SERVING_RULES, ids=lambda r: r.code)
def test_a_renamed_symbol_still_reports(rule, comparison, monkeypatch):
    """The run's collection of serving findings, with one rule's symbol changed: that rule's
    findings are the same, under its new symbol (they were once joined to it by that string)."""
    before = serving_check.rule_findings(comparison)
    monkeypatch.setattr(rule, "symbol", f"renamed-{rule.code.lower()}")
    after = serving_check.rule_findings(comparison)
    assert [(f.code, f.name, f.message) for f in after] == [(f.code, f.name, f.message) for f in before]
    assert {f.symbol for f in after if f.code == rule.code} == {f"renamed-{rule.code.lower()}"}


@pytest.mark.parametrize("rule", SERVING_RULES, ids=lambda r: r.code)
def test_each_rule_holds_its_own_check(rule):
    assert "check_serving" in vars(type(rule)), f"{rule.code} decides nothing of its own"


def test_the_comparison_names_no_rule():
    source = inspect.getsource(compare)
    assert not [r.symbol for r in all_rules() if r.symbol in source]
    assert not [r.code for r in all_rules() if r.code in source]


def test_without_a_saved_model_only_the_build_is_checked():
    build = ServingBuild("serving_input_receiver_fn", NEW, {"cls": "why"}, [("unbuilt", "outputs", "s", "o:0")],
                         RESTORES)
    found = serving_check.rule_findings(compare.compare(build))
    assert [(f.code, f.name) for f in found] == [("GL510", "cls"), ("GL511", "unbuilt/outputs/s")]
