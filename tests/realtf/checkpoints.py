"""The suite's checkpoint writers, all with real TensorFlow.

- train_checkpoint(): train a model file's TRAIN graph a few steps and save, as Estimator does;
- write_variables(): save given values under given names (a name-based Saver checkpoint);
- write_object_checkpoint(): a TF2 object-based tf.train.Checkpoint written eagerly.

Every name-based checkpoint is written by a sharded Saver, as Estimator's Scaffold writes them,
so a test reads the files a user's training run leaves behind.
"""

from __future__ import annotations

import os

import numpy as np

from graphlint.model.tfcompat import estimator_api, tf

from . import _build, _import_model


def train_checkpoint(model_path: str, workdir: str, steps: int = 1, params: dict | None = None,
                     cpus: int = 1) -> str:
    """Train `steps` steps of the model file (its `params` with `params` merged over them) and save
    with the Saver Estimator would (the scaffold's, by default a sharded Saver over every
    saveable) to `workdir`/model.ckpt-<steps>; returns that prefix. `cpus` > 1 gives the session
    that many CPU devices, so a model that places variables on them writes one data shard each."""
    os.makedirs(workdir, exist_ok=True)
    t = tf()
    v1 = t.compat.v1
    with estimator_api() as est, t.Graph().as_default():
        spec, input_hooks = _build(_import_model(model_path), est.ModeKeys.TRAIN, workdir, params)
        scaffold = spec.scaffold
        for hook in input_hooks:
            hook.begin()
        scaffold.finalize()
        with v1.Session(config=v1.ConfigProto(device_count={"CPU": cpus})) as sess:
            sess.run([scaffold.init_op, scaffold.local_init_op])
            for hook in input_hooks:  # the dataset iterator's initializer
                hook.after_create_session(sess, None)
            for _ in range(steps):
                sess.run(spec.train_op)
            return scaffold.saver.save(sess, os.path.join(workdir, "model.ckpt"),
                                       global_step=v1.train.get_global_step(), write_meta_graph=False)


def write_variables(directory: str, variables: dict, step: int | None = None, partitions: dict | None = None,
                    cpus: int = 1, name: str = "model.ckpt") -> str:
    """Save {name: array} as graph variables of those values; returns the checkpoint prefix.

    step: also save global_step with this value, as `name`-<step> (Estimator's naming); None: no
    global step, saved as `name`. partitions: {name: n} splits that variable in n parts (each
    holds its slice of the value). cpus > 1: variables go round-robin on that many CPU devices,
    so the sharded save writes one data shard per device."""
    os.makedirs(directory, exist_ok=True)
    t = tf()
    v1 = t.compat.v1
    partitions = partitions or {}
    with t.Graph().as_default():
        for i, (var_name, value) in enumerate(sorted(variables.items())):
            value = np.asarray(value)
            parts = partitions.get(var_name, 1)
            with t.device(f"/cpu:{i % cpus}"):
                v1.get_variable(var_name, value.shape, dtype=t.as_dtype(value.dtype), initializer=_sliced(value),
                                partitioner=v1.fixed_size_partitioner(parts) if parts > 1 else None)
        if step is not None:
            v1.get_variable("global_step", [], t.int64, initializer=v1.constant_initializer(step), trainable=False,
                            collections=[v1.GraphKeys.GLOBAL_VARIABLES, v1.GraphKeys.GLOBAL_STEP])
        with v1.Session(config=v1.ConfigProto(device_count={"CPU": cpus})) as sess:
            sess.run(v1.global_variables_initializer())
            return v1.train.Saver(sharded=True).save(sess, os.path.join(directory, name), global_step=step)


def _sliced(value):
    """An initializer giving each partition its own slice of `value` (TF passes the offset)."""
    def init(shape, dtype=None, partition_info=None):
        offset = partition_info.var_offset if partition_info is not None else [0] * len(shape)
        return tf().constant(value[tuple(slice(o, o + n) for o, n in zip(offset, shape))], dtype)
    return init


def write_object_checkpoint(directory: str, variables: dict) -> str:
    """tf.train.Checkpoint(net=<module>), written eagerly, where variables maps an attribute of the
    module to (variable name, value): the object path (net/<attribute>) is then not the name a
    graph would give the variable. Returns the checkpoint prefix."""
    t = tf()
    net = t.Module()
    for attribute, (var_name, value) in variables.items():
        setattr(net, attribute, t.Variable(value, name=var_name))
    return t.train.Checkpoint(net=net).save(os.path.join(directory, "ckpt"))
