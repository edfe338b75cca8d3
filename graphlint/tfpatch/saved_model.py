"""Reads of TensorFlow's SavedModel export and loading internals (tensorflow.python.saved_model:
model_utils.export_utils, model_utils.export_output, loader_impl), which Estimator's
export_saved_model and TF's SavedModel loader use and TensorFlow exports no public name for.

Nothing is replaced here; tests/test_tf_private_api.py checks each symbol.
"""

from __future__ import annotations


def export_outputs(export_outputs_, predictions) -> dict:
    """export_utils.get_export_outputs: the spec's export outputs, or the default PredictOutput of
    its predictions, as Estimator's export makes them."""
    from tensorflow.python.saved_model.model_utils import export_utils

    return export_utils.get_export_outputs(export_outputs_, predictions)


def signature_defs(receiver_tensors, export_outputs_, alternatives) -> dict:
    """export_utils.build_all_signature_defs(serving_only=True): the SignatureDefs an export writes."""
    from tensorflow.python.saved_model.model_utils import export_utils

    return export_utils.build_all_signature_defs(receiver_tensors, export_outputs_, alternatives, serving_only=True)


def export_output_classes() -> dict:
    """{name: class} of export_output's PredictOutput, ClassificationOutput and RegressionOutput
    (tf.estimator.export's, which TF 2.16+ without tensorflow-estimator has only here)."""
    from tensorflow.python.saved_model.model_utils import export_output

    return {name: getattr(export_output, name)
            for name in ("PredictOutput", "ClassificationOutput", "RegressionOutput")}


def parse_saved_model(path):
    """loader_impl.parse_saved_model: the SavedModel proto of `path` (saved_model.pb or .pbtxt),
    parsed as tf.saved_model's loader parses it; raises IOError/OSError when it cannot be read."""
    from tensorflow.python.saved_model import loader_impl

    return loader_impl.parse_saved_model(path)
