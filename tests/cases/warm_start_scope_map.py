"""The fix of warm_start_empty_map.py, the map GL310 prints: the checkpoint's scope onto the model's."""

from warm_start_empty_map import input_fn, model_fn  # noqa: F401

EXPECT = []
params = {"units": 3, "learning_rate": 0.0, "map_scopes": True}
