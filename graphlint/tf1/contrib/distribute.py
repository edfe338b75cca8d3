"""tf.contrib.distribute: MirroredStrategy, the strategy core TensorFlow took over
(tf.compat.v1.distribute.MirroredStrategy). contrib's constructor also took `num_gpus` (XLNet passes
`num_gpus=FLAGS.num_core_per_host`), which TF 1.15 turned into devices with
device_util.local_devices_from_num_gpus, the function TensorFlow 2 still has: so does this one."""

import functools

PROVIDES = ("MirroredStrategy",)


def symbols() -> dict:
    return {"MirroredStrategy": _mirrored_strategy()}


@functools.lru_cache(maxsize=None)
def _mirrored_strategy():
    """contrib's MirroredStrategy: core's, with contrib's constructor (a subclass, so isinstance holds)."""
    import tensorflow as tf
    from tensorflow.python.distribute import device_util

    class MirroredStrategy(tf.compat.v1.distribute.MirroredStrategy):
        """`num_gpus` (or its older name num_gpus_per_worker) gives /device:GPU:0..n-1, or the CPU
        for 0, as TF 1.15's did. auto_shard_dataset is accepted and left to core, which shards a
        dataset by itself."""

        def __init__(self, devices=None, num_gpus=None, num_gpus_per_worker=None, cross_device_ops=None,
                     auto_shard_dataset=False, cross_tower_ops=None):
            del auto_shard_dataset
            if num_gpus is not None and num_gpus_per_worker is not None:
                raise ValueError("You cannot specify both `num_gpus` and `num_gpus_per_worker`.")
            count = num_gpus if num_gpus is not None else num_gpus_per_worker
            if count is not None:
                if devices is not None:
                    raise ValueError("Must only specify one of `devices` and `num_gpus_per_worker`.")
                devices = device_util.local_devices_from_num_gpus(count)
            super().__init__(devices, cross_device_ops or cross_tower_ops)

    MirroredStrategy.__module__ = "tensorflow.contrib.distribute"
    return MirroredStrategy
