"""Writes pretrained/bert_model.ckpt: the encoder's variables under 'bert/', deterministic values.

The stand-in for a downloaded BERT checkpoint (the encoder only, no classifier head). Run it
with the TF 2.15 environment to regenerate: python make_pretrained.py
"""

import os

import numpy as np
import tensorflow as tf

import modeling

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKPOINT = os.path.join(HERE, "pretrained", "bert_model.ckpt")


def main():
    tf.compat.v1.disable_eager_execution()
    with tf.Graph().as_default():
        ids = tf.zeros([1, 8], tf.int32)
        modeling.bert_encoder(ids, tf.ones_like(ids), ids, modeling.CONFIG, is_training=False)
        variables = tf.compat.v1.global_variables()
        rng = np.random.RandomState(12)
        with tf.compat.v1.Session() as session:
            for var in variables:
                var.load(rng.uniform(-1.0, 1.0, var.shape.as_list()).astype("float32"), session)
            # No 'checkpoint' state file: it would hold this machine's absolute path.
            tf.compat.v1.train.Saver(variables).save(session, CHECKPOINT, write_meta_graph=False,
                                                     write_state=False)


if __name__ == "__main__":
    main()
