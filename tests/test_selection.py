"""Which findings a run reports: select/ignore, name ignores, inline suppressions, baseline, exit code."""

import json
import os

import pytest

from graphlint.config import Config
from graphlint.errors import UsageError
from graphlint.findings import Finding
from graphlint.run.selection import apply_config, apply_name_ignores, exit_code, is_selected, select_findings
from graphlint.run.suppressions import apply_suppressions, scan_suppressions
from graphlint.run.baseline import filter_baseline, write_baseline
from graphlint.model.snapshot import Site


def F(code="GL101", name="v", modes=("eval",), severity="error", file="", line=0):
    loc = Site(file, line) if file else None
    return Finding(code, "sym", severity, tuple(modes), name, "msg", "", loc)


# --- select / ignore ---------------------------------------------------------------------------

@pytest.mark.parametrize("code, select, ignore, extend, expected", [
    ("GL101", None, [], [], True),  # default: every rule
    ("GL101", ["GL2"], [], [], False),  # select replaces the default
    ("GL101", ["GL2"], [], ["GL101"], True),  # extend-select adds
    ("GL101", None, ["GL1"], [], False),
    ("GL201", None, ["GL1"], [], True),
    ("GL101", ["GL101"], ["GL1"], [], True),  # more specific select wins
    ("GL101", ["GL1"], ["GL101"], [], False),  # more specific ignore wins
    ("GL102", ["GL1"], ["GL101"], [], True),
    ("GL101", None, ["GL"], ["GL10"], True),
    ("GL101", ["GL101"], ["GL101"], [], False),  # a tie: ignore wins
    ("GL101", ["ALL"], ["GL"], [], False),  # ALL is less specific than GL
    ("GL101", [], [], [], False),  # an empty select selects nothing
])
def test_is_selected_by_specificity(code, select, ignore, extend, expected):
    assert is_selected(code, select, ignore, extend) is expected


def test_select_findings_keeps_order():
    fs = [F("GL201"), F("GL101"), F("GL104"), F("GL902")]
    assert [f.code for f in select_findings(fs, ["GL1", "GL9"], ["GL104"])] == ["GL101", "GL902"]


def test_name_ignores_by_code_or_prefix_with_globs():
    fs = [F("GL104", "debug/"), F("GL104", "model/"), F("GL201", "summaries/loss:0"),
          F("GL101", "summaries/loss:0"), F("GL201", "Summaries/x:0")]
    kept = apply_name_ignores(fs, {"GL104": ["debug/*"], "GL2": ["summaries/*"]})
    assert [(f.code, f.name) for f in kept] == [
        ("GL104", "model/"), ("GL101", "summaries/loss:0"), ("GL201", "Summaries/x:0")]  # case-sensitive
    assert apply_name_ignores(fs, {}) == fs


# --- inline suppressions -----------------------------------------------------------------------

MODEL = '''\
import tensorflow as tf
a = tf.Variable(1)  # graphlint: ignore[GL101]
b = tf.Variable(2)  # graphlint: ignore
c = tf.Variable(3)  # graphlint: ignore[GL1, GL202]
d = "# graphlint: ignore"
e = tf.Variable(
    5)  # graphlint: ignore[GL102]
f = tf.Variable(6)  # graphlint: ignore[GL999]
'''


@pytest.fixture
def model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(MODEL)
    return "m.py"


def _gl001(findings):
    return sorted((f.location.line, f.name, f.message) for f in findings if f.code == "GL001")


def test_scan_finds_real_comments_only_and_covers_the_whole_statement(model):
    sups = {s.line: s for s in scan_suppressions(model)}
    assert sorted(sups) == [2, 3, 4, 7, 8]  # line 5 is a string
    assert sups[4].codes == ("GL1", "GL202")
    assert sups[3].codes == ()
    assert sups[7].lines == frozenset({6, 7})


def test_suppressions_remove_matching_findings_and_report_unused_ones(model):
    fs = [F("GL101", "a", file=model, line=2), F("GL201", "a2", file=model, line=2),
          F("GL203", "b", file=model, line=3), F("GL103", "c", file=model, line=4),
          F("GL102", "e", file=model, line=6), F("GL101", "f", file=model, line=8)]
    out = apply_suppressions(fs, [model])
    kept = [(f.code, f.name) for f in out if f.code != "GL001"]
    assert kept == [("GL201", "a2"), ("GL101", "f")]  # wrong code on line 2; GL999 on line 8
    assert _gl001(out) == [
        (4, "ignore[GL202]", "GL202 in `# graphlint: ignore[GL1, GL202]` suppressed no finding"),
        (8, "ignore[GL999]", "`# graphlint: ignore[GL999]` suppressed no finding")]
    gl001 = [f for f in out if f.code == "GL001"][0]
    assert (gl001.symbol, gl001.severity, gl001.modes) == ("unused-suppression", "info", ())


def test_every_comment_is_unused_without_findings(model):
    assert [line for line, _, _ in _gl001(apply_suppressions([], [model]))] == [2, 3, 4, 7, 8]


def test_absolute_and_relative_locations_match_the_same_file(model, tmp_path):
    out = apply_suppressions([F("GL101", "a", file=str(tmp_path / model), line=2)], [model])
    assert [f for f in out if f.code != "GL001"] == []
    assert 2 not in [line for line, _, _ in _gl001(out)]


def test_findings_files_are_scanned_even_when_not_passed(model):
    out = apply_suppressions([F("GL101", "a", file=model, line=2)])
    assert [f.code for f in out].count("GL101") == 0
    assert [line for line, _, _ in _gl001(out)] == [3, 4, 7, 8]


def test_findings_without_location_or_in_unreadable_files_are_kept(model):
    fs = [F("GL101", "x"), F("GL101", "y", file="gone.py", line=2)]
    assert apply_suppressions(fs) == fs


# --- baseline ----------------------------------------------------------------------------------

def test_baseline_round_trip_ignores_lines_and_keys_per_mode(tmp_path):
    path = str(tmp_path / "baseline.json")
    old = [F("GL101", "a", ("eval", "predict"), line=10, file="m.py"), F("GL104", "debug/", ("eval",))]
    write_baseline(path, old, "models/m.py")
    moved = F("GL101", "a", ("eval", "predict"), line=99, file="m.py")
    narrower = F("GL101", "a", ("eval",))
    spread = F("GL104", "debug/", ("eval", "train"))  # now in a new mode too: new
    other_model = F("GL104", "debug/", ("eval",))
    assert filter_baseline([moved, narrower, spread], path, "models/m.py") == [spread]
    assert filter_baseline([other_model], path, "models/other.py") == [other_model]


def test_baseline_is_deterministic_and_keeps_other_models(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = str(tmp_path / "b.json")
    fs = [F("GL201", "z:0"), F("GL101", "a", ("predict", "eval")), F("GL001", "ignore", ())]
    write_baseline(path, fs, "m.py")
    first = open(path).read()
    write_baseline(path, list(reversed(fs)) + fs, "m.py")
    assert open(path).read() == first
    doc = json.loads(first)
    assert doc["version"] == 1
    assert [tuple(e.values()) for e in doc["findings"]] == [
        ("GL001", "", "m.py", "ignore"), ("GL101", "eval", "m.py", "a"),
        ("GL101", "predict", "m.py", "a"), ("GL201", "eval", "m.py", "z:0")]
    write_baseline(path, [F("GL102", "w")], "pkg.other")
    write_baseline(path, [], "m.py")  # rewrites m.py's entries only
    assert [e["model"] for e in json.loads(open(path).read())["findings"]] == ["pkg.other"]


def test_baseline_model_key_does_not_depend_on_the_cwd(tmp_path, monkeypatch):
    path = str(tmp_path / "b.json")
    os.makedirs(tmp_path / "models")
    monkeypatch.chdir(tmp_path)
    write_baseline(path, [F()], "models/m.py")
    monkeypatch.chdir(tmp_path / "models")
    assert filter_baseline([F()], path, "m.py") == []


@pytest.mark.parametrize("content, words", [
    (None, "cannot read"),
    ("{", "invalid JSON"),
    ("[]", "not a graphlint baseline"),
    ('{"version": 2, "findings": []}', "not a graphlint baseline"),
    ('{"version": 1, "findings": [{"model": "m"}]}', "bad entry"),
])
def test_bad_baseline_is_a_one_line_usage_error(tmp_path, content, words):
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UsageError, match=words) as exc:
        filter_baseline([F()], str(path), "m.py")
    assert "\n" not in str(exc.value)


# --- the pipeline and the exit code ------------------------------------------------------------

def test_apply_config_selects_suppresses_ignores_and_baselines(model, tmp_path):
    base = str(tmp_path / "b.json")
    write_baseline(base, [F("GL201", "old:0")], model)
    fs = [F("GL101", "a", file=model, line=2), F("GL104", "debug/"), F("GL201", "old:0"),
          F("GL201", "new:0"), F("GL902", "model_fn", severity="info")]
    config = Config(ignore=["GL9", "GL104"], ignore_names={"GL2": ["*x*"]}, baseline=base)
    out = apply_config(fs, config, files=[model], model=model)
    assert [(f.code, f.name) for f in out if f.code != "GL001"] == [("GL201", "new:0")]
    assert len([f for f in out if f.code == "GL001"]) == 4
    quiet = apply_config(fs, Config(ignore=["GL0", "GL9", "GL104"]), files=[model], model=model)
    assert [f.code for f in quiet] == ["GL201", "GL201"]


def _superseded(tmp_path, comment):
    """A cause (GL107) at line 2 of a model file, and the symptom (GL101) it stands for, which is
    reported when GL107 is not selected (run/supersede.py's Alternatives)."""
    from graphlint.run.supersede import Alternatives

    path = tmp_path / "m.py"
    path.write_text(f"x = 1\nema = 2{comment}\n")
    cause = F("GL107", "w/EMA", file=str(path), line=2)
    symptom = F("GL101", "w/EMA", file=str(path), line=2)
    return [cause], Alternatives({"GL101": frozenset({"GL107"})}, {"GL101": {frozenset(): (symptom,)}}), str(path)


def test_a_cause_not_selected_shows_its_symptom_and_a_selected_one_does_not(tmp_path):
    found, alternatives, path = _superseded(tmp_path, "")
    for config, shown in ((Config(), ["GL107"]), (Config(ignore=["GL107"]), ["GL101"]), (Config(ignore=["GL101"]), ["GL107"]),
                          (Config(select=["GL101"]), ["GL101"]), (Config(ignore=["GL1"]), [])):
        assert [f.code for f in apply_config(found, config, [path], path, alternatives)] == shown, config


def test_a_suppressed_cause_still_stands_for_its_symptom(tmp_path):
    """An inline ignore, a name ignore and the baseline acknowledge a finding that was made: its symptoms stay away."""
    found, alternatives, path = _superseded(tmp_path, "  # graphlint: ignore[GL107]")
    assert apply_config(found, Config(), [path], path, alternatives) == []
    assert apply_config(found, Config(ignore_names={"GL107": ["w/*"]}), [], path, alternatives) == []
    base = str(tmp_path / "b.json")
    write_baseline(base, found, path)
    assert apply_config(found, Config(baseline=base), [], path, alternatives) == []


@pytest.mark.parametrize("severities, fail_on, exit_zero, expected", [
    ([], "error", False, 0),
    (["info", "warning"], "error", False, 0),
    (["info", "error"], "error", False, 1),
    (["info", "warning"], "warning", False, 1),
    (["info"], "warning", False, 0),
    (["info"], "info", False, 1),
    (["error"], "error", True, 0),
])
def test_exit_code(severities, fail_on, exit_zero, expected):
    assert exit_code([F(severity=s) for s in severities], fail_on, exit_zero) == expected


def test_exit_code_rejects_unknown_fail_on():
    with pytest.raises(UsageError, match="fatal"):
        exit_code([], "fatal")
