"""check, ckpt, rules, colour and config on the command line."""

import os
import pty
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT
from realtf.checkpoints import train_checkpoint


@pytest.fixture(scope="module")
def attempt1_checkpoint(tmp_path_factory):
    """The real training checkpoint of attempt 1 (2 steps)."""
    workdir = str(tmp_path_factory.mktemp("attempt1"))
    train_checkpoint(os.path.join(FIXTURES, "attempt1.py"), workdir, steps=2)
    return workdir


@pytest.mark.realtf
def test_check_attempt1_against_its_training_checkpoint(cli, attempt1_checkpoint):
    code, out, _ = cli("check", os.path.join(FIXTURES, "attempt1.py"), "--checkpoint", attempt1_checkpoint)
    assert code == 1
    assert f"checkpoint: {attempt1_checkpoint}/model.ckpt-2 (3 keys, name-based)" in out
    # TRAIN never creates the counters, so its checkpoint lacks them: one cause, GL101, naming the
    # checkpoint (GL301 does not report them again).
    assert "GL101 [error] [eval] eval-only-saved-variable: class_0/sample_num_classid_0 (and 2 more)" in out
    assert f"(the checkpoint {attempt1_checkpoint}/model.ckpt-2 does not have them either)" in out
    assert "GL301" not in out


@pytest.mark.realtf
def test_check_fixed_build_against_attempt1_checkpoint_is_clean(cli, attempt1_checkpoint):
    code, out, _ = cli("check", os.path.join(FIXTURES, "fixed.py"), "--checkpoint", attempt1_checkpoint)
    assert code == 0, out


def test_check_needs_a_checkpoint(cli):
    code, _, err = cli("check", os.path.join(FIXTURES, "fixed.py"))
    assert code == 2 and "check needs --checkpoint" in err


@pytest.mark.realtf
def test_ckpt_lists_and_filters(cli, attempt1_checkpoint):
    code, out, _ = cli("ckpt", attempt1_checkpoint, "--filter", "^net/")
    assert code == 0
    assert "net/bias" in out and "net/weights" in out and "global_step" not in out.split("\n\n")[0]


def test_ckpt_bad_path_is_exit_2(cli, tmp_path):
    code, out, err = cli("ckpt", str(tmp_path))
    assert code == 2 and out == "" and len(err.splitlines()) == 1


def test_rules_table_and_one_rule(cli):
    code, out, _ = cli("rules")
    assert code == 0 and "GL101" in out and "eval-only-saved-variable" in out
    code, out, _ = cli("rules", "GL202")
    assert code == 0 and "Why is this bad" in out and "auxiliary_name_scope=False" in out
    code, _, err = cli("rules", "GL999")
    assert code == 2


def _tty_run(*argv, env=None):
    """Run graphlint with stdout on a pseudo-terminal, as a person at a desk would."""
    master, slave = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "graphlint", *argv], stdout=slave, stderr=subprocess.DEVNULL,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT, **(env or {})})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.returncode, b"".join(chunks).decode()


def test_colour_only_on_a_terminal_without_no_color():
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    code, out = _tty_run("diff", "fixtures/per_class_auc/attempt1.py", "--modes", "train,eval", env=env)
    assert code == 1 and "\x1b[31mGL101 [error]" in out
    code, out = _tty_run("diff", "fixtures/per_class_auc/attempt1.py", "--modes", "train,eval",
                         env={"NO_COLOR": "1"})
    assert code == 1 and "\x1b[" not in out


def test_config_in_pyproject(cli, tmp_path):
    """[tool.graphlint] next to the model: models, modes and ignores come from it."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.graphlint]\nmodels = ["model.py"]\nmodes = ["train", "eval"]\nignore = ["GL104"]\n')
    model = (tmp_path / "model.py")
    model.write_text(open(os.path.join(FIXTURES, "attempt1.py")).read())
    (tmp_path / "auc_common.py").write_text(open(os.path.join(FIXTURES, "auc_common.py")).read())
    code, out, _ = cli("diff", str(model))
    assert code == 1 and "modes built: train, eval;" in out and "GL104" not in out
    (tmp_path / "pyproject.toml").write_text('[tool.graphlint]\nmodle = "x"\n')
    code, _, err = cli("diff", str(model))
    assert code == 2 and "modle" in err
