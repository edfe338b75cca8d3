"""The GL6xx rules each decide from neutral facts of one migration (migrate/coverage.py's
MigrationCheck, with parity.py's ParityCheck) what is a finding of their own: no rule's findings
depend on a string that names it, so a rule whose code or symbol changes still reports, and the facts
name no rule. Every GL6xx rule fires here, in seconds and without TensorFlow; tests/test_migrate_*.py
make the same findings on real checkpoints and ports.

The facts are built from plain layers (migrate/layers.py), with one of every problem; the last tests
compute them from a real alignment (mapping.py) as `graphlint migrate` does."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import pytest

from graphlint.migrate import command, coverage, mapping, parity
from graphlint.migrate.layers import Layer, Weight
from graphlint.migrate.probes import LayerParity
from graphlint.rules import RULES, all_rules
from graphlint.rules._migrate import MigrateRule

MIGRATE_RULES = [r for r in all_rules() if isinstance(r, MigrateRule)]


def _w(key, role, *shape, dtype="float32"):
    return Weight(key, role, tuple(shape), dtype)


def _dense(name, rows, cols, torch=False):
    if torch:
        return Layer(name, "dense", {"kernel": _w(f"{name}.weight", "kernel", cols, rows), "bias": _w(f"{name}.bias", "bias", cols)},
                     (rows, cols), {"class": "Linear"})
    return Layer(name, "dense", {"kernel": _w(f"{name}/kernel", "kernel", rows, cols),
                                 "bias": _w(f"{name}/bias", "bias", cols)}, (rows, cols))


OLD_BN = Layer("bn", "norm", {"gamma": _w("bn/gamma", "gamma", 8), "beta": _w("bn/beta", "beta", 8)}, (8,))
NEW_BN = Layer("1", "norm", {"mean": _w("1.running_mean", "mean", 8), "var": _w("1.running_var", "var", 8)}, (8,),
               {"class": "BatchNorm2d"})
OLD_GRU = Layer("rnn/gru_cell", "gru", {"gates_kernel": _w("rnn/gru_cell/gates/kernel", "kernel", 10, 12),
                                        "candidate_kernel": _w("rnn/gru_cell/candidate/kernel", "kernel", 10, 6)},
                (10, 18))
NEW_GRU = Layer("gru", "gru", {"weight_ih_l0": _w("gru.weight_ih_l0", "weight_ih_l0", 18, 4)}, (10, 18),
                {"reset_after": True, "class": "GRU"})
OLD_EMB = Layer("emb", "embedding", {"table": _w("emb/table", "table", 100, 8)}, (100, 8))
NEW_EMB = Layer("emb", "embedding", {"table": _w("emb.weight", "table", 50, 8)}, (100, 8), {"class": "Embedding"})
SHADOWS = ("dense/bias/ExponentialMovingAverage", "dense/kernel/ExponentialMovingAverage")


def _check(**parity_fields):
    swapped = _dense("0", 16, 8, torch=True)  # declared Linear(out, in): its weight is [8, 16] like TF's kernel
    old0, old1, old2 = _dense("dense", 8, 16), _dense("dense_1", 16, 16), _dense("dense_2", 16, 16)
    return coverage.MigrationCheck(
        layers_without_source=(coverage.LayerWithoutSource(_dense("5", 16, 16, torch=True)),),
        weights_not_in_file=(coverage.WeightNotInFile(_dense("3", 16, 3, torch=True),
                                                      _w("3.bias", "bias", 3)),),
        parts_without_source=(coverage.PartsWithoutSource(NEW_BN, OLD_BN, tuple(NEW_BN.weights.values()), True),),
        unused_layers=(coverage.UnusedLayer(old1, "0", "2", "meta graph"),),
        unused_blocks=(coverage.UnusedBlock("enc/layer_1", (_dense("enc/layer_1/query", 16, 16),
                                                            _dense("enc/layer_1/output", 16, 16)), "5", "", "meta graph"),),
        unused_weights=(coverage.UnusedWeight(old2, old2.weights["bias"]),
                        coverage.UnusedWeight(old0, old0.weights["bias"], swapped)),
        shape_mismatches=(
            coverage.ShapeMismatch(swapped, (coverage.WeightMisfit(swapped.weights["kernel"], old0.weights["kernel"],
                                                                   "permute(1, 0)", (16, 8), fits_as_is=True),)),
            coverage.ShapeMismatch(NEW_EMB, (coverage.WeightMisfit(NEW_EMB.weights["table"], OLD_EMB.weights["table"],
                                                                   "identity", (100, 8), partitions=((50, 8), (50, 8))),))),
        ambiguous=(coverage.Ambiguity(_dense("4", 16, 16, torch=True), (old1, old2)),
                   coverage.Ambiguity(_dense("dense_5", 16, 16), (_dense("6", 16, 16, torch=True),
                                                                  _dense("7", 16, 16, torch=True)), is_old=True),
                   coverage.Ambiguity(_dense("8", 16, 16, torch=True), (old1,), ("dense", "embedding"))),
        dtype_mismatches=(coverage.DtypeMismatch(_dense("9", 16, 3, torch=True),
                                                 ((_w("9.weight", "kernel", 3, 16, dtype="float64"), old2.weights["kernel"]),)),),
        unchosen_shadows=SHADOWS,
        not_converted=(coverage.NotConverted(NEW_GRU, OLD_GRU, "torch"),),
        parity=parity.ParityCheck(**{**dict(
            differing=(parity.Output("logits", (4, 3), 0.5, 0.1),), batch="the batch", atol=1e-5, rtol=1e-5,
            first=LayerParity("2", "dense_2", 0.5, 0.1, False, "dense_2/BiasAdd:0"), agreeing_before=("0",)),
            **parity_fields}))


# code -> [(name, severity)] each rule reports for the facts above, in report order
EXPECTED = {
    "GL601": [("1", "error"), ("3.bias", "error"), ("5", "error")],
    "GL602": [("dense/bias", "error"), ("dense_1", "error"), ("dense_2/bias", "error"), ("enc/layer_1", "error")],
    "GL603": [("0", "error"), ("emb", "error")],
    "GL604": [("4", "error"), ("8", "error"), ("dense_5", "error")],
    "GL605": [("9", "error")],
    "GL606": [(SHADOWS[0], "warning")],
    "GL607": [("2", "error")],
    "GL608": [("gru", "error")],
}


def _by_code(found) -> dict:
    out = {}
    for f in found:
        out.setdefault(f.code, []).append((f.name, f.severity))
    return out


def test_every_migrate_rule_is_checked_and_fires_here():
    assert sorted(r.code for r in MIGRATE_RULES) == sorted(EXPECTED)
    assert _by_code(command.rule_findings(_check())) == EXPECTED


@pytest.mark.parametrize("rule", MIGRATE_RULES, ids=lambda r: r.code)
def test_each_rule_reports_its_own_problems(rule):
    found = sorted(rule.check_migration(_check()), key=lambda f: f.sort_key())
    assert [(f.name, f.severity) for f in found] == EXPECTED[rule.code]
    assert {(f.code, f.symbol, f.modes) for f in found} == {(rule.code, rule.symbol, ())}


@pytest.mark.parametrize("rule", MIGRATE_RULES, ids=lambda r: r.code)
def test_each_rule_reports_nothing_when_nothing_is_wrong(rule):
    assert rule.check_migration(coverage.MigrationCheck()) == []


@pytest.mark.parametrize("rule", MIGRATE_RULES, ids=lambda r: r.code)
def test_each_rule_holds_its_own_check(rule):
    assert "check_migration" in vars(type(rule)), f"{rule.code} decides nothing of its own"


@pytest.mark.parametrize("rule", MIGRATE_RULES, ids=lambda r: r.code)
def test_a_renamed_rule_still_reports(rule, monkeypatch):
    """The command's collection of findings with one rule replaced by a subclass under another code
    and symbol: its findings are the same, under the new names (no string joins them to the rule)."""
    before = [(f.name, f.message, f.fix) for f in command.rule_findings(_check()) if f.code == rule.code]
    renamed = type("Renamed", (type(rule),), {"code": "GL6ZZ", "symbol": f"renamed-{rule.symbol}"})
    try:
        monkeypatch.delitem(RULES, rule.code)
        found = command.rule_findings(_check())
    finally:
        RULES.pop(renamed.code)
    assert rule.code not in {f.code for f in found}
    assert [(f.name, f.message, f.fix) for f in found if f.code == "GL6ZZ"] == before
    assert {f.symbol for f in found if f.code == "GL6ZZ"} == {f"renamed-{rule.symbol}"}


def test_the_facts_name_no_rule():
    source = inspect.getsource(coverage) + inspect.getsource(parity)
    assert not [r.symbol for r in all_rules() if r.symbol in source]
    assert not [r.code for r in all_rules() if r.code in source]


def _messages(code: str) -> list:
    return [f.message for f in command.rule_findings(_check()) if f.code == code]


def test_what_would_fit_is_said():
    gl603 = " ".join(_messages("GL603"))
    assert "fits OLD untransposed" in gl603 and "2 partitioned variables ([50, 8], [50, 8])" in gl603
    assert "no moving statistics" in " ".join(_messages("GL601"))
    assert "it would sit after NEW 0 and before NEW 2, by OLD's meta graph order" in " ".join(_messages("GL602"))
    assert "OLD block enc/layer_1/ (2 layers, every OLD layer under it: query (dense), output (dense))" in \
        " ".join(_messages("GL602"))
    assert "9.weight is float64, its source OLD dense_2/kernel is float32" in _messages("GL605")[0]
    assert "(nn.GRU) cannot compute" in _messages("GL608")[0]


def test_parity_names_the_first_layer_that_differs_else_the_output():
    (located,) = _messages("GL607")
    assert located.startswith("the first layer that differs is NEW 2 from OLD dense_2")
    assert "the layers before it agree (0)" in located
    (output,) = [f for f in command.rule_findings(_check(first=None, agreeing_before=())) if f.code == "GL607"]
    assert output.name == "logits" and output.message.startswith("output logits [4, 3]: max |new - old| = 0.5")
    assert not [f for f in command.rule_findings(_check(differing=())) if f.code == "GL607"]


# --- the facts from a real alignment (mapping.py, no TensorFlow) --------------------------------------

def _old_side(layers, shadows=None, partitions=None):
    return SimpleNamespace(layers=layers, shadows=shadows or {}, partitions=partitions or {}, order="names")


def test_a_missing_layer_is_located_between_the_new_layers_its_neighbours_became():
    old = [_dense("dense", 8, 16), _dense("dense_1", 16, 16), _dense("dense_2", 16, 3)]
    new = [_dense("0", 8, 16, torch=True), _dense("2", 16, 3, torch=True)]
    check = coverage.check(mapping.align(old, new, "torch"), _old_side(old), use_ema=False)
    assert [(u.layer.name, u.after, u.before) for u in check.unused_layers] == [("dense_1", "0", "2")]
    assert _by_code(command.rule_findings(check)) == {"GL602": [("dense_1", "error")]}


def _block(scope, *names):
    return [_dense(f"{scope}/{n}", 16, 16) for n in names]


def test_a_missing_block_is_one_finding_naming_the_block_and_its_layers():
    """Every OLD layer under enc/layer_1 unused (an encoder layer fewer in NEW): one fact, one GL602
    at the block, standing for its layers and their keys; placed between the NEW layers around it."""
    old = _block("enc/layer_0", "query", "output") + _block("enc/layer_1", "query", "output") + [_dense("head", 16, 3)]
    new = [_dense(f"layer0.{n}", 16, 16, torch=True) for n in ("query", "output")] + [_dense("head", 16, 3, torch=True)]
    check = coverage.check(mapping.align(old, new, "torch"), _old_side(old), use_ema=False)
    assert check.unused_layers == ()
    (block,) = check.unused_blocks
    assert (block.scope, [o.name for o in block.layers], block.after, block.before) == (
        "enc/layer_1", ["enc/layer_1/query", "enc/layer_1/output"], "layer0.output", "head")
    (finding,) = command.rule_findings(check)
    assert (finding.code, finding.name) == ("GL602", "enc/layer_1")
    assert finding.names == ("enc/layer_1", "enc/layer_1/query", "enc/layer_1/output", "enc/layer_1/query/kernel",
                             "enc/layer_1/query/bias", "enc/layer_1/output/kernel", "enc/layer_1/output/bias")
    assert "OLD block enc/layer_1/ (2 layers" in finding.message


def test_unused_layers_under_a_scope_that_also_has_a_used_one_stay_one_finding_each():
    """blk/c is used: blk/a and blk/b are not a missing block, each is its own layer missing."""
    old = [_dense("blk/a", 8, 16), _dense("blk/b", 16, 16), _dense("blk/c", 16, 3)]
    check = coverage.check(mapping.align(old, [_dense("c", 16, 3, torch=True)], "torch"), _old_side(old), use_ema=False)
    assert check.unused_blocks == ()
    assert _by_code(command.rule_findings(check)) == {"GL602": [("blk/a", "error"), ("blk/b", "error")]}


def test_one_layer_pair_is_one_fact_however_many_of_its_weights_mismatch():
    old = [_dense("dense", 8, 16)]
    new = [Layer("0", "dense", {"kernel": _w("0.weight", "kernel", 8, 16), "bias": _w("0.bias", "bias", 16)},
                 (8, 16), {"class": "Linear"})]  # declared Linear(out, in)
    check = coverage.check(mapping.align(old, new, "torch"), _old_side(old), use_ema=False)
    (mismatch,) = check.shape_mismatches
    assert [(m.weight.key, m.fits_as_is) for m in mismatch.weights] == [("0.weight", True)]


@pytest.mark.parametrize("use_ema,shadows", [(None, SHADOWS), (True, ()), (False, ())])
def test_shadows_are_a_fact_until_chosen(use_ema, shadows):
    old = [_dense("dense", 8, 16)]
    side = _old_side(old, shadows={s.rsplit("/", 1)[0]: s for s in SHADOWS})
    check = coverage.check(mapping.align(old, [_dense("0", 8, 16, torch=True)], "torch"), side, use_ema)
    assert check.unchosen_shadows == shadows


def test_an_issue_coverage_has_no_fact_for_is_an_error_not_a_silent_drop():
    result = mapping.Mapping(issues=[mapping.Issue("nonesuch", "0", {"layer": _dense("0", 8, 16, torch=True)})])
    with pytest.raises(RuntimeError, match="nonesuch"):
        coverage.check(result, _old_side([]), use_ema=False)
