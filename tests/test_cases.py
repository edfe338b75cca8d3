"""Each file in tests/cases/ is a model plus the findings it must produce (EXPECT) and its CLI args."""

import json
import os

import pytest

from corpus import CASE_FILES, lint_case, literal, skip_unless_runnable
from fast import case_inputs, recording


@pytest.mark.parametrize("path", CASE_FILES, ids=os.path.basename)
def test_case_produces_exactly_its_expected_findings(path):
    skip_unless_runnable(path)
    with case_inputs.made(path) as (command, args, tmp):  # a checkpoint or SavedModel it is checked against
        report = lint_case(path, *args, command=command)
        got = sorted((f.code, ",".join(f.modes), f.name.replace(tmp, recording.MADE) if tmp else f.name)
                     for f in report.findings)
        assert got == sorted(literal(path, "EXPECT", None))
        for f in report.findings:
            assert f.location is None or os.path.exists(f.location.file), f
            assert f.message and f.fix
        _agrees_with_the_fast_lane(path, report, tmp=tmp)


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
    if not _agrees_with_the_fast_lane(path, lint_case(path), "per_class_auc"):
        pytest.skip("the goldens were recorded on another TensorFlow or Estimator (see their report.json)")
