"""One finding per cause (issue 12, item 6): the models in tests/causes/ each have one cause behind
many names (an `if` around a block, a Saver over an EMA, a per-mode param). Each cause is one
finding whose `names` are every name it stands for, proven against what TensorFlow really writes
and restores; baselines and inline suppressions keep working on the grouped findings."""

import json
import os

import pytest

from corpus import lint_case, literal, write_model
from graphlint.report import json as json_report
from graphlint.report.text import finding_lines
from graphlint.run.baseline import filter_baseline, write_baseline
from realtf import run_for_real

CAUSES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "causes")


def _cause(name):
    return os.path.join(CAUSES, name + ".py")


def _line(path, needle):
    hits = [i for i, text in enumerate(open(path, encoding="utf-8").read().splitlines(), 1) if needle in text]
    assert len(hits) == 1, (needle, hits)
    return hits[0]


def _one(report, code):
    (f,) = [f for f in report.findings if f.code == code]
    return f


def _eval_only_keys(report):
    """What the EVAL Saver restores that the TRAIN Saver never saves, from the snapshots."""
    return set(report.snapshots["eval"].restore_keys) - set(report.snapshots["train"].restore_keys)


@pytest.mark.parametrize("name", ["if_block", "ema_switch"])
def test_one_cause_is_one_finding_per_rule(name):
    report = lint_case(_cause(name))
    got = sorted((f.code, ",".join(f.modes), f.name) for f in report.findings if f.severity == "error")
    assert got == sorted(literal(_cause(name), "EXPECT", None))
    for f in report.findings:
        if f.severity == "error":
            assert len(f.names) == literal(_cause(name), "NAMES", None) == len(_eval_only_keys(report))
            assert set(f.names) == _eval_only_keys(report) and f.name == f.names[0] == min(f.names)


@pytest.mark.realtf
def test_the_names_are_what_the_real_checkpoint_lacks(tmp_path):
    """Train for real, then evaluate: restore fails on a key of the group, and the group is exactly
    the eval graph's keys that the real training checkpoint does not have."""
    from graphlint.model.tfcompat import tf

    report = lint_case(_cause("if_block"))
    group = _one(report, "GL101")
    real = run_for_real(_cause("if_block"), str(tmp_path))
    assert real.restore_error and real.missing_keys and real.missing_keys <= set(group.names)
    saved = set(tf().train.load_checkpoint(str(tmp_path)).get_variable_to_shape_map())
    assert set(group.names) == set(report.snapshots["eval"].restore_keys) - saved


def test_the_finding_points_at_the_line_only_eval_ran_not_the_helper():
    """The variables are created in causes_common.dense(); the finding is at the model_fn line
    under the `if` that called it, with the `if` as its related note (item 7)."""
    path = _cause("if_block")
    f = _one(lint_case(path), "GL101")
    assert os.path.samefile(f.location.file, path)
    assert f.location.line == _line(path, 'prefix="calib"')
    assert [r.site.line for r in f.related] == [_line(path, "if mode != tf.estimator.ModeKeys.TRAIN")]
    assert _one(lint_case(path), "GL104").location == f.location


def test_an_ema_switch_is_one_finding_at_the_saver():
    """One cause, one finding: GL107 (training never applies the EMA) at the Saver, standing for every
    shadow; GL101, which sees the same keys as missing from TRAIN, leaves them to it (its fix, make
    it a local variable, is wrong for a shadow)."""
    path = _cause("ema_switch")
    report = lint_case(path)
    saver = _line(path, "Saver(ema.variables_to_restore())")
    assert _one(report, "GL107").location.line == saver
    assert set(_one(report, "GL107").names) == _eval_only_keys(report)
    assert not [f for f in report.findings if f.code == "GL101"]


def test_per_mode_params_are_one_cause():
    """One differing param sizes every layer: one finding, GL106 (the param, and the fix that is
    right), naming every key; GL102 (the shapes differ) is its symptom and says nothing more."""
    report = lint_case(_cause("params_shapes"))  # ARGS: --params-eval '{"units": 5}'
    keys = set(report.snapshots["train"].restore_keys) - {"global_step"}
    f = _one(report, "GL106")
    assert set(f.names) == keys and f.modes == ("train", "eval", "predict") and f.severity == "error"
    assert "units (train: 3, eval: 5, predict: 3)" in f.message
    assert [g.code for g in report.findings if g.severity in ("error", "warning")] == ["GL106"]


def test_text_shows_the_count_json_and_sarif_every_name():
    report = lint_case(_cause("if_block"))
    f = _one(report, "GL101")
    head, message = finding_lines(f)[:2]
    assert head.endswith(f"{f.name} (and {len(f.names) - 1} more)")
    assert message.count("'calib_") == 3 and f"and {len(f.names) - 3} more" in message
    doc = json.loads(json_report.render(report))
    (entry,) = [d for d in doc["findings"] if d["code"] == "GL101"]
    assert entry["names"] == list(f.names) and entry["name"] == f.name
    from graphlint.report import sarif

    runs = json.loads(sarif.render(report))["runs"]
    (result,) = [r for r in runs[0]["results"] if r["ruleId"] == "GL101"]
    assert result["properties"]["names"] == list(f.names)


def test_a_baseline_knows_a_group_until_a_new_name_joins_it(tmp_path):
    """A name joining the group is one more key that will break, so the finding is new again; a
    baseline written one entry per name (before grouping) still knows the whole group."""
    from dataclasses import replace

    f = _one(lint_case(_cause("if_block")), "GL101")
    path, model = str(tmp_path / "b.json"), _cause("if_block")
    write_baseline(path, [f], model)
    assert filter_baseline([f], path, model) == []
    entries = json.loads(open(path).read())["findings"]
    assert len(entries) == len(f.names) * len(f.modes)
    before = replace(f, names=f.names[:-1])  # the baseline was written before the last name existed
    write_baseline(path, [before], model)
    assert filter_baseline([f], path, model) == [f]
    ungrouped = [replace(f, name=n, names=()) for n in f.names]  # one finding per name, as before
    write_baseline(path, ungrouped, model)
    assert filter_baseline([f], path, model) == []


def test_one_comment_at_the_cause_suppresses_the_group(tmp_path):
    source = open(_cause("if_block"), encoding="utf-8").read()
    marked = source.replace('prefix="calib")', 'prefix="calib")  # graphlint: ignore[GL101]')
    assert marked != source
    path = write_model(tmp_path, marked, "if_block.py", siblings=[os.path.join(CAUSES, "causes_common.py")])
    report = lint_case(path)
    codes = {f.code for f in report.findings}
    assert "GL101" not in codes and "GL001" not in codes and "GL104" in codes


def test_an_ema_switch_checked_against_the_real_training_checkpoint_is_one_finding(tmp_path):
    """Train for real (the EMA off), then check EVAL against that checkpoint: one finding, GL107,
    naming the checkpoint; neither GL101 nor GL301 says it again. Evaluation really fails at restore
    on a key it names."""
    path = _cause("ema_switch")
    real = run_for_real(path, str(tmp_path))
    assert real.restore_error and real.missing_keys
    report = lint_case(path, "--checkpoint", str(tmp_path), command="check")
    errors = [f for f in report.findings if f.severity == "error"]
    assert [f.code for f in errors] == ["GL107"], [(f.code, f.name) for f in errors]
    assert real.missing_keys <= set(errors[0].names) == _eval_only_keys(report)
    assert report.checkpoint.prefix in errors[0].message
