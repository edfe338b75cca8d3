"""google-research/bert's run_classifier.py as PyPI's bert-tensorflow 1.0.4 ships it, unedited, with
tiny inputs written here: a vocabulary, a 2-layer BERT config and MRPC-format tsv files.

The code is never part of this repository: tests copy the installed package into their tmp folder
(a user's checkout of it), where graphlint sees it as the user's code.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys

import pytest

DISTRIBUTION = "bert-tensorflow==1.0.4"
WORDS = ("the cat sat on mat a dog ran in park it was good bad day and we saw one bird "
         "tree sun").split()
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
SENTENCES = [("the cat sat on the mat", "a cat sat on a mat", "1"),
             ("the dog ran in the park", "it was a good day", "0"),
             ("we saw one bird", "we saw a bird in the tree", "1"),
             ("the sun was good", "the dog was bad", "0")]
CONFIG = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64,
          "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
          "max_position_embeddings": 32, "type_vocab_size": 2, "initializer_range": 0.02}
MAX_SEQ = 16
TRAIN_BATCH = 2
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # graphlint's checkout
# The real run: the program under the runtime, in a fresh process, as `python run_classifier.py` on TF 1.15
RUNTIME_THEN_PROGRAM = ("import runpy, sys; from graphlint import tf1; sys.argv = sys.argv[1:]\n"
                        "with tf1.runtime(): runpy.run_path(sys.argv[0], run_name='__main__')")


def installed_bert() -> str:
    """The installed `bert` package's folder; the test is skipped when the distribution is absent, or
    when this TensorFlow has no tensorflow-estimator (bert makes a tf.estimator.tpu.TPUEstimator,
    which graphlint's stand-in for TF 2.16+ does not have)."""
    from graphlint.model.tfcompat import real_estimator

    if real_estimator() is None:
        pytest.skip("bert's run_classifier.py makes a TPUEstimator: tensorflow-estimator (TensorFlow 2.15)")
    spec = importlib.util.find_spec("bert")
    folder = os.path.dirname(spec.origin) if spec and spec.origin else None
    if not folder or not os.path.isfile(os.path.join(folder, "run_classifier.py")):
        pytest.skip(f"google-research/bert's code is not installed (pip install --no-deps {DISTRIBUTION})")
    return folder


def checkout(base) -> dict:
    """A user's folder: bert/ (copied from the installed package), data, vocab and config."""
    base = str(base)
    shutil.copytree(installed_bert(), os.path.join(base, "bert"), ignore=shutil.ignore_patterns("__pycache__"))
    data = os.path.join(base, "data")
    os.makedirs(data)
    rows = ["Quality\t#1 ID\t#2 ID\t#1 String\t#2 String"]
    rows += [f"{label}\t{i}\t{i + 100}\t{a}\t{b}" for i, (a, b, label) in enumerate(SENTENCES)]
    for name in ("train.tsv", "dev.tsv"):
        with open(os.path.join(data, name), "w", encoding="utf-8") as fh:
            fh.write("\n".join(rows) + "\n")
    vocab = os.path.join(base, "vocab.txt")
    with open(vocab, "w", encoding="utf-8") as fh:
        fh.write("\n".join(SPECIAL + WORDS) + "\n")
    config = os.path.join(base, "bert_config.json")
    with open(config, "w", encoding="utf-8") as fh:
        json.dump(dict(CONFIG, vocab_size=len(SPECIAL) + len(WORDS)), fh)
    return {"base": base, "program": os.path.join(base, "bert", "run_classifier.py"), "data": data,
            "vocab": vocab, "config": config}


def flags(files: dict, output_dir, *extra) -> list:
    """run_classifier.py's command line: MRPC, train then evaluate, a few steps."""
    return ["--task_name=MRPC", "--do_train=true", "--do_eval=true", f"--data_dir={files['data']}",
            f"--vocab_file={files['vocab']}", f"--bert_config_file={files['config']}", f"--output_dir={output_dir}",
            f"--max_seq_length={MAX_SEQ}", f"--train_batch_size={TRAIN_BATCH}", "--eval_batch_size=2",
            "--num_train_epochs=1", "--save_checkpoints_steps=1000", *map(str, extra)]


# A user's fork of run_classifier.py (the fork's own code, not bert's): bert's main() and model_fn,
# with the fork's model_fn around bert's. --plant picks the change the fork made, each a bug from
# bert's issue tracker; without it the fork is bert.
FORK = '''"""A fork of bert's run_classifier: bert's own main(), with the fork's model_fn around bert's."""
import tensorflow as tf

from bert import run_classifier

tf.flags.DEFINE_string("plant", "", "eval_variable | eval_hook: the fork's change to bert's model_fn")
FLAGS = tf.flags.FLAGS
TRAIN_ONLY_TENSOR = "global_norm/global_norm:0"  # the gradient norm; bert's optimizer builds it in TRAIN only


def fork(model_fn):
    def forked(features, labels, mode, params):
        spec = model_fn(features, labels, mode, params)
        if mode != tf.estimator.ModeKeys.EVAL:
            return spec
        if FLAGS.plant == "eval_variable":  # a calibration temperature, created at evaluation only
            temperature = tf.get_variable("calibration/temperature", [], initializer=tf.ones_initializer())
            return spec._replace(loss=spec.loss / temperature)
        if FLAGS.plant == "eval_hook":  # the training log hook, given to evaluation too
            hook = tf.train.LoggingTensorHook({"grad_norm": TRAIN_ONLY_TENSOR}, every_n_iter=1)
            return spec._replace(evaluation_hooks=(hook,))
        return spec
    return forked


def builder(*args, **kwargs):
    return fork(bert_builder(*args, **kwargs))


bert_builder = run_classifier.model_fn_builder
run_classifier.model_fn_builder = builder  # bert's main() looks it up when it runs

if __name__ == "__main__":
    tf.app.run(run_classifier.main)
'''
FORK_TRAIN_ONLY_TENSOR = "global_norm/global_norm:0"
FORK_EVAL_VARIABLE = "calibration/temperature"


def fork_checkout(base) -> dict:
    """checkout() with the fork's fork.py as the program."""
    files = checkout(base)
    files["program"] = os.path.join(files["base"], "fork.py")
    with open(files["program"], "w", encoding="utf-8") as fh:
        fh.write(FORK)
    return files


def _env(files):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, files["base"]]), TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("TF_CONFIG", None)
    return env


def graphlint_run(files, output_dir, *extra):
    """(exit status, the JSON report or None, stderr) of `graphlint run -- program flags`."""
    proc = subprocess.run([sys.executable, "-m", "graphlint", "run", "--format", "json", "--jobs", "1", "--",
                           files["program"], *flags(files, output_dir, *extra)],
                          cwd=files["base"], env=_env(files), capture_output=True, text=True, timeout=600)
    return proc.returncode, (json.loads(proc.stdout) if proc.stdout.strip() else None), proc.stderr


def real_run(files, output_dir, *extra, runtime=True):
    """The program itself: trains and evaluates with the real Estimator (under the runtime, or not)."""
    head = ["-c", RUNTIME_THEN_PROGRAM] if runtime else []
    return subprocess.run([sys.executable, *head, files["program"], *flags(files, output_dir, *extra)],
                          cwd=files["base"], env=_env(files), capture_output=True, text=True, timeout=900)


def errors(report) -> list:
    return [f for f in report["findings"] if f["severity"] == "error"]
