"""An AdamWeightDecay-style optimizer and the train op around it, in google-research/bert's style.

Our own code: slots are plain get_variable calls named `<var>/adam_m` and `<var>/adam_v`, made
in the root scope, and the update math sits in the root name scope as well.
"""

import re

import tensorflow as tf


def create_optimizer(loss, learning_rate, num_train_steps):
    global_step = tf.compat.v1.train.get_or_create_global_step()
    lr = tf.compat.v1.train.polynomial_decay(learning_rate, global_step, num_train_steps,
                                             end_learning_rate=0.0, power=1.0)
    optimizer = AdamWeightDecayOptimizer(lr, weight_decay_rate=0.01,
                                         exclude_from_weight_decay=["LayerNorm", "bias"])
    tvars = tf.compat.v1.trainable_variables()
    grads = tf.gradients(loss, tvars)
    grads, _ = tf.clip_by_global_norm(grads, clip_norm=1.0)
    train_op = optimizer.apply_gradients(zip(grads, tvars), global_step=global_step)
    # Like BERT: the optimizer does not advance the global step, the train op does.
    return tf.group(train_op, global_step.assign(global_step + 1))


class AdamWeightDecayOptimizer(tf.compat.v1.train.Optimizer):
    """Adam with decoupled weight decay, no bias correction."""

    def __init__(self, learning_rate, weight_decay_rate=0.0, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-6, exclude_from_weight_decay=None, name="AdamWeightDecayOptimizer"):
        super().__init__(False, name)
        self.learning_rate = learning_rate
        self.weight_decay_rate = weight_decay_rate
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.exclude_from_weight_decay = exclude_from_weight_decay or []

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        assignments = []
        for grad, param in grads_and_vars:
            if grad is None:
                continue
            grad = tf.convert_to_tensor(grad)  # the embeddings' IndexedSlices; the vocab is tiny
            param_name = re.sub(r":\d+$", "", param.name)
            m, v = (tf.compat.v1.get_variable(param_name + suffix, param.shape.as_list(), tf.float32,
                                              trainable=False,
                                              initializer=tf.compat.v1.zeros_initializer())
                    for suffix in ("/adam_m", "/adam_v"))
            next_m = self.beta_1 * m + (1.0 - self.beta_1) * grad
            next_v = self.beta_2 * v + (1.0 - self.beta_2) * tf.square(grad)
            update = next_m / (tf.sqrt(next_v) + self.epsilon)
            if self._decays(param_name):
                update += self.weight_decay_rate * param
            assignments += [param.assign(param - self.learning_rate * update),
                            m.assign(next_m), v.assign(next_v)]
        return tf.group(*assignments, name=name)

    def _decays(self, name):
        return self.weight_decay_rate and not any(re.search(r, name)
                                                  for r in self.exclude_from_weight_decay)
