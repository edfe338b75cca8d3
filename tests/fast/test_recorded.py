"""The fast lane: every rule and every reporter on recorded models, without TensorFlow.

Each model of tests/cases/ and fixtures/per_class_auc/ was built once with real TensorFlow and its
rules' input recorded (recording.py says what and how); here the rules run on the recording and
their findings and renderings must equal the goldens next to it, and a case's findings its EXPECT.
Every registered rule has a finding in some recording. How long the whole lane takes is
benchmarks/fast_lane.py's to print.

Regenerate (stale recordings need TensorFlow 2.15 with the real Estimator; goldens alone do not):
    GRAPHLINT_UPDATE_GOLDENS=1 python -m pytest tests/fast        # GRAPHLINT_UPDATE_GOLDENS=all: re-record all
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT
from corpus import literal
from graphlint.rules import all_rules
from graphlint.rules._migrate import MigrateRule
from recording import (GOLDENS, MODELS, RECORDED, RECORDING, REGENERATE, UPDATE, findings, folder, goldens, load,
                       model_id, read_goldens, record_model, staleness, write_goldens)


def _recording(model):
    path = os.path.join(folder(model), RECORDING)
    if UPDATE and (UPDATE == "all" or not os.path.exists(path) or staleness(load(model).meta)):
        record_model(model)  # TensorFlow: skips a case this TensorFlow cannot run, keeping its recording
    if not os.path.exists(path):
        pytest.fail(f"{model_id(model)} has no recording: {REGENERATE}")
    rec = load(model)
    why = staleness(rec.meta)
    assert not why, f"{path} is stale ({why}): {REGENERATE}"
    return rec


@pytest.mark.parametrize("model", MODELS, ids=model_id)
def test_rules_and_reporters_match_the_goldens(model):
    rec = _recording(model)
    found = findings(rec)
    fresh = goldens(rec, found)
    if UPDATE:
        write_goldens(model, fresh)
    for name in GOLDENS:
        path = os.path.join(folder(model), name)
        with open(path, encoding="utf-8") as fh:
            assert fresh[name] == fh.read(), f"{path} differs from what the rules make now: if intended, {REGENERATE}"
    corpus, source = model
    expect = literal(source, "EXPECT", None)
    if expect is not None:  # the case's hand-written truth, independent of the goldens
        assert sorted((f.code, ",".join(f.modes), f.name) for f in found) == sorted(expect)


def test_every_model_has_a_recording_and_no_recording_is_orphaned():
    ids = {model_id(m) for m in MODELS}
    folders = {os.path.relpath(p, RECORDED).replace(os.sep, "/"): p for p in glob.glob(os.path.join(RECORDED, "*", "*"))}
    orphans = sorted(set(folders) - ids)
    if UPDATE:  # a model was removed or renamed: its recording goes too (new ones are other tests' job)
        for name in orphans:
            shutil.rmtree(folders[name])
        return
    assert not orphans, f"recordings of models that are gone: {orphans}: {REGENERATE}"
    assert set(folders) == ids, f"models without a recording: {sorted(ids - set(folders))}: {REGENERATE}"


def test_every_rule_has_a_finding_in_some_recording():
    """A rule the fast lane never sees fire is a rule whose wording and reporting nothing checks
    in seconds: each needs a case (tests/cases/, with CHECKPOINT or SAVED_MODEL for `check`)."""
    if UPDATE:
        pytest.skip("the goldens are being rewritten by the other tests: run again without GRAPHLINT_UPDATE_GOLDENS")
    fired = {line.split(" ", 1)[0] for model in MODELS for line in read_goldens(model)["findings.txt"].splitlines()}
    # `graphlint migrate`'s rules (GL6xx) read the facts of a migration, not a lint run's snapshots:
    # tests/test_migrate_rules.py makes each fire without TensorFlow (test_every_migrate_rule_is_checked_...)
    silent = [f"{r.code} {r.symbol}" for r in all_rules() if r.code not in fired and not isinstance(r, MigrateRule)]
    assert not silent, (f"no recording in tests/fast/recorded has a finding of {', '.join(silent)}: add a case to "
                        f"tests/cases/ that produces it (EXPECT), then {REGENERATE}")


def test_the_fast_lane_imports_no_tensorflow():
    """In a fresh interpreter: load every recording, run every rule and reporter, and say which
    TensorFlow modules got imported (none may). benchmarks/fast_lane.py times the same work."""
    if UPDATE:
        pytest.skip("the recordings are being rewritten by the other tests: run again without GRAPHLINT_UPDATE_GOLDENS")
    script = textwrap.dedent("""
        import json, sys
        sys.path[:0] = [sys.argv[1], sys.argv[1] + '/tests', sys.argv[1] + '/tests/fast']
        import recording
        n = 0
        for model in recording.MODELS:
            rec = recording.load(model)
            n += len(recording.goldens(rec, recording.findings(rec)))
        heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'tensorflow_estimator', 'keras', 'tf_keras'))
        print(json.dumps({'heavy': heavy, 'renderings': n}))
    """)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("GRAPHLINT_UPDATE_GOLDENS", None)
    done = subprocess.run([sys.executable, "-c", script, ROOT], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert result["renderings"] == len(MODELS) * len(GOLDENS)
