"""A deepctr-style program: an Estimator subclass that builds its model_fn in __init__, argparse,
hooks passed to evaluate(), then predict(). --plant adds one bug graphlint knows (tests only)."""

import argparse

import tensorflow as tf


class WideEstimator(tf.estimator.Estimator):
    def __init__(self, units, model_dir, plant="", config=None):
        def _model_fn(features, labels, mode, config):
            hidden = tf.compat.v1.layers.dense(features["x"], units, activation=tf.nn.relu, name="hidden")
            logits = tf.compat.v1.layers.dense(hidden, 1, name="logits")[:, 0]
            if plant == "eval_variable" and mode != tf.estimator.ModeKeys.TRAIN:
                calib = tf.compat.v1.get_variable("calibration", [], initializer=tf.compat.v1.ones_initializer())
                logits = logits * calib
            probs = tf.sigmoid(logits, name="probabilities")
            if mode == tf.estimator.ModeKeys.PREDICT:
                return tf.estimator.EstimatorSpec(mode, predictions={"p": probs})
            loss = tf.compat.v1.losses.sigmoid_cross_entropy(labels, logits)
            if mode == tf.estimator.ModeKeys.EVAL:
                return tf.estimator.EstimatorSpec(mode, loss=loss)
            train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
                loss, tf.compat.v1.train.get_global_step())
            tf.identity(tf.reduce_mean(probs), name="mean_train_probability")
            return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
        super().__init__(model_fn=_model_fn, model_dir=model_dir, config=config)


def input_fn(mode):
    x = tf.random.stateless_uniform([16, 3], seed=[5, 6])
    y = tf.cast(x[:, 0] > 0.5, tf.float32)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.data.Dataset.from_tensor_slices({"x": x}).batch(4)
    return tf.data.Dataset.from_tensor_slices(({"x": x}, y)).repeat().batch(4)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_dir", required=True)
    parser.add_argument("--units", type=int, default=4)
    parser.add_argument("--plant", default="", choices=["", "eval_hook", "eval_variable"])
    args = parser.parse_args()
    est = WideEstimator(args.units, args.model_dir, args.plant,
                        config=tf.estimator.RunConfig(save_summary_steps=1))
    for _ in range(3):  # an epoch loop: graphlint records each line once
        est.train(input_fn, steps=1)
    hooks = []
    if args.plant == "eval_hook":
        hooks = [tf.compat.v1.train.LoggingTensorHook({"p": "mean_train_probability"}, every_n_iter=1)]
    metrics = est.evaluate(input_fn, steps=1, hooks=hooks)
    print(sorted(metrics))
    print(len(list(est.predict(input_fn))))


if __name__ == "__main__":
    main()
