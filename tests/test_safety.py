"""What graphlint must never do: write into the model's or the checkpoint's folder, leave temp
files, leak state between runs, crash or hang on a corrupt checkpoint, or accept any TensorFlow."""

import hashlib
import json
import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphlint
from conftest import CASES, FIXTURES
from graphlint.checkpoint import reader as checkpoint
from graphlint.errors import UsageError
from graphlint.model.tfcompat import check_version
from realtf.checkpoints import train_checkpoint


def _tree(folder):
    """Every file below folder with its bytes' hash and its mtime."""
    out = {}
    for dirpath, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, folder)] = (hashlib.sha256(fh.read()).hexdigest(), os.stat(path).st_mtime_ns)
    return out


@pytest.mark.realtf
def test_check_writes_nothing_in_model_checkpoint_or_temp_folders(cli, tmp_path, monkeypatch):
    model_dir = tmp_path / "model"
    shutil.copytree(FIXTURES, model_dir)
    ckpt_dir = tmp_path / "ckpt"
    train_checkpoint(str(model_dir / "attempt1.py"), str(ckpt_dir), steps=2)
    shutil.rmtree(model_dir)  # the harness's own import may have left bytecode; start clean
    shutil.copytree(FIXTURES, model_dir, ignore=shutil.ignore_patterns("__pycache__"))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)  # make tempfile re-read TMPDIR
    before = (_tree(model_dir), _tree(ckpt_dir))
    code, out, _ = cli("check", model_dir / "attempt1.py", "--checkpoint", ckpt_dir, "--format", "json")
    assert code == 1 and json.loads(out)["checkpoint"]["keys"] == 3
    assert (_tree(model_dir), _tree(ckpt_dir)) == before
    assert os.listdir(scratch) == []


@pytest.mark.parametrize("path", [os.path.join(FIXTURES, "attempt2.py"), os.path.join(CASES, "keras_layers.py")])
def test_running_twice_in_one_process_gives_the_same_report(path):
    if path.endswith("keras_layers.py"):
        from graphlint.model.tfcompat import tf

        if not hasattr(tf().compat.v1.layers, "dense"):
            pytest.skip("needs tf-keras on TensorFlow 2.16+")
    first = graphlint.lint(path).to_json()
    second = graphlint.lint(path).to_json()
    assert first == second


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2048), st.binary(max_size=256))
def test_random_bytes_are_never_a_checkpoint(tmp_path, index_bytes, data_bytes):
    prefix = tmp_path / "model.ckpt-1"
    (tmp_path / "model.ckpt-1.index").write_bytes(index_bytes)
    (tmp_path / "model.ckpt-1.data-00000-of-00001").write_bytes(data_bytes)
    with pytest.raises(UsageError) as exc:
        checkpoint.read(str(prefix))
    assert "\n" not in str(exc.value) and str(prefix) in str(exc.value)


@pytest.mark.parametrize("version, ok", [("2.15.1", True), ("2.21.0", True), ("2.14.0", False),
                                          ("2.22.0rc1", False), ("1.15.5", False)])
def test_supported_tensorflow_versions(version, ok):
    if ok:
        check_version(version)
    else:
        with pytest.raises(UsageError, match=f"TensorFlow {version} is not supported; graphlint supports "
                                             "TensorFlow 2.15 to 2.21"):
            check_version(version)
