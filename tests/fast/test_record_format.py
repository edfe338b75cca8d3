"""graphlint/model/record.py: lossless, deterministic, loud about what it cannot write; and a stale
recording is told apart from a current one."""

import dataclasses
import os

import pytest

from conftest import ROOT
from graphlint.model import record
from graphlint.model.snapshot import RunInfo, Site, Snapshot, Variable
from recording import MODELS, RECORDING, UPDATE, classes, folder, load, made_by, staleness

# Tests that read the recordings wait for a run that does not rewrite them.
reads_recordings = pytest.mark.skipif(bool(UPDATE), reason="the recordings are being rewritten (GRAPHLINT_UPDATE_GOLDENS)")


@reads_recordings
def test_every_recording_reads_back_to_the_same_bytes():
    """Decoding then encoding gives the file again: nothing the rules read is lost or reordered."""
    for model in MODELS:
        path = os.path.join(folder(model), RECORDING)
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        meta, info, snapshots, views = record.loads(text, ROOT, classes())
        meta.pop("format")
        assert record.dumps(info, snapshots, views, meta, ROOT, classes()) == text, path


def test_values_round_trip_with_their_types():
    site = Site(os.path.join(ROOT, "m.py"), 3, "model_fn", "x = 1")
    snap = Snapshot("train", ops={"w": "VarHandleOp"}, variables={"w": Variable("w", (None, 3), "float32", True, True)},
                    label_ops=frozenset({"b", "a"}), params={"units": [1, 2], "nested": {"@odd": (1,)}, "n": None},
                    renames=[], update_ops=("u",))
    info = RunInfo(model=site.file, modes=("train",))
    text = record.dumps(info, {"train": snap}, {"train": None}, {"note": site}, ROOT)
    assert ROOT not in text  # paths are written from $ROOT, so the file does not depend on the checkout
    meta, info2, snaps, views = record.loads(text, "/elsewhere")
    assert info2 == dataclasses.replace(info, model="/elsewhere/m.py")
    got = snaps["train"]
    assert got.variables["w"].shape == (None, 3) and isinstance(got.params["units"], list)
    assert got.params["nested"] == {"@odd": (1,)} and got.label_ops == frozenset({"a", "b"})
    assert meta["note"] == Site("/elsewhere/m.py", 3, "model_fn", "x = 1") and views == {"train": None}


def test_an_unknown_type_fails_when_recorded_not_when_read():
    snap = Snapshot("train", params={"fn": object()})
    with pytest.raises(TypeError, match="object"):
        record.dumps(RunInfo(model="m"), {"train": snap}, {}, {}, ROOT)


@reads_recordings
def test_a_changed_code_digest_or_model_file_makes_a_recording_stale():
    meta = load(MODELS[0]).meta
    assert staleness(meta) == ""
    assert "code changed" in staleness(dict(meta, made_by="0" * 64))
    inputs = dict(meta["inputs"])
    first = sorted(inputs)[0]
    inputs[first] = "0" * 64
    assert first in staleness(dict(meta, inputs=inputs))
    assert made_by() == meta["made_by"]


def test_a_class_outside_graphlint_model_is_recorded_only_when_named():
    from graphlint.checkpoint.reader import Checkpoint, CkptEntry

    ckpt = Checkpoint("$TMP/model.ckpt-1", {"w": CkptEntry("w", (4, 3), "float32", 12, "other")}, False)
    with pytest.raises(TypeError, match="Checkpoint"):
        record.dumps(RunInfo(model="m"), {}, {}, {"checkpoint": ckpt}, ROOT)
    text = record.dumps(RunInfo(model="m"), {}, {}, {"checkpoint": ckpt}, ROOT, (Checkpoint, CkptEntry))
    assert record.loads(text, ROOT, (Checkpoint, CkptEntry))[0]["checkpoint"] == ckpt
    with pytest.raises(ValueError, match="Checkpoint"):
        record.loads(text, ROOT)
