"""Name fidelity against TF 1.15: the variables bert's own code builds under the TF1 runtime are the
variables of the BERT-Base checkpoint Google released (trained and saved by TF 1.x), name for name and
shape for shape, scaled to the tiny config (2 layers, hidden 32, intermediate 64, the test vocabulary).

The evidence, transcribed here as names and shapes (no code): google-research/big_vision,
big_vision/models/proj/flaxformer/bert_test_util.py at 642c086e68b5e49ec8c48cead8b1c6fb042fc85a,
`_BASE_SHAPES_DTYPES`, the 206 variables of uncased_L-12_H-768_A-12 (2020_02_20) read from its
bert_model.ckpt with tf.train.load_checkpoint: 5 embedding variables, the 16 below in each of the 12
layers, the pooler's 2 and the pre-training heads' 7 (cls/...), all float32.

The graph is run_pretraining.py's model_fn (bert-tensorflow 1.0.4, unedited), which builds the
encoder and both heads, in EVAL so that no optimizer slot is among the global variables.
"""

import json
import os
import subprocess
import sys

import tf1_bert

H, FF, V, P = "hidden", "intermediate", "vocab", "positions"  # the config's sizes, by role
RELEASED_LAYERS, RELEASED_SIZES = 12, {H: 768, FF: 3072, V: 30522, P: 512}
RELEASED_OUTSIDE_LAYERS = {
    "bert/embeddings/word_embeddings": (V, H), "bert/embeddings/token_type_embeddings": (2, H),
    "bert/embeddings/position_embeddings": (P, H),
    "bert/embeddings/LayerNorm/beta": (H,), "bert/embeddings/LayerNorm/gamma": (H,),
    "bert/pooler/dense/kernel": (H, H), "bert/pooler/dense/bias": (H,),
    "cls/predictions/transform/dense/kernel": (H, H), "cls/predictions/transform/dense/bias": (H,),
    "cls/predictions/transform/LayerNorm/beta": (H,), "cls/predictions/transform/LayerNorm/gamma": (H,),
    "cls/predictions/output_bias": (V,),
    "cls/seq_relationship/output_weights": (2, H), "cls/seq_relationship/output_bias": (2,),
}
RELEASED_IN_EACH_LAYER = {
    "attention/self/query/kernel": (H, H), "attention/self/query/bias": (H,),
    "attention/self/key/kernel": (H, H), "attention/self/key/bias": (H,),
    "attention/self/value/kernel": (H, H), "attention/self/value/bias": (H,),
    "attention/output/dense/kernel": (H, H), "attention/output/dense/bias": (H,),
    "attention/output/LayerNorm/beta": (H,), "attention/output/LayerNorm/gamma": (H,),
    "intermediate/dense/kernel": (H, FF), "intermediate/dense/bias": (FF,),
    "output/dense/kernel": (FF, H), "output/dense/bias": (H,),
    "output/LayerNorm/beta": (H,), "output/LayerNorm/gamma": (H,),
}

BUILD = """
import json, sys
from graphlint import tf1
with tf1.runtime():
    import tensorflow as tf
    from bert import modeling, run_pretraining
    config = modeling.BertConfig.from_json_file(sys.argv[1])
    model_fn = run_pretraining.model_fn_builder(config, None, 1e-4, 10, 1, False, False)
    batch, seq, masked = 2, 16, 4
    ints = lambda *shape: tf.zeros(shape, tf.int32)
    with tf.Graph().as_default():
        features = {"input_ids": ints(batch, seq), "input_mask": ints(batch, seq), "segment_ids": ints(batch, seq),
                    "masked_lm_positions": ints(batch, masked), "masked_lm_ids": ints(batch, masked),
                    "masked_lm_weights": tf.ones([batch, masked]), "next_sentence_labels": ints(batch, 1)}
        model_fn(features, None, tf.estimator.ModeKeys.EVAL, {})
        print(json.dumps([[v.op.name, v.shape.as_list(), v.op.type, v.dtype.name]
                          for v in tf.global_variables()]))
"""


def released(layers: int, sizes: dict) -> dict:
    """The released checkpoint's variables, for `layers` layers of these sizes: name -> shape."""
    out = {name: shape for name, shape in RELEASED_OUTSIDE_LAYERS.items()}
    out.update({f"bert/encoder/layer_{n}/{name}": shape for n in range(layers)
                for name, shape in RELEASED_IN_EACH_LAYER.items()})
    return {name: [sizes.get(d, d) for d in shape] for name, shape in out.items()}


def test_the_transcription_is_the_released_checkpoints_206_variables():
    assert len(released(RELEASED_LAYERS, RELEASED_SIZES)) == 206
    assert released(RELEASED_LAYERS, RELEASED_SIZES)["bert/encoder/layer_11/output/dense/kernel"] == [3072, 768]


def test_bert_built_under_the_runtime_has_the_released_checkpoints_names(tmp_path):
    tf1_bert.installed_bert()  # skips where bert-tensorflow (or tensorflow-estimator) is absent
    config = dict(tf1_bert.CONFIG, vocab_size=len(tf1_bert.SPECIAL) + len(tf1_bert.WORDS))
    path = tmp_path / "bert_config.json"
    path.write_text(json.dumps(config))
    env = dict(os.environ, PYTHONPATH=tf1_bert.ROOT, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([sys.executable, "-c", BUILD, str(path)], env=env, capture_output=True, text=True,
                          timeout=600, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    built = json.loads(proc.stdout.strip().splitlines()[-1])
    sizes = {H: config["hidden_size"], FF: config["intermediate_size"], V: config["vocab_size"],
             P: config["max_position_embeddings"]}
    assert {name: shape for name, shape, _, _ in built} == released(config["num_hidden_layers"], sizes)
    # float32_ref in TF 1.x's own listing: ref variables (VariableV2), float32
    assert {(kind, dtype) for _, _, kind, dtype in built} == {("VariableV2", "float32_ref")}
