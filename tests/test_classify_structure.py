"""Mode-diff classes come from what the graph does (model/roles.py), with real TensorFlow: clean models
in the styles of public code bases give no warning, error or 'other' row, and fit on a screen; a real
difference is still reported."""

import json
import os

import pytest

from conftest import ROOT
from corpus import lint_case
from graphlint.analysis.modediff import DiffRow
from graphlint.model.roles import op_roles
from graphlint.report import text

CLASSES = os.path.join(ROOT, "tests", "classes")
CLEAN = ("bert_style.py", "ema_restore.py", "helper_summaries.py")


@pytest.fixture(scope="module")
def reports():
    return {name: lint_case(os.path.join(CLASSES, name)) for name in CLEAN + ("eval_only_layer.py",)}


def _classes(report, name):
    return {r.cls for r in report.mode_diff if any(e == name for e in r.examples)}


@pytest.mark.parametrize("name", CLEAN)
def test_clean_model_is_quiet_and_fits_on_a_screen(reports, name):
    report = reports[name]
    assert [f.code for f in report.findings if f.severity != "info" or f.code == "GL104"] == []
    assert not [r for r in report.mode_diff if r.cls == "other"]
    assert len(text.render(report).splitlines()) <= 60


def test_hand_written_adam_slots_and_root_update_math_are_optimizer(reports):
    train = reports["bert_style.py"].snapshots["train"]
    slots = [n for n, v in train.variables.items() if n.endswith(("/adam_m", "/adam_v"))]
    assert slots and all(not train.variables[n].trainable for n in slots)
    assert {train.roles[n] for n in slots} == {"optimizer"}
    root_updates = [n for n, t in train.ops.items() if "/" not in n and t == "AssignVariableOp"]
    assert root_updates and {train.roles[n] for n in root_updates} == {"optimizer"}
    assert {train.roles[n] for n in train.ops if n.startswith("clip_by_global_norm/")} == {"optimizer"}
    assert {train.roles[n] for n in train.ops if "/dropout/" in n and not n.startswith("gradients")} == {"dropout"}


def test_ema_shadows_come_from_ema_apply(reports):
    report = reports["ema_restore.py"]
    train = report.snapshots["train"]
    shadows = [n for n in train.variables if n.endswith("/ExponentialMovingAverage")]
    assert len(shadows) == 4 and {train.roles[n] for n in shadows} == {"moving-average"}
    # with the Scaffold's own Saver in every mode, the EMA restore Saver adds nothing worth reading
    assert not [r for r in report.mode_diff if r.cls == "other"]


def test_helper_summaries_and_the_loss_they_renumber(reports):
    report = reports["helper_summaries.py"]
    train = report.snapshots["train"]
    assert train.ops["train_accuracy"] == "ScalarSummary" and train.roles["zero_fraction/fraction"] == "summary"
    assert train.loss == "Mean_1:0" and report.snapshots["eval"].loss == "Mean:0"  # the summary took 'Mean'
    # Estimator's own `loss` summary reads it too; either way the loss is not a difference to read
    assert [r.cls for r in report.mode_diff if r.scope == "Mean_1"] in (["renumbered"], ["summary"])


def test_a_layer_built_only_in_eval_is_still_other(reports):
    report = reports["eval_only_layer.py"]
    other = [f for f in report.findings if f.code == "GL104"]
    assert [f.name for f in other] == ["net/"] and "net/calibration/kernel" in other[0].message
    assert {f.code for f in report.errors} == {"GL101"}


def test_estimator_and_scaffold_ops_have_expected_roles():
    """The ops Estimator adds around model_fn: the loss summary, the mean loss metric and eval_step,
    and what a finalized Scaffold makes (Saver, init and ready ops)."""
    import tensorflow as tf
    from tensorflow.python.training import evaluation

    graph = tf.Graph()
    with graph.as_default():
        w = tf.compat.v1.get_variable("w", [2])
        loss = tf.reduce_sum(w * w)
        tf.compat.v1.summary.scalar("loss", loss)
        tf.compat.v1.metrics.mean(loss)
        tf.compat.v1.assign_add(evaluation._get_or_create_eval_step(), 1)
        tf.compat.v1.train.Scaffold().finalize()
    roles = op_roles(graph, spec=None)
    names = {op.name for op in graph.get_operations()}
    assert roles["loss"] == "summary"
    assert {roles[n] for n in names if n.startswith("mean/")} == {"metric"}
    assert {roles[n] for n in names if n.startswith("eval_step") or n.startswith("AssignAdd")} == {"local"}
    assert {roles[n] for n in names if n.startswith("save/")} == {"save"}
    assert roles["init"] == "init"
    assert {roles.get(n) for n in names if n.startswith("report_uninitialized_variables/")} == {"init"}
    assert "w" not in roles


def test_the_screenful_keeps_other_rows_first_and_counts_the_rows_it_leaves_out():
    rows = [DiffRow(f"scope_{i:03d}", "optimizer", ("train",), 3, 0, (f"scope_{i:03d}/x",)) for i in range(80)]
    rows += [DiffRow(f"Mul_{i}", "optimizer", ("train",), 1, 0, (f"Mul_{i}",)) for i in range(50)]
    rows.append(DiffRow("zz_debug", "other", ("eval",), 2, 0, ("zz_debug/eval_logits",)))
    shown, left_out = text._screenful(rows)
    scopes = [r.scope for r in shown]
    assert len(shown) == text.MAX_DIFF_ROWS and "zz_debug" in scopes and "" in scopes  # Mul_* is one (root) row
    assert left_out == len(rows) - 50 - (text.MAX_DIFF_ROWS - 1)  # rows, not merged rows: every Mul_ was kept
    full = text._diff_table(rows)
    assert all(f"scope_{i:03d}" in full for i in range(80)) and "Mul_49" in full


def _report(rows, findings=()):
    from graphlint.model.snapshot import RunInfo
    from graphlint.report.document import Report

    return Report(RunInfo(model="m.py", model_file="", tf_version="2.15.1", estimator_api="x", modes=()),
                  list(findings), rows)


def test_the_table_lists_only_other_rows_no_finding_reports_and_says_what_it_hides():
    from graphlint.findings import Finding
    from graphlint.report import RenderOptions

    rows = [DiffRow("gradients", "gradients", ("train",), 95, 0, ("gradients/AddN",)),
            DiffRow("debug", "other", ("eval",), 2, 0, ("debug/probe",)),
            DiffRow("counter", "other", ("eval",), 3, 1, ("counter/n",))]
    reported = Finding("GL101", "s", "error", ("eval",), "counter/n", "m")
    out = text.render(_report(rows, [reported]))
    table = out.split("Names in some modes only")[1]
    assert [line.split()[:2] for line in table.splitlines()[3:5]] == [["debug", "other"], ["...", "2"]]
    assert "... 2 more rows (1 of expected classes, 1 of class 'other' that a finding above reports): " \
           "--show-all lists them" in table
    full = text.render(_report(rows, [reported]), RenderOptions(show_all=True))
    assert all(f"\n{scope} " in full for scope in ("gradients", "debug", "counter"))
    only_reported = text.render(_report(rows[:1] + rows[2:], [reported]))
    assert "Names in some modes only: 2 rows, none listed (1 of expected classes, 1 of class" in only_reported
    assert "Names in some modes" not in text.render(_report(rows[:1]))  # clean: nothing to read there


HOOK_AND_PREDICTION = os.path.join(CLASSES, "hook_and_prediction_outputs.py")


def _diff(**params):
    report = lint_case(HOOK_AND_PREDICTION, "--params", json.dumps(params))
    return report, {(r.scope, r.modes): r.cls for r in report.mode_diff}


def test_a_tensor_only_a_hook_fetches_and_predict_only_probabilities_are_expected():
    report, classes = _diff()
    assert classes[("cross_entropy", ("train",))] == "hook-output"
    assert classes[("Softmax", ("predict",))] == classes[("ArgMax", ("predict",))] == "prediction"
    assert report.snapshots["predict"].roles["Softmax"] == "prediction"
    assert [f for f in report.findings if f.code == "GL104"] == []


def test_the_same_tensor_without_its_hook_is_other():
    report, classes = _diff(hook=False)
    assert classes[("cross_entropy", ("train",))] == "other"
    assert [f.name for f in report.findings if f.code == "GL104"] == ["cross_entropy/"]


def test_a_fetched_tensor_the_graph_also_reads_is_not_hook_output():
    report, _ = _diff(loss_reads_it=True)
    assert report.snapshots["train"].roles.get("cross_entropy") != "hook-output"
    assert "cross_entropy/" in [f.name for f in report.findings if f.code == "GL104"]


def test_a_predict_only_layer_feeding_the_predictions_is_still_other():
    report, _ = _diff(predict_layer=True)
    predict = report.snapshots["predict"]
    assert predict.roles["Softmax"] == "prediction"
    assert predict.roles.get("predict_layer/kernel") is None  # its initializer reads it too
    assert "predict_layer/" in [f.name for f in report.findings if f.code == "GL104"]
