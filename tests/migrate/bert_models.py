"""The old BERT and its new PyTorch port for the migrate tests.

OLD: google-research/bert's modeling.py as PyPI's bert-tensorflow 1.0.4 ships it, unedited, copied
into a tmp folder (a user's checkout; the code is never part of this repository), with a tiny config
(2 layers, hidden 32) and run under graphlint's TF1 runtime (it uses tf.contrib). It is trained a few
steps in TF1 style (a Session, bert's own AdamWeightDecay optimizer, so adam_m/adam_v slots exist)
and saved by a Saver. The old model file (old_bert.py) wraps bert.modeling in a model_fn whose
predictions are BertModel's sequence and pooled outputs, named as Hugging Face's BertModel names them.

NEW: Hugging Face transformers' BertModel built from the same config (new_bert.py): a maintained
package's PyTorch BERT, not a port of ours. bert's gelu is the tanh approximation, which transformers
calls "gelu_new"; its LayerNorm epsilon is contrib's 1e-12.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tf1_bert import CONFIG, DISTRIBUTION, ROOT, SPECIAL, WORDS

SEQ = 16
BATCH = 3
TRAIN_STEPS = 3
BERT_FILES = ("__init__.py", "modeling.py", "optimization.py")

# Trains bert's BertModel a few steps in TF1 style under the runtime and saves it (our code, not bert's).
TRAIN = """
import sys
import numpy as np
from graphlint.model.tfcompat import use_legacy_keras
use_legacy_keras()  # bert's tf.layers.dense is tf-keras' on TensorFlow 2.16+, as graphlint itself chooses
from graphlint import tf1
with tf1.runtime():
    import tensorflow as tf
    from bert import modeling, optimization
    base, seq, batch, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    config = modeling.BertConfig.from_json_file(base + "/bert_config.json")
    rng = np.random.RandomState(0)
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        ids = tf.constant(rng.randint(0, config.vocab_size, (batch, seq)), tf.int32)
        mask = tf.constant(np.arange(seq)[None, :] < rng.randint(seq // 2, seq + 1, (batch, 1)), tf.int32)
        types = tf.constant(np.arange(seq)[None, :] >= seq // 2, tf.int32) * tf.ones_like(ids)
        model = modeling.BertModel(config, is_training=True, input_ids=ids, input_mask=mask, token_type_ids=types)
        target = tf.constant(rng.randn(batch, config.hidden_size), tf.float32)
        loss = tf.reduce_mean(tf.square(model.get_pooled_output() - target)) + \\
            tf.reduce_mean(tf.square(model.get_sequence_output()))
        train_op = optimization.create_optimizer(loss, 1e-2, steps, 1, False)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(steps):
                sess.run(train_op)
            print(saver.save(sess, base + "/model/model.ckpt", global_step=tf.train.get_global_step()))
"""

OLD_MODEL = '''"""bert.modeling's BertModel as an Estimator model_fn: its sequence and pooled outputs."""
import os

import numpy as np
import tensorflow as tf

from bert import modeling

CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bert_config.json")


def input_fn():  # graphlint's model contract has one; parity feeds --batch
    ids = np.zeros([{batch}, {seq}], np.int32)
    return {{"input_ids": ids, "attention_mask": ids + 1, "token_type_ids": ids}}, None


def model_fn(features, labels, mode, params):
    model = modeling.BertModel(modeling.BertConfig.from_json_file(CONFIG),
                               is_training=mode == tf.estimator.ModeKeys.TRAIN, input_ids=features["input_ids"],
                               input_mask=features["attention_mask"], token_type_ids=features["token_type_ids"])
    return tf.estimator.EstimatorSpec(mode, predictions={{"last_hidden_state": model.get_sequence_output(),
                                                          "pooler_output": model.get_pooled_output()}})
'''

NEW_MODEL = '''"""Hugging Face transformers' PyTorch BertModel, configured as the old BERT."""
import json
import os

from transformers import BertConfig, BertModel

CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bert_config.json")


def build_model():
    with open(CONFIG, encoding="utf-8") as fh:
        old = json.load(fh)
    return BertModel(BertConfig(
        vocab_size=old["vocab_size"], hidden_size=old["hidden_size"], num_hidden_layers=old["num_hidden_layers"] - {fewer},
        num_attention_heads=old["num_attention_heads"], intermediate_size=old["intermediate_size"],
        max_position_embeddings=old["max_position_embeddings"], type_vocab_size=old["type_vocab_size"],
        hidden_act="gelu_new", layer_norm_eps={eps}, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0),
        add_pooling_layer={pooler})
'''
# The new models of the tests: the port, and broken ports (each one change).
NEW_MODELS = {"new": {}, "new_eps": {"eps": 1e-3}, "new_fewer": {"fewer": 1}, "new_no_pooler": {"pooler": False}}
OLD_EPSILON = 1e-12  # tf.contrib.layers.layer_norm's variance_epsilon


def need_bert_and_transformers():
    pytest.importorskip("torch", reason="the PyTorch BERT needs torch: pip install -e '.[torch]'")
    pytest.importorskip("transformers", reason="the new BERT is Hugging Face's: pip install transformers")
    spec = importlib.util.find_spec("bert")
    folder = os.path.dirname(spec.origin) if spec and spec.origin else None
    if not folder or not os.path.isfile(os.path.join(folder, "modeling.py")):
        pytest.skip(f"google-research/bert's code is not installed (pip install --no-deps {DISTRIBUTION})")
    pytest.importorskip("tf_slim", reason="bert's layer_norm is tf.contrib.layers': pip install tf-slim")
    from graphlint.model.tfcompat import tf

    if tuple(int(p) for p in tf().__version__.split(".")[:2]) >= (2, 16) and importlib.util.find_spec("tf_keras") is None:
        pytest.skip("bert's tf.layers.dense is a Keras-2 API: TensorFlow 2.15, or tf-keras on 2.16+")
    return folder


def checkout(base) -> dict:
    """A user's folder: bert/ (copied from the installed package), the config, the old model file and
    the new ones (NEW_MODELS: the port, and the same with LayerNorm epsilon 1e-3, one encoder layer
    fewer, no pooler)."""
    base = str(base)
    os.makedirs(os.path.join(base, "bert"))
    for name in BERT_FILES:
        shutil.copy(os.path.join(need_bert_and_transformers(), name), os.path.join(base, "bert", name))
    with open(os.path.join(base, "bert_config.json"), "w", encoding="utf-8") as fh:
        json.dump(dict(CONFIG, vocab_size=len(SPECIAL) + len(WORDS)), fh)
    files = {"base": base, "old_model": os.path.join(base, "old_bert.py"), "batch": os.path.join(base, "batch.npz")}
    texts = {"old_model": OLD_MODEL.format(batch=BATCH, seq=SEQ)}
    for key, change in NEW_MODELS.items():
        files[key] = os.path.join(base, f"{key.replace('new', 'new_bert')}.py")
        texts[key] = NEW_MODEL.format(**dict({"eps": OLD_EPSILON, "fewer": 0, "pooler": True}, **change))
    for key, text in texts.items():
        with open(files[key], "w", encoding="utf-8") as fh:
            fh.write(text)
    np.savez(files["batch"], **batch(len(SPECIAL) + len(WORDS)))
    return files


def batch(vocab: int, seed: int = 11) -> dict:
    """Token ids, a padding mask (each row a different length) and two segments, as int32."""
    rng = np.random.RandomState(seed)
    lengths = rng.randint(SEQ // 2, SEQ + 1, (BATCH, 1))
    positions = np.arange(SEQ)[None, :]
    return {"input_ids": rng.randint(0, vocab, (BATCH, SEQ)).astype(np.int32),
            "attention_mask": (positions < lengths).astype(np.int32),
            "token_type_ids": np.broadcast_to(positions >= SEQ // 2, (BATCH, SEQ)).astype(np.int32)}


def train(files: dict) -> str:
    """Train the old BERT a few steps in a fresh process (the runtime there) and return its prefix."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, files["base"]]), TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([sys.executable, "-c", TRAIN, files["base"], str(SEQ), str(BATCH), str(TRAIN_STEPS)],
                          cwd=files["base"], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip().splitlines()[-1]
