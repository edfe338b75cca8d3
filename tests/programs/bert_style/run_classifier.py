"""A BERT run_classifier-style program: absl flags, model_fn_builder closure, TPUEstimator on CPU,
hooks passed to train() and evaluate(). --plant adds one bug graphlint knows (tests only)."""

from absl import app, flags
import tensorflow as tf

import modeling

FLAGS = flags.FLAGS
flags.DEFINE_string("output_dir", None, "model_dir")
flags.DEFINE_bool("do_train", True, "train")
flags.DEFINE_bool("do_eval", True, "evaluate")
flags.DEFINE_integer("train_batch_size", 8, "train batch")
flags.DEFINE_integer("eval_batch_size", 4, "eval batch")
flags.DEFINE_integer("num_train_steps", 2, "steps")
flags.DEFINE_float("learning_rate", 0.01, "lr")
flags.DEFINE_enum("plant", "", ["", "eval_hook", "eval_variable", "batch_variable"], "planted bug")
flags.mark_flag_as_required("output_dir")

NUM_FEATURES = 4


def input_fn_builder(is_training):
    def input_fn(params):
        x = tf.random.stateless_uniform([64, NUM_FEATURES], seed=[1, 2])
        y = tf.cast(x[:, 0] > 0.5, tf.int32)
        d = tf.data.Dataset.from_tensor_slices(({"x": x}, y))
        if is_training:
            d = d.repeat()
        return d.batch(params["batch_size"], drop_remainder=True)
    return input_fn


def model_fn_builder(learning_rate, plant):
    def model_fn(features, labels, mode, params):
        is_training = mode == tf.estimator.ModeKeys.TRAIN
        logits = modeling.classifier(features["x"], 2)
        if plant == "batch_variable":
            bias = tf.compat.v1.get_variable("batch_bias", [params["batch_size"], 2],
                                             initializer=tf.compat.v1.zeros_initializer())
            logits = logits + bias
        if plant == "eval_variable" and not is_training:
            seen = tf.compat.v1.get_variable("examples_seen", [], initializer=tf.compat.v1.zeros_initializer())
            logits = logits + 0.0 * seen
        loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels, logits)
        if is_training:
            lr = tf.identity(tf.constant(learning_rate), name="learning_rate")
            train_op = tf.compat.v1.train.GradientDescentOptimizer(lr).minimize(
                loss, global_step=tf.compat.v1.train.get_global_step())
            return tf.compat.v1.estimator.tpu.TPUEstimatorSpec(mode, loss=loss, train_op=train_op)

        def metric_fn(labels, logits):
            return {"accuracy": tf.compat.v1.metrics.accuracy(labels, tf.argmax(logits, -1))}

        return tf.compat.v1.estimator.tpu.TPUEstimatorSpec(mode, loss=loss, eval_metrics=(metric_fn, [labels, logits]))
    return model_fn


def main(_):
    run_config = tf.compat.v1.estimator.tpu.RunConfig(model_dir=FLAGS.output_dir, save_checkpoints_steps=1000)
    estimator = tf.compat.v1.estimator.tpu.TPUEstimator(
        use_tpu=False, model_fn=model_fn_builder(FLAGS.learning_rate, FLAGS.plant), config=run_config,
        train_batch_size=FLAGS.train_batch_size, eval_batch_size=FLAGS.eval_batch_size)
    if FLAGS.do_train:
        hooks = [tf.compat.v1.train.LoggingTensorHook({"lr": "learning_rate"}, every_n_iter=1)]
        estimator.train(input_fn=input_fn_builder(True), max_steps=FLAGS.num_train_steps, hooks=hooks)
    if FLAGS.do_eval:
        hooks = []
        if FLAGS.plant == "eval_hook":  # the train hooks reused for evaluation
            hooks = [tf.compat.v1.train.LoggingTensorHook({"lr": "learning_rate"}, every_n_iter=1)]
        result = estimator.evaluate(input_fn=input_fn_builder(False), steps=2, hooks=hooks)
        for key in sorted(result):
            print(key, result[key])


if __name__ == "__main__":
    app.run(main)
