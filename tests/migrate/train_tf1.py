"""Train one of tf1_models' models with tf.estimator, written as public TF1 training scripts are
(argparse flags, an Estimator with model_fn, model_dir and params, train_and_evaluate). On
TensorFlow 2.15 with tensorflow-estimator, `python train_tf1.py --model_dir DIR` trains for real;
`graphlint migrate OLD --to NEW --old-program -- train_tf1.py ...` runs it with Estimator's entry
points recorded, and takes its model_fn and params as the old model."""

import argparse
import sys

import numpy as np
import tensorflow as tf

import tf1_models  # next to this script: its folder is first on sys.path, as for any script


def input_fn(model, seed, epochs=None):
    def fn():
        x = tf1_models.batch(model, seed)
        labels = np.arange(len(x)) % 3
        return tf.data.Dataset.from_tensor_slices((x, labels)).repeat(epochs).batch(tf1_models.BATCH)
    return fn


def model_fn(features, labels, mode, params):
    v1 = tf.compat.v1
    logits = tf1_models.MODELS[params["model"]][0](features, mode == tf.estimator.ModeKeys.TRAIN)
    ema = v1.train.ExponentialMovingAverage(params["ema_decay"]) if params["ema_decay"] else None
    if mode == tf.estimator.ModeKeys.PREDICT:
        # evaluation and serving read the shadows, as in public EMA recipes
        scaffold = v1.train.Scaffold(saver=v1.train.Saver(ema.variables_to_restore())) if ema else None
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits}, scaffold=scaffold)
    loss = v1.losses.sparse_softmax_cross_entropy(labels, logits)
    if mode == tf.estimator.ModeKeys.EVAL:
        return tf.estimator.EstimatorSpec(mode, loss=loss)
    with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
        train_op = v1.train.AdamOptimizer(params["learning_rate"]).minimize(loss, v1.train.get_global_step())
    if ema:
        with tf.control_dependencies([train_op]):
            train_op = ema.apply(v1.trainable_variables())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_dir", required=True)
    parser.add_argument("--model", default="lstm", choices=sorted(tf1_models.MODELS))
    parser.add_argument("--ema_decay", type=float, default=0.0)
    parser.add_argument("--learning_rate", type=float, default=0.05)
    parser.add_argument("--train_steps", type=int, default=tf1_models.STEPS)
    parser.add_argument("--finetune_dir", help="then fine-tune, warm-started, at a tenth of the rate in this model_dir")
    flags = parser.parse_args(argv)
    params = {"model": flags.model, "ema_decay": flags.ema_decay, "learning_rate": flags.learning_rate}
    estimator = tf.estimator.Estimator(model_fn, model_dir=flags.model_dir, params=params)
    train_spec = tf.estimator.TrainSpec(input_fn(flags.model, seed=1), max_steps=flags.train_steps)
    eval_spec = tf.estimator.EvalSpec(input_fn(flags.model, seed=11, epochs=1), steps=1, throttle_secs=0)
    tf.estimator.train_and_evaluate(estimator, train_spec, eval_spec)
    if flags.finetune_dir:
        finetuned = tf.estimator.Estimator(model_fn, model_dir=flags.finetune_dir, warm_start_from=flags.model_dir,
                                           params={**params, "learning_rate": flags.learning_rate / 10})
        finetuned.train(input_fn(flags.model, seed=2), max_steps=2 * flags.train_steps)


if __name__ == "__main__":
    main(sys.argv[1:])
