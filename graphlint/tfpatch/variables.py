"""Reads of TensorFlow's private graph, variable and Saver state (tensorflow.python.framework.ops,
tensorflow.python.ops.variables / variable_scope, tensorflow.python.training.saving).

Nothing is replaced here: these are the private attributes graphlint reads because TensorFlow has
no public way to the same fact, each behind a small function so the rest of graphlint names no
private symbol (tests/test_tf_private_api.py checks each one).
"""

from __future__ import annotations


def control_outputs(op) -> list:
    """Operation._control_outputs: the ops that take `op` as a control input (TF keeps the reverse
    edge only privately; graphlint walks the graph forward from an op, as Session's pruning does)."""
    return list(op._control_outputs)


def is_ref_dtype(dtype) -> bool:
    """DType._is_ref_dtype: a TF1 reference-variable dtype (float32_ref), whose reads are the
    variable itself; no public name says so."""
    return bool(getattr(dtype, "_is_ref_dtype", False))


def save_slice_info(variable):
    """Variable._save_slice_info: a partition's whole variable (full_name, full_shape, var_offset),
    or None for a variable that is not a partition."""
    return getattr(variable, "_save_slice_info", None)


def initial_value(variable):
    """Variable._initial_value: the initial value tensor as the variable holds it (the public
    initial_value property raises in eager mode and on some variable classes); None if absent."""
    return getattr(variable, "_initial_value", None)


def variable_store_names() -> tuple:
    """The variable names in the current graph's variable store (variable_scope.
    _get_default_variable_store, its _vars and _partitioned_vars), a partition as its whole
    variable: what init_from_checkpoint resolves a scope entry against."""
    from tensorflow.python.ops import variable_scope as vs

    store = vs._get_default_variable_store()
    names = {n.split("/part_")[0] for n in getattr(store, "_vars", {})}
    return tuple(sorted(names | set(getattr(store, "_partitioned_vars", {}))))


def is_variable(x) -> bool:
    """A variable as init_from_checkpoint tells one from a name: a tf.Variable or a resource
    variable (resource_variable_ops.is_resource_variable, which has no public name)."""
    from tensorflow.python.ops import resource_variable_ops, variables

    return isinstance(x, variables.Variable) or resource_variable_ops.is_resource_variable(x)


def saver_var_list(saver):
    """Saver._var_list: the var_list a Saver was made with (None: every saveable object)."""
    return getattr(saver, "_var_list", None)


def saveables(var_list) -> list:
    """The SaveableObjects a Saver made with `var_list` (None: variables._all_saveable_objects(),
    Saver's default) saves, by TF's own conversion (saveable_object_util.op_list_to_dict and
    validate_and_slice_inputs): each has .name, .specs and the variable it saves."""
    from tensorflow.python.ops import variables as tf_variables
    from tensorflow.python.training.saving import saveable_object_util as su

    if var_list is None:
        var_list = tf_variables._all_saveable_objects()
    if not isinstance(var_list, dict):
        var_list = su.op_list_to_dict(var_list)
    return su.validate_and_slice_inputs(var_list)


def saveable_var_shape(saveable):
    """SaveableObject._var_shape (ReferenceVariableSaveable, partitioned saveables): the variable's
    shape; None when the saveable has none."""
    return getattr(saveable, "_var_shape", None)


def object_graph_key_mapping(prefix) -> dict:
    """saver.object_graph_key_mapping: {variable name: checkpoint key} of an object-based checkpoint,
    the names a name-based Saver falls back to (tensorflow.python.training.saver, not exported)."""
    from tensorflow.python.training.saver import object_graph_key_mapping as mapping

    return dict(mapping(prefix))


def object_graph(reader):
    """The TrackableObjectGraph proto (tensorflow.core.protobuf.trackable_object_graph_pb2, not
    exported) of an object-based checkpoint: its `_CHECKPOINTABLE_OBJECT_GRAPH` tensor, read by
    `reader` (tf.train.load_checkpoint's), parsed. Node 0 is the root; each node lists its children
    (node_id, local_name) in the order the object tracked them, and a variable's node its
    attribute VARIABLE_VALUE with the variable's checkpoint key."""
    from tensorflow.core.protobuf import trackable_object_graph_pb2

    return trackable_object_graph_pb2.TrackableObjectGraph.FromString(reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
