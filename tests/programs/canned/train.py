"""An argparse program with canned estimators (DNNClassifier / LinearClassifier) that warm-starts
from an earlier run's model_dir. Version 1 of the model named its feature `--feature`."""

import argparse

import numpy as np
import tensorflow as tf

parser = argparse.ArgumentParser()
parser.add_argument("--model_dir", required=True)
parser.add_argument("--estimator", choices=["dnn", "linear"], default="linear")
parser.add_argument("--feature", default="age")
parser.add_argument("--warm_start_from", default=None)
parser.add_argument("--steps", type=int, default=2)
args = parser.parse_args()


def input_fn():
    x = np.linspace(0.0, 1.0, 32, dtype=np.float32).reshape(-1, 1)
    y = (x[:, 0] > 0.5).astype(np.int32)
    return tf.data.Dataset.from_tensor_slices(({args.feature: x}, y)).repeat().batch(8)


columns = [tf.feature_column.numeric_column(args.feature)]
if args.estimator == "dnn":
    estimator = tf.estimator.DNNClassifier(hidden_units=[4], feature_columns=columns, model_dir=args.model_dir,
                                           warm_start_from=args.warm_start_from)
else:
    estimator = tf.estimator.LinearClassifier(feature_columns=columns, model_dir=args.model_dir,
                                              warm_start_from=args.warm_start_from)
estimator.train(input_fn, steps=args.steps)
print(estimator.evaluate(input_fn, steps=1))
