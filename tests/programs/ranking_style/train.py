"""A tf_ranking-style program (tensorflow/ranking's tf_ranking_libsvm.py): one Estimator,
train_and_evaluate() with a TrainSpec and an EvalSpec, then evaluate() on the test data with the
same Estimator. --plant adds one bug graphlint knows (tests only). model_fn says on stderr which
mode it builds, so a test can count the builds."""

import argparse
import sys

import tensorflow as tf


def make_model_fn(plant):
    def model_fn(features, labels, mode, params):
        print(f"model_fn builds {mode}", file=sys.stderr)
        w = tf.compat.v1.get_variable("w", [3, 1])
        scores = tf.matmul(features["x"], w)[:, 0]
        if plant == "eval_variable" and mode != tf.estimator.ModeKeys.TRAIN:
            bias = tf.compat.v1.get_variable("score_bias", [], initializer=tf.compat.v1.zeros_initializer())
            scores = scores + bias
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions={"scores": scores})
        loss = tf.reduce_mean(tf.square(scores - labels))
        train_op = tf.compat.v1.train.AdagradOptimizer(params["learning_rate"]).minimize(
            loss, tf.compat.v1.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
    return model_fn


def input_fn(seed):
    def fn():
        x = tf.random.stateless_uniform([16, 3], seed=[seed, 1])
        return tf.data.Dataset.from_tensor_slices(({"x": x}, x[:, 0])).repeat().batch(4)
    return fn


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output_dir", required=True)
    parser.add_argument("--plant", default="", choices=["", "eval_variable"])
    args = parser.parse_args()
    estimator = tf.estimator.Estimator(make_model_fn(args.plant), model_dir=args.output_dir,
                                       params={"learning_rate": 0.1})
    train_spec = tf.estimator.TrainSpec(input_fn(1), max_steps=2)
    eval_spec = tf.estimator.EvalSpec(input_fn(2), steps=1, name="vali", throttle_secs=0)
    tf.estimator.train_and_evaluate(estimator, train_spec, eval_spec)
    print(sorted(estimator.evaluate(input_fn(3), steps=1, name="test")))  # the test set, as tf_ranking does


if __name__ == "__main__":
    main()
