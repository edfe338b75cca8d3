"""The PREDICT graph as Estimator.export_saved_model builds it (serving_input_receiver_fn), its
signatures, and how they compare with a SavedModel already in production."""
