"""Each file in tests/cases/ is a model plus the findings it must produce (EXPECT) and its CLI args.

Each case is built twice, by two front doors: graphlint.lint() in this process (its findings are
EXPECT, and its renderings the fast lane's goldens), and the command line with --jobs 3, which
builds the modes in forked workers and must print that report's JSON byte for byte. So every case
also shows that the API and the command line agree (tests/test_run_layer.py adds a config file, on
the founding fixtures) and that a parallel run gives the serial report."""

import json
import os

import pytest

import graphlint
from corpus import CASE_FILES, api_options, lint_case, literal, skip_unless_runnable
from fast import case_inputs, recording
from graphlint.report import json as json_report
from graphlint.run import selection
from graphlint.model import parallel


@pytest.mark.parametrize("path", CASE_FILES, ids=os.path.basename)
def test_case_produces_exactly_its_expected_findings(cli, path):
    skip_unless_runnable(path)
    with case_inputs.made(path) as (command, args, tmp):  # a checkpoint or SavedModel it is checked against
        options = api_options(path, *args)
        # serial; a case checked against a SavedModel has no API twin: the command line's Request
        report = graphlint.lint(path, **options) if options is not None else lint_case(path, *args, command=command)
        got = sorted((f.code, ",".join(f.modes), f.name.replace(tmp, recording.MADE) if tmp else f.name)
                     for f in report.findings)
        assert got == sorted(literal(path, "EXPECT", None))
        for f in report.findings:
            assert f.location is None or os.path.exists(f.location.file), f
            assert f.message and f.fix
        _agrees_with_the_fast_lane(path, report, tmp=tmp)
        _the_command_line_in_parallel_agrees(cli, path, [command, path, *literal(path, "ARGS", []), *args], report)


def _the_command_line_in_parallel_agrees(cli, path, argv, report):
    """`graphlint COMMAND CASE ARGS --jobs 3 --format json` prints the serial report's JSON byte for
    byte, with its exit status. The JSON holds what the text report shows (each finding's every
    field, the built modes, the mode diff, the checkpoint's counts and renames, the serving
    signatures), so a parallel build that differed in any of them would differ here."""
    jobs = "3" if parallel.available() else "1"  # no os.fork: the command line builds serially
    code, out, err = cli(*argv, "--jobs", jobs, "--format", "json")
    assert out == json_report.render(report), f"{path}: --jobs {jobs} --format json is not the serial report\n{err}"
    assert code == selection.exit_code(report.findings), err


def _agrees_with_the_fast_lane(path, report, corpus="cases", tmp=""):
    """The fast lane's goldens (tests/fast/) are what this real run prints, byte for byte, on the
    TensorFlow and Estimator they were recorded with (their header names both). A case checked
    against what case_inputs.py made in `tmp` is compared with its recording replayed with that
    directory (a name may be its path, and SARIF fingerprints hash names); the fast lane checks
    that the replay with recording.MADE gives the goldens."""
    model = (corpus, path)
    goldens = recording.read_goldens(model)
    recorded = json.loads(goldens["report.json"])
    if (recorded["tensorflow_version"], recorded["estimator_api"]) != (report.info.tf_version, report.info.estimator_api):
        return False
    if tmp:
        rec = recording.load(model, made=tmp)
        goldens = recording.goldens(rec, recording.findings(rec))
    assert recording.renderings(report) == goldens, (
        f"tests/fast's goldens of {recording.model_id(model)} are not what graphlint prints: {recording.REGENERATE}")
    return True


@pytest.mark.parametrize("path", [p for corpus, p in recording.MODELS if corpus != "cases"], ids=os.path.basename)
def test_founding_fixture_prints_the_fast_lanes_goldens(path):
    from graphlint.model import tfcompat

    # known before building: a build whose goldens are not comparable here would only cost time
    recorded = json.loads(recording.read_goldens(("per_class_auc", path))["report.json"])
    if (recorded["tensorflow_version"], recorded["estimator_api"]) != (tfcompat.tf().__version__,
                                                                       tfcompat.estimator_api_label()):
        pytest.skip("the goldens were recorded on another TensorFlow or Estimator (see their report.json)")
    assert _agrees_with_the_fast_lane(path, lint_case(path), "per_class_auc")
