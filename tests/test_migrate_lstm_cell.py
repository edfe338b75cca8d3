"""The old LSTM and GRU of the migrate tests (tests/migrate/tf1_models.py, written with get_variable and tf.nn
ops because TF1's cells need tf-keras on TensorFlow 2.16+) are TF1's LSTMCell and GRUCell: same variables (names,
shapes) and, with the same values, the same outputs. Runs where the real cell exists (TensorFlow
2.15, or 2.16+ with tf-keras)."""

import numpy as np
import pytest

from graphlint.model.tfcompat import tf
from migrate import tf1_models

pytestmark = pytest.mark.realtf


def _real_cell(name="LSTMCell"):
    try:
        return getattr(tf().compat.v1.nn.rnn_cell, name)
    except (AttributeError, ImportError) as exc:
        pytest.skip(f"tf.compat.v1.nn.rnn_cell.{name} is not available here ({type(exc).__name__}): it needs "
                    "TensorFlow 2.15, or tf-keras on 2.16+")


def _outputs(build, inputs):
    v1 = tf().compat.v1
    graph = tf().Graph()
    with graph.as_default():
        v1.set_random_seed(3)
        x = v1.placeholder(tf().float32, [None, *inputs.shape[1:]])
        h = build(x)
        variables = {v.name.split(":")[0]: tuple(v.shape.as_list()) for v in v1.global_variables()}
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            for v in v1.global_variables():  # the same values on both sides, whatever the initializers
                sess.run(v.assign(np.random.RandomState(len(v.name)).normal(size=v.shape.as_list()) * 0.5))
            return variables, sess.run(h, {x: inputs})


def test_hand_written_cell_is_tf1_lstm_cell():
    cell_class = _real_cell()
    inputs = tf1_models.batch("lstm", seed=1)

    def real(x):
        cell = cell_class(6)
        outputs, _ = tf().compat.v1.nn.dynamic_rnn(cell, x, dtype=tf().float32)
        return outputs[:, -1]

    real_vars, real_h = _outputs(real, inputs)
    ours_vars, ours_h = _outputs(lambda x: tf1_models.lstm(x, 6), inputs)
    assert real_vars == ours_vars == {"rnn/lstm_cell/kernel": (10, 24), "rnn/lstm_cell/bias": (24,)}
    np.testing.assert_allclose(ours_h, real_h, atol=1e-6)


def test_hand_written_cell_is_tf1_gru_cell():
    cell_class = _real_cell("GRUCell")
    inputs = tf1_models.batch("gru", seed=1)

    def real(x):
        outputs, _ = tf().compat.v1.nn.dynamic_rnn(cell_class(6), x, dtype=tf().float32)
        return outputs[:, -1]

    real_vars, real_h = _outputs(real, inputs)
    ours_vars, ours_h = _outputs(lambda x: tf1_models.gru(x, 6), inputs)
    assert real_vars == ours_vars == {"rnn/gru_cell/gates/kernel": (10, 12), "rnn/gru_cell/gates/bias": (12,),
                                      "rnn/gru_cell/candidate/kernel": (10, 6), "rnn/gru_cell/candidate/bias": (6,)}
    np.testing.assert_allclose(ours_h, real_h, atol=1e-6)
