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
