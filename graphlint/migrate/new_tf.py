"""NEW as TensorFlow 2 objects: a Python file whose function returns a `tf.Module` (its variables
created eagerly), or a TF2 object-based checkpoint (written by tf.train.Checkpoint).

Both are read through TensorFlow's own checkpoint: a module is written once, as
`tf.train.Checkpoint(root=module).write` writes it, into a temporary folder (so its keys are the
ones TF gives it, not re-derived here), and a checkpoint is read as it is. Keys, shapes and dtypes
come from tf.train.load_checkpoint; the order from the checkpoint's object graph (depth first from
the root, each object's children in the order it tracked them, i.e. assigned them). A weight is
named by its object path, the checkpoint key without `/.ATTRIBUTES/VARIABLE_VALUE`
(`layers/0/kernel`). Layouts are TF's, as a Keras NEW's: a dense kernel [in, out], a conv kernel
HWIO, no transposes; `kernel` + `recurrent_kernel` + `bias` in one object is Keras' LSTM layout.

--write OUT is a TF2 checkpoint prefix (OUT.index, OUT.data-*):
- a tf.Module: its variables assigned the converted values, then
  `tf.train.Checkpoint(root=module).write(OUT)`, so OUT restores into the module the file builds;
- a TF2 checkpoint: NEW's checkpoint copied key by key with the mapped values replaced and every
  other tensor, the object graph among them, copied as it is (tf.raw_ops.SaveV2). There is no
  object to restore into; copying the object graph unchanged is what keeps OUT restoring wherever
  NEW restored (same objects, same keys), and the values replaced were checked to have NEW's
  shapes and dtypes.
"""

from __future__ import annotations

import os
import re
import tempfile

from graphlint.checkpoint import reader as ckpt_lib
from graphlint.errors import UsageError
from graphlint.migrate import new, old
from graphlint.migrate.layers import Layer, Weight
from graphlint.model.tfcompat import tf

FRAMEWORK = "tf"
VALUE = "/.ATTRIBUTES/VARIABLE_VALUE"
_PIECE_RE = re.compile(r"\.(index|data-\d{5}-of-\d{5})$")
_NOT_PREFIXES = (".weights.h5", ".pt", ".pth", ".bin", ".safetensors", ".h5", ".keras", ".index")


def names_a_checkpoint(path: str) -> bool:
    """A directory, a checkpoint prefix or one of its files (what reader.resolve takes)."""
    return os.path.isdir(path) or os.path.exists(path + ".index") or bool(_PIECE_RE.search(path))


def is_module(model) -> bool:
    return isinstance(model, tf().Module)


def from_module(path: str, module) -> new.NewSide:
    """A tf.Module's weights, as the checkpoint tf.train.Checkpoint(root=module) writes them."""
    if not tf().executing_eagerly():
        raise UsageError(f"--to: {path}'s tf.Module was built in graph mode; build it eagerly (TF2's default)")
    with tempfile.TemporaryDirectory(prefix="graphlint-migrate-") as tmp:  # never the user's folder
        prefix = tf().train.Checkpoint(root=module).write(os.path.join(tmp, "new"))
        return _side(path, prefix, module)


def from_checkpoint(path: str) -> new.NewSide:
    ckpt = ckpt_lib.read(path)  # one-line errors for what is no checkpoint
    if not ckpt.object_based:
        raise UsageError(f"--to: {ckpt.prefix} is a name-based (TF1) checkpoint; NEW is a TF2 object-based "
                         "checkpoint (tf.train.Checkpoint), a model file or a weight file")
    return _side(ckpt.prefix, ckpt.prefix, None)


def _side(path: str, prefix: str, module) -> new.NewSide:
    reader = tf().train.load_checkpoint(prefix)
    shapes, dtypes = reader.get_variable_to_shape_map(), reader.get_variable_to_dtype_map()
    weights, objects = {}, {}
    for key, obj in _variables(reader, module):
        if ckpt_lib.classify(key) != "other" or not key.endswith(VALUE):  # save_counter, optimizer slots
            continue
        name = key[:-len(VALUE)]
        weights[name] = Weight(name, "", tuple(int(d) for d in shapes[key]), dtypes[key].name)
        objects[name] = obj
    return new.NewSide(path, FRAMEWORK, _layers(list(weights), weights), keys=list(weights), model=module,
                       objects=objects if module is not None else {})


def _variables(reader, module) -> list:
    """[(checkpoint key, the variable or None)] of the object graph's variables, depth first from the
    root, each object once, children in the order the object tracked them; with a module, each
    node's object found by TF's own view of its children (tf.train.TrackableView)."""
    from graphlint.tfpatch.variables import object_graph

    graph = object_graph(reader)
    children_of = tf().train.TrackableView.children
    out, seen, stack = [], set(), [(0, module)]
    while stack:
        node_id, obj = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        node = graph.nodes[node_id]
        out += [(a.checkpoint_key, obj) for a in node.attributes if a.name == "VARIABLE_VALUE"]
        # an edge the object itself does not have (tf.train.Checkpoint's own `root`, `save_counter`) has no object
        children = children_of(obj) if obj is not None else {}
        stack += [(c.node_id, children.get(c.local_name)) for c in reversed(node.children)]
    return out


def _layers(names: list, weights: dict) -> list:
    """The weights grouped by object into layers, as OLD's scopes are (TF layouts on both sides), but
    an object holding kernel, recurrent_kernel and bias is Keras' LSTM layout, and a 4-D kernel not
    named depthwise is a conv or a depthwise conv (same layout: the other side's kind decides)."""
    objects = {}
    for name in names:
        objects.setdefault(name.rpartition("/")[0], []).append(name)
    out = []
    for scope, members in objects.items():
        leaves = {m.rpartition("/")[2]: weights[m] for m in members}
        if set(leaves) == {"kernel", "recurrent_kernel", "bias"}:
            ws = {r: Weight(w.key, r, w.shape, w.dtype) for r, w in leaves.items()}
            out.append(new.keras_layer(scope, "lstm", ws))
            continue
        out += [_either_conv(layer) for layer in old.scope_layers(members, weights)]
    return out


def _either_conv(layer: Layer) -> Layer:
    if layer.kind == "conv" and len(layer.main_shape) == 4:
        layer.alternatives = {"conv": layer.main_shape, "depthwise": layer.main_shape}
    return layer


# --- writing ------------------------------------------------------------------------------------

def write(out: str, mapping, old_side, new_side) -> int:
    from graphlint.migrate import writer

    if out.endswith(_NOT_PREFIXES):
        raise UsageError(f"--write: a TF2 checkpoint is written as a prefix (OUT.index, OUT.data-*); got {out}")
    values = writer.converted(mapping, old_side.prefix)
    if new_side.model is not None:
        assign(new_side, values)
        tf().train.Checkpoint(root=new_side.model).write(out)
    else:
        _copy_replacing(new_side.path, out, values)
    return len(mapping.entries)


def outputs(new_side, converted, inputs):
    """The module, its variables assigned the converted values, called on `inputs`."""
    if not callable(new_side.model):
        raise UsageError(f"--old-model: parity calls NEW, and {new_side.path}'s tf.Module has no __call__")
    assign(new_side, converted)
    return new_side.model(inputs)


def assign(new_side, converted) -> None:
    """Each (name, value) into the module's variable of that name, one at a time."""
    for name, value in converted:
        variable = new_side.objects.get(name)
        if variable is None:  # reached only through an edge tf.train.Checkpoint adds: not the module's own
            raise UsageError(f"--to: {name} is not reachable from {new_side.path}'s module itself")
        variable.assign(value)


def _copy_replacing(prefix: str, out: str, converted) -> None:
    """NEW's checkpoint at `prefix` written to `out`, the converted values in place of theirs."""
    t = tf()
    replaced = {name + VALUE: value for name, value in converted}
    reader = t.train.load_checkpoint(prefix)
    keys = sorted(reader.get_variable_to_shape_map())
    tensors = [t.constant(replaced[k] if k in replaced else reader.get_tensor(k)) for k in keys]
    t.io.gfile.makedirs(os.path.dirname(out) or ".")
    t.raw_ops.SaveV2(prefix=out, tensor_names=keys, shape_and_slices=[""] * len(keys), tensors=tensors)
