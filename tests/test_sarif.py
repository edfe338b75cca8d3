"""SARIF 2.1.0 and GitHub Actions annotation reports, from Reports built by hand (no TensorFlow).

The SARIF output is validated against the official OASIS schema (tests/schemas/, unchanged from
oasis-tcs/sarif-spec Schemata/sarif-schema-2.1.0.json, errata01), which declares draft-04.
"""

import json
import os

import jsonschema
import pytest

from graphlint.report.document import Report
from graphlint.findings import Finding, Related
from graphlint.report import github, sarif
from graphlint.rules import all_rules
from graphlint.model.snapshot import RunInfo, Site

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "schemas", "sarif-schema-2.1.0.json")
RULES = {r.code: r for r in all_rules()}  # all_rules() imports the rule modules, filling the registry


@pytest.fixture(scope="module")
def schema():
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return json.load(fh)


def _report(findings, model="models/m.py"):
    info = RunInfo(model=model, tf_version="2.21.0", estimator_api="tf_estimator", modes=("train", "eval"))
    return Report(info=info, findings=findings, mode_diff=[], snapshots={})


def _every_severity():
    site = Site("models/m.py", 12, "model_fn", "w = tf.Variable(1)")
    return [
        RULES["GL101"].finding(("eval", "predict"), "class_0/count", "restored but never created",
                               fix="create it in every mode", location=site,
                               related=(Related(Site("models/m.py", 10), "created under `if x:`"),)),
        RULES["GL203"].finding(("train",), "AucHook", "hook raised", location=Site("models/hooks.py", 3)),
        RULES["GL104"].finding(("eval",), "debug/", "2 ops exist only in eval"),  # no location
        RULES["GL001"].finding((), "ignore[GL101]", "unused", location=Site("models/m.py", 4)),
    ]


@pytest.mark.parametrize("validator", ["Draft4Validator", "Draft7Validator"])
def test_report_with_every_severity_is_valid_sarif(schema, validator, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cls = getattr(jsonschema, validator)
    cls.check_schema(schema)
    for findings in (_every_severity(), []):
        doc = json.loads(sarif.render(_report(findings)))
        errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_the_validator_does_reject_invalid_sarif(schema):
    doc = sarif.to_dict(_report(_every_severity()))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    assert list(jsonschema.Draft4Validator(schema).iter_errors(doc))


def test_driver_lists_every_rule_with_its_docs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    driver = sarif.to_dict(_report([]))["runs"][0]["tool"]["driver"]
    assert driver["name"] == "graphlint" and driver["version"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [r.code for r in all_rules()]
    gl101 = next(r for r in rules if r["id"] == "GL101")
    assert gl101["name"] == "eval-only-saved-variable"
    assert gl101["shortDescription"]["text"] == RULES["GL101"].summary
    assert gl101["fullDescription"]["text"].startswith("Finds checkpoint keys")
    assert "## Why is this bad" in gl101["help"]["markdown"]
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert (levels["GL101"], levels["GL203"], levels["GL104"]) == ("error", "warning", "note")


def test_results_carry_rule_level_message_locations(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = sarif.to_dict(_report(_every_severity()))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    gl101 = by_rule["GL101"]
    assert gl101["level"] == "error"
    assert gl101["message"]["text"] == "restored but never created Fix: create it in every mode"
    assert gl101["locations"] == [{"physicalLocation": {
        "artifactLocation": {"uri": "models/m.py", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 12}}}]
    assert gl101["relatedLocations"] == [{"id": 0, "message": {"text": "created under `if x:`"}, "physicalLocation": {
        "artifactLocation": {"uri": "models/m.py", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 10}}}]
    assert (by_rule["GL203"]["level"], by_rule["GL104"]["level"], by_rule["GL001"]["level"]) == (
        "warning", "note", "note")
    assert by_rule["GL203"]["message"]["text"] == "hook raised"  # no fix, no " Fix: "
    # No location: the model file, so code scanning still shows it.
    assert by_rule["GL104"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "models/m.py"


def test_paths_outside_the_root_are_absolute_file_uris(tmp_path):
    outside = str(tmp_path.parent / "elsewhere" / "m.py")
    f = RULES["GL101"].finding(("eval",), "v", "m", location=Site(outside, 1))
    loc = sarif.to_dict(_report([f]), root=str(tmp_path))["runs"][0]["results"][0]["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"] == {"uri": "file://" + outside}


def _fingerprint(finding):
    return sarif.to_dict(_report([finding]))["runs"][0]["results"][0]["partialFingerprints"]


def test_fingerprints_survive_line_moves_but_not_identity_changes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rule = RULES["GL101"]
    base = _fingerprint(rule.finding(("eval",), "v", "m", location=Site("models/m.py", 1)))
    assert base == _fingerprint(rule.finding(("eval",), "v", "other text", location=Site("models/m.py", 80)))
    assert base != _fingerprint(rule.finding(("predict",), "v", "m", location=Site("models/m.py", 1)))
    assert base != _fingerprint(rule.finding(("eval",), "w", "m", location=Site("models/m.py", 1)))
    assert base != _fingerprint(RULES["GL102"].finding(("eval",), "v", "m", location=Site("models/m.py", 1)))


def test_duplicate_keys_get_distinct_fingerprints(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = RULES["GL001"].finding((), "ignore", "unused", location=Site("models/m.py", 4))
    g = RULES["GL001"].finding((), "ignore", "unused", location=Site("models/m.py", 9))
    prints = [r["partialFingerprints"]["graphlintFinding/v1"]
              for r in sarif.to_dict(_report([g, f]))["runs"][0]["results"]]
    assert prints[0].endswith(":1") and prints[1].endswith(":2") and prints[0][:-2] == prints[1][:-2]


def test_render_is_deterministic(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    findings = _every_severity()
    assert sarif.render(_report(findings)) == sarif.render(_report(list(reversed(findings))))


# --- GitHub Actions workflow commands ----------------------------------------------------------

def test_escaping_follows_actions_toolkit():
    assert github.escape_data("100% a:b,c\r\nd") == "100%25 a:b,c%0D%0Ad"
    assert github.escape_property("100% a:b,c\r\nd") == "100%25 a%3Ab%2Cc%0D%0Ad"
    assert github.escape_data("%0A") == "%250A"  # an escape already in the text stays literal


def test_one_command_per_finding_with_its_level(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lines = github.render(_report(_every_severity())).splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::warning", "::notice", "::notice"]
    assert [line.split("title=")[1][:5] for line in lines] == ["GL101", "GL203", "GL001", "GL104"]
    assert lines[0] == (
        "::error file=models/m.py,line=12,title=GL101 eval-only-saved-variable::"
        "[eval,predict] class_0/count: restored but never created%0A"
        "models/m.py:10: created under `if x:`%0Afix: create it in every mode")
    assert lines[3].startswith("::notice title=GL104 mode-only-names::[eval] debug/:")  # no location


def test_properties_are_escaped_in_commands(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = Finding("GL101", "eval-only-saved-variable", "error", ("eval",), "a,b:c", "50%\nnext",
                location=Site("dir,1/m:x.py", 3))
    assert github.command(f) == (
        "::error file=dir%2C1/m%3Ax.py,line=3,title=GL101 eval-only-saved-variable::[eval] a,b:c: 50%25%0Anext")


def test_fatal_errors_are_reported_in_the_chosen_format(tmp_path, schema):
    """A model that cannot be imported still gives a valid document in json and sarif."""
    import json as json_lib

    from graphlint.cli import main

    bad = tmp_path / "model.py"
    bad.write_text("def model_fn(:\n")
    out = tmp_path / "out"
    assert main(["diff", str(bad), "--format", "json", "--output", str(out)]) == 2
    doc = json_lib.loads(out.read_text())
    assert doc["schema_version"] == 1 and "SyntaxError" in doc["error"]["message"] and doc["findings"] == []
    assert main(["diff", str(bad), "--format", "sarif", "--output", str(out)]) == 2
    sarif = json_lib.loads(out.read_text())
    assert not list(jsonschema.Draft4Validator(schema).iter_errors(sarif))
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False
    assert main(["diff", str(bad), "--format", "github", "--output", str(out)]) == 2
    assert out.read_text().startswith("::error title=graphlint::")
