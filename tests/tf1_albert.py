"""ALBERT's run_classifier (albert-tensorflow 1.1 from PyPI, unedited) driven by a user's entry point.

That package ships run_classifier.main() but neither its flag definitions nor an entry point (on
GitHub they sit in the same file), so the user's program written here defines the flags main() reads
with `tf.flags` and calls `tf.app.run(main)`: TF1 code through `import tensorflow as tf`, as ALBERT's
own modules are (`tf.flags.FLAGS`, `tf.gfile`, `from tensorflow.contrib import tpu, data,
cluster_resolver, metrics, layers`). The package is copied into the test's tmp folder, never committed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil

import pytest

import tf1_bert

DISTRIBUTION = "albert-tensorflow==1.1"
CONFIG = dict(tf1_bert.CONFIG, embedding_size=16, num_hidden_groups=1, inner_group_num=1, down_scale_factor=1)

DRIVER = '''"""A user's entry point for ALBERT's run_classifier.main."""
import tensorflow as tf

from albert import run_classifier

flags = tf.flags
for name in ("data_dir", "albert_config_file", "task_name", "vocab_file", "spm_model_file", "output_dir",
             "init_checkpoint", "tpu_name", "tpu_zone", "gcp_project", "master"):
    flags.DEFINE_string(name, None, name)
for name, default in (("do_lower_case", True), ("do_train", False), ("do_eval", False), ("do_predict", False),
                      ("use_tpu", False), ("use_pooled_output", True)):
    flags.DEFINE_bool(name, default, name)
for name, default in (("max_seq_length", 16), ("train_batch_size", 2), ("eval_batch_size", 2),
                      ("predict_batch_size", 2), ("save_checkpoints_steps", 1000), ("iterations_per_loop", 1000),
                      ("num_tpu_cores", 8)):
    flags.DEFINE_integer(name, default, name)
for name, default in (("learning_rate", 5e-5), ("num_train_epochs", 1.0), ("warmup_proportion", 0.1)):
    flags.DEFINE_float(name, default, name)

if __name__ == "__main__":
    tf.app.run(run_classifier.main)
'''


def checkout(base) -> dict:
    """tf1_bert's data, vocab and folder, with albert/ copied in, the driver, and an ALBERT config."""
    spec = importlib.util.find_spec("albert")
    folder = os.path.dirname(spec.origin) if spec and spec.origin else None
    if not folder or not os.path.isfile(os.path.join(folder, "run_classifier.py")):
        pytest.skip(f"ALBERT's code is not installed (pip install --no-deps {DISTRIBUTION} sentencepiece)")
    if importlib.util.find_spec("sentencepiece") is None:
        pytest.skip("ALBERT's tokenization imports sentencepiece (pip install sentencepiece)")
    files = tf1_bert.checkout(base)
    shutil.copytree(folder, os.path.join(files["base"], "albert"), ignore=shutil.ignore_patterns("__pycache__"))
    files["program"] = os.path.join(files["base"], "albert_main.py")
    with open(files["program"], "w", encoding="utf-8") as fh:
        fh.write(DRIVER)
    with open(files["config"], "w", encoding="utf-8") as fh:
        json.dump(dict(CONFIG, vocab_size=len(tf1_bert.SPECIAL) + len(tf1_bert.WORDS)), fh)
    return files


def flags(files: dict, output_dir, *extra) -> list:
    return ["--task_name=MRPC", "--do_train=true", "--do_eval=true", f"--data_dir={files['data']}",
            f"--vocab_file={files['vocab']}", f"--albert_config_file={files['config']}",
            f"--output_dir={output_dir}", *map(str, extra)]
