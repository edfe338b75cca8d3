"""Read checkpoints (keys, shapes, dtypes, classes of keys) and list them (`graphlint ckpt`)."""
