"""Supersession after selection, on the recordings (no TensorFlow): a cause that is not selected
explains nothing, so ignoring it shows the symptoms it stood for, exactly as if its rule did not
exist (run/supersede.py keeps what each superseded rule reports under every selection beside the
report, and run/selection.py picks the one the configuration gives)."""

import itertools

import pytest

from conftest import ROOT
from graphlint.config import Config
from graphlint.rules import all_rules
from graphlint.run import supersede
from graphlint.run.selection import apply_config, is_selected
from recording import MODELS, _cwd, findings, load, model_id
from graphlint.serving.check import rule_findings

CAUSES = sorted(r.code for r in all_rules() if r.supersedes)


def _model(name):
    return load(next(m for m in MODELS if model_id(m) == name))


def _shown(rec, **config):
    return [(f.code, ",".join(f.modes), f.all_names) for f in findings(rec, Config(**config))]


class _Silent:
    """An ignored rule: it finds nothing, but where it stands among the rules does not change (GL105
    explains what GL101 would report, and so what GL101 would supersede, whether GL101 is selected
    or not: the cause is the same)."""

    def __init__(self, rule):
        self.code, self.supersedes = rule.code, rule.supersedes

    def check(self, ctx):
        return ()


def _without_the_ignored_rules(rec, config) -> list:
    """The reference: the ignored rules find nothing, then the same run layer."""
    ctx = rec.ctx
    rules = [r if is_selected(r.code, config.select, config.ignore, config.extend_select) else _Silent(r)
             for r in all_rules() if r.on_graphs and (ctx.checkpoint is not None or not r.needs_checkpoint)]
    with _cwd(ROOT):
        found = supersede.run(ctx, rules)
        if rec.serving is not None:
            found += rule_findings(rec.serving.comparison)
        found = sorted(found, key=lambda f: f.sort_key())
        model_file = ctx.info.model_file
        return apply_config(found, config, [model_file] if model_file else [])


def test_ignoring_the_ema_cause_shows_the_missing_key_it_stood_for():
    rec = _model("cases/ema_eval_only")
    assert _shown(rec) == [("GL107", "eval,predict", ("w/ExponentialMovingAverage",))]
    assert _shown(rec, ignore=["GL107"]) == [("GL101", "eval,predict", ("w/ExponentialMovingAverage",))]
    assert _shown(rec, select=["GL101"]) == [("GL101", "eval,predict", ("w/ExponentialMovingAverage",))]
    assert _shown(rec, ignore=["GL101"]) == _shown(rec)  # the cause does not need its symptom selected


def test_ignoring_the_numbering_cause_shows_the_shape_and_key_findings():
    rec = _model("cases/numbering_shift")
    assert {c for c, _, _ in _shown(rec)} == {"GL105", "GL104"}
    shown = _shown(rec, ignore=["GL105"])
    assert {c for c, _, _ in shown} == {"GL101", "GL102", "GL104"}
    assert ("GL102", "train,eval,predict", ("Variable",)) in shown


def test_ignoring_the_params_cause_shows_the_shape_finding():
    rec = _model("cases/params_shape")
    assert _shown(rec, ignore=["GL106"]) == [("GL102", "train,eval,predict", ("w",))]


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_every_selection_of_the_causes_reports_what_running_only_the_selected_rules_does(model):
    """Exactly: each subset of the cause rules that fire here (in some selection) ignored, and all of them."""
    rec = load(model)
    from graphlint.run.engine import run_rules

    with _cwd(ROOT):
        ran = run_rules(rec.ctx)
    fired = {f.code for f in ran.findings} | {f.code for sets in ran.alternatives.variants.values()
                                              for fs in sets.values() for f in fs}
    relevant = [c for c in CAUSES if c in fired]
    ignores = {tuple(s) for n in range(len(relevant) + 1) for s in itertools.combinations(relevant, n)}
    for ignore in sorted(ignores | {tuple(CAUSES)}):
        config = Config(ignore=list(ignore))
        assert findings(rec, config) == _without_the_ignored_rules(rec, config), ignore
