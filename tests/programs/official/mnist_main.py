"""An official-models r1 style program: absl flags, hooks from a helper, train_and_evaluate with
TrainSpec/EvalSpec hooks and an exporter. --plant adds one bug graphlint knows (tests only)."""

from absl import app, flags
import tensorflow as tf

flags.DEFINE_string("model_dir", None, "model_dir")
flags.DEFINE_integer("train_steps", 2, "steps")
flags.DEFINE_enum("plant", "", ["", "eval_hook", "eval_variable"], "planted bug")
FLAGS = flags.FLAGS


def get_train_hooks():
    return [tf.compat.v1.train.LoggingTensorHook(["cross_entropy", "train_accuracy"], every_n_iter=1)]


def model_fn(features, labels, mode, params):
    logits = tf.compat.v1.layers.dense(features["image"], 3, name="dense")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"classes": tf.argmax(logits, 1)},
                                          export_outputs={"classify": tf.estimator.export.PredictOutput(
                                              {"classes": tf.argmax(logits, 1)})})
    loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels, logits)
    tf.identity(loss, name="cross_entropy")
    if params.get("plant") == "eval_variable" and mode == tf.estimator.ModeKeys.EVAL:
        total = tf.compat.v1.get_variable("eval_total", [], initializer=tf.compat.v1.zeros_initializer())
        loss = loss + 0.0 * total
    if mode == tf.estimator.ModeKeys.TRAIN:
        accuracy = tf.compat.v1.metrics.accuracy(labels, tf.argmax(logits, 1))
        tf.identity(accuracy[1], name="train_accuracy")
        train_op = tf.compat.v1.train.AdamOptimizer(0.01).minimize(loss, tf.compat.v1.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
    return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops={
        "accuracy": tf.compat.v1.metrics.accuracy(labels, tf.argmax(logits, 1))})


def input_fn():
    images = tf.random.stateless_uniform([32, 5], seed=[3, 4])
    labels = tf.cast(images[:, 0] * 3, tf.int32)
    return tf.data.Dataset.from_tensor_slices(({"image": images}, labels)).repeat().batch(8)


def serving_input_receiver_fn():
    image = tf.compat.v1.placeholder(tf.float32, [None, 5], name="image")
    return tf.estimator.export.ServingInputReceiver({"image": image}, {"image": image})


def main(_):
    classifier = tf.estimator.Estimator(model_fn=model_fn, model_dir=FLAGS.model_dir,
                                        params={"plant": FLAGS.plant})
    eval_hooks = get_train_hooks() if FLAGS.plant == "eval_hook" else []
    train_spec = tf.estimator.TrainSpec(input_fn, max_steps=FLAGS.train_steps, hooks=get_train_hooks())
    eval_spec = tf.estimator.EvalSpec(input_fn, steps=1, hooks=eval_hooks, throttle_secs=0,
                                      exporters=[tf.estimator.LatestExporter("latest", serving_input_receiver_fn)])
    tf.estimator.train_and_evaluate(classifier, train_spec, eval_spec)


if __name__ == "__main__":
    flags.mark_flag_as_required("model_dir")
    app.run(main)
