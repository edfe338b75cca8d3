"""warm_start_shape.py's model with the checkpoint's shape but a key the checkpoint lacks
('enc/v'): TF rejects the map at graph build, for the name."""

from warm_start_shape import input_fn, model_fn  # noqa: F401

EXPECT = [("GL305", "train,eval,predict", "enc/v")]
params = {"units": 3, "key": "enc/v"}
