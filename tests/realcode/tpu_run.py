"""Run a bert-style model as BERT's run_classifier does: TPUEstimator(use_tpu=False) on the CPU.

tests/realtf/ runs a model with tf.estimator.Estimator, which rejects a TPUEstimatorSpec; this
is the same train-then-evaluate with TPUEstimator, sorted into the same Outcome. It needs the real
Estimator (TF 2.15 + tensorflow-estimator): TF 2.16+ has no TPUEstimator.
"""

from __future__ import annotations

from graphlint.model.tfcompat import tf
from tests.realtf import Outcome, _classify_eval_error, _import_model, _text


def run_tpu_estimator(model_path: str, workdir: str, train_steps: int = 2,
                      eval_steps: int = 2) -> Outcome:
    model = _import_model(model_path)
    tpu = tf().compat.v1.estimator.tpu
    params = dict(model.params)
    # TPUEstimator owns params["batch_size"]: it refuses params that already set it.
    batch_size = params.pop("batch_size")
    config = tpu.RunConfig(model_dir=workdir, tpu_config=tpu.TPUConfig(iterations_per_loop=1))
    estimator = tpu.TPUEstimator(model_fn=model.model_fn, config=config, params=params,
                                 use_tpu=False, train_batch_size=batch_size,
                                 eval_batch_size=batch_size, predict_batch_size=batch_size)
    outcome = Outcome()
    try:
        estimator.train(model.input_fn, steps=train_steps)
    except Exception as exc:  # noqa: BLE001 - reporting what TF raised is the point
        outcome.train_error = _text(exc)
        return outcome
    try:
        estimator.evaluate(model.input_fn, steps=eval_steps)
    except Exception as exc:  # noqa: BLE001
        _classify_eval_error(outcome, exc)
    return outcome
