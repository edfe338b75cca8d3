"""model_fn_builder / input_fn_builder in the style of google-research/bert's run_classifier.py.

Our own code: the model_fn closure returns a TPUEstimatorSpec, warm-starts through scaffold_fn,
and evaluates through eval_metrics=(metric_fn, [tensors]). TPUEstimator(use_tpu=False) passes
params["batch_size"]; graphlint takes it from the model file's params.
"""

import numpy as np
import tensorflow as tf

import modeling
import optimization

SEQ_LENGTH = 8
NUM_EXAMPLES = 16


def input_fn_builder(seq_length=SEQ_LENGTH, vocab_size=modeling.CONFIG["vocab_size"]):
    rng = np.random.RandomState(0)
    features = {
        "input_ids": rng.randint(1, vocab_size, size=(NUM_EXAMPLES, seq_length)).astype("int32"),
        "input_mask": np.ones((NUM_EXAMPLES, seq_length), "int32"),
        "segment_ids": np.zeros((NUM_EXAMPLES, seq_length), "int32"),
        "label_ids": rng.randint(0, 2, size=NUM_EXAMPLES).astype("int32"),
    }

    def input_fn(params):
        dataset = tf.data.Dataset.from_tensor_slices(features)
        return dataset.repeat().batch(params["batch_size"], drop_remainder=True)

    return input_fn


def create_model(config, is_training, features, num_labels, scope):
    pooled = modeling.bert_encoder(features["input_ids"], features["input_mask"],
                                   features["segment_ids"], config, is_training, scope=scope)
    output_weights = tf.compat.v1.get_variable(
        "output_weights", [num_labels, config["hidden_size"]],
        initializer=tf.compat.v1.truncated_normal_initializer(stddev=0.02))
    output_bias = tf.compat.v1.get_variable("output_bias", [num_labels],
                                            initializer=tf.compat.v1.zeros_initializer())
    with tf.compat.v1.variable_scope("loss"):
        if is_training:
            pooled = tf.nn.dropout(pooled, rate=0.1)
        logits = tf.nn.bias_add(tf.matmul(pooled, output_weights, transpose_b=True), output_bias)
        log_probs = tf.nn.log_softmax(logits, axis=-1)
        one_hot = tf.one_hot(features["label_ids"], depth=num_labels, dtype=tf.float32)
        per_example_loss = -tf.reduce_sum(one_hot * log_probs, axis=-1)
        return tf.reduce_mean(per_example_loss), per_example_loss, logits, tf.nn.softmax(logits)


def metric_fn(per_example_loss, label_ids, logits):
    predictions = tf.argmax(logits, axis=-1, output_type=tf.int32)
    return {"eval_accuracy": tf.compat.v1.metrics.accuracy(label_ids, predictions),
            "eval_loss": tf.compat.v1.metrics.mean(per_example_loss)}


def model_fn_builder(config, num_labels, init_checkpoint, learning_rate, num_train_steps,
                     scope="bert"):
    def model_fn(features, labels, mode, params):
        is_training = mode == tf.estimator.ModeKeys.TRAIN
        total_loss, per_example_loss, logits, probabilities = create_model(
            config, is_training, features, num_labels, scope)
        tvars = tf.compat.v1.trainable_variables()
        scaffold_fn = None
        if init_checkpoint:
            assignment_map, _ = modeling.get_assignment_map_from_checkpoint(tvars, init_checkpoint)

            def scaffold_fn():
                tf.compat.v1.train.init_from_checkpoint(init_checkpoint, assignment_map)
                return tf.compat.v1.train.Scaffold()

        TPUEstimatorSpec = tf.compat.v1.estimator.tpu.TPUEstimatorSpec
        if mode == tf.estimator.ModeKeys.TRAIN:
            train_op = optimization.create_optimizer(total_loss, learning_rate, num_train_steps)
            return TPUEstimatorSpec(mode=mode, loss=total_loss, train_op=train_op,
                                    scaffold_fn=scaffold_fn)
        if mode == tf.estimator.ModeKeys.EVAL:
            eval_metrics = (metric_fn, [per_example_loss, features["label_ids"], logits])
            return TPUEstimatorSpec(mode=mode, loss=total_loss, eval_metrics=eval_metrics,
                                    scaffold_fn=scaffold_fn)
        return TPUEstimatorSpec(mode=mode, predictions={"probabilities": probabilities},
                                scaffold_fn=scaffold_fn)

    return model_fn
