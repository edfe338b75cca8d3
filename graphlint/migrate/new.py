"""NEW: the rewrite's weights grouped into layers, from a Python file that builds the model (Keras 3
or PyTorch) or from a file of its weights (.weights.h5, a PyTorch state_dict .pt/.bin, .safetensors).

A model object tells each layer's kind by its class; a weight file only by its names and shapes
(new_files.py), and where those allow two kinds (a 2-D tensor alone: torch Linear without bias or
Embedding) the layer keeps both and the old side's shape decides, or the alignment reports it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field

from graphlint.errors import UsageError
from graphlint.migrate import attention, gru, layouts
from graphlint.migrate.layers import Layer, Weight

DEFAULT_FN = "build_model"
WEIGHT_FILES = (".weights.h5", ".pt", ".pth", ".bin", ".safetensors")


@dataclass
class NewSide:
    path: str
    framework: str  # "keras" or "torch"
    layers: list  # [Layer]
    bookkeeping: dict = field(default_factory=dict)  # key -> Weight with no old source by design
    keys: list = field(default_factory=list)  # every weight's key, in the file's / model's order
    model: object = None  # the built model, when NEW is a Python file
    # where the layers' order comes from: the model, the file's own order, or (safetensors, which
    # stores its keys sorted) the names, and then both sides are aligned in their names' order
    order: str = "model"
    objects: dict = field(default_factory=dict)  # weight key -> its variable, for a tf.Module (new_tf.py)


def read(path: str, fn: str = DEFAULT_FN) -> NewSide:
    from graphlint.migrate import new_tf

    if not path.endswith((".py", *WEIGHT_FILES)) and new_tf.names_a_checkpoint(path):
        return new_tf.from_checkpoint(path)
    if not os.path.exists(path):
        raise UsageError(f"--to: no such file: {path}")
    if path.endswith(".py"):
        return from_model(path, build(path, fn))
    if path.endswith(WEIGHT_FILES):
        from graphlint.migrate import new_files

        return new_files.read(path)
    raise UsageError(f"--to: {path} is neither a Python file, a weight file ({', '.join(WEIGHT_FILES)}) nor a TF2 "
                     "checkpoint")


def build(path: str, fn: str):
    """The model built by `fn()` in the file at `path`, imported as a module of its own."""
    name = "graphlint_migrate_new_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ in the user's folder
    try:
        spec.loader.exec_module(module)
    except ImportError as exc:
        raise UsageError(f"--to: {path} needs {exc.name or exc}: pip install it (PyTorch and safetensors: "
                         f"pip install 'tf-graphlint[torch]')") from None
    finally:
        sys.path.pop(0)
        sys.dont_write_bytecode = bytecode
    builder = getattr(module, fn, None)
    if not callable(builder):
        raise UsageError(f"--to: {path} has no function {fn}() building the new model (--fn NAME names it)")
    return builder()


def from_model(path: str, model) -> NewSide:
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(model, torch.nn.Module):
        return _torch_side(path, model)
    keras = sys.modules.get("keras")
    if keras is not None and isinstance(model, keras.Model):
        return _keras_side(path, model)
    from graphlint.migrate import new_tf  # after Keras 3 and torch: a tf.Module is neither

    if new_tf.is_module(model):
        return new_tf.from_module(path, model)
    raise UsageError(f"--to: {path}'s builder returned a {type(model).__name__}, neither a Keras 3 Model, a "
                     "torch.nn.Module nor a tf.Module")


# --- PyTorch ------------------------------------------------------------------------------------

_TORCH_NORM = {"weight": "gamma", "bias": "beta", "running_mean": "mean", "running_var": "var"}
TORCH_BOOKKEEPING = ("num_batches_tracked",)


def _torch_side(path: str, model) -> NewSide:
    torch = sys.modules["torch"]
    side = NewSide(path, "torch", [], model=model)
    side.keys = list(model.state_dict())
    saved = set(side.keys)  # a non-persistent buffer (BERT's position_ids) is computed, never loaded
    for name, module in model.named_modules():
        own = [(n, t) for n, t in list(module.named_parameters(recurse=False)) + list(module.named_buffers(recurse=False))
               if t is not None and (f"{name}.{n}" if name else n) in saved]
        if not own:
            continue
        ws = {n: Weight(f"{name}.{n}" if name else n, n, tuple(t.shape), _dtype(t)) for n, t in own}
        for n in TORCH_BOOKKEEPING:
            if n in ws:
                bookkeeping = ws.pop(n)
                side.bookkeeping[bookkeeping.key] = bookkeeping
        for layer in torch_layers(name, _torch_class(module, torch), ws, module):
            layer.info["class"] = type(module).__name__
            side.layers.append(layer)
    return side


def _torch_class(module, torch) -> str:
    """The class whose layout the module has: a subclass of Linear (MultiheadAttention's out_proj is a
    NonDynamicallyQuantizableLinear) is a Linear."""
    return "Linear" if isinstance(module, torch.nn.Linear) else type(module).__name__


def _dtype(t) -> str:
    return str(t.dtype).replace("torch.", "")


def torch_layers(name: str, cls: str, ws: dict, module=None) -> list:
    """The layer(s) of one torch module from its class name (or, for a weight file, the class its
    parameter names imply): roles renamed to TF1's, main shape in TF1's layout."""
    def renamed(names):
        return {names.get(n, n): Weight(w.key, names.get(n, n), w.shape, w.dtype) for n, w in ws.items()}

    weight = ws.get("weight")
    if cls == "Linear" and weight is not None and len(weight.shape) == 2:
        return [Layer(name, "dense", renamed({"weight": "kernel"}), weight.shape[::-1])]
    if cls.startswith("Conv") and cls[-2:] in ("1d", "2d", "3d") and weight is not None:
        groups = getattr(module, "groups", 1)
        o, i, *spatial = weight.shape
        if groups > 1 and groups * i == getattr(module, "in_channels", groups) and len(spatial) == 2:
            return [Layer(name, "depthwise", renamed({"weight": "kernel"}), (*spatial, groups, o // groups))]
        if groups == 1:
            return [Layer(name, "conv", renamed({"weight": "kernel"}), (*spatial, i, o))]
    if cls.startswith(("BatchNorm", "LayerNorm")) and weight is not None or set(ws) == {"running_mean", "running_var"}:
        width = next(iter(ws.values())).shape
        return [Layer(name, "norm", renamed(_TORCH_NORM), width)]
    if cls == "Embedding" and weight is not None:
        return [Layer(name, "embedding", renamed({"weight": "table"}), weight.shape)]
    if cls == "LSTM" and set(ws) == {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}:
        units, inputs = ws["weight_hh_l0"].shape[1], ws["weight_ih_l0"].shape[1]
        return [Layer(name, "lstm", dict(ws), (inputs + units, 4 * units), {"units": units, "inputs": inputs})]
    if cls == "GRU" and (layer := gru.torch_layer(name, ws)) is not None:
        return [layer]
    if cls == "MultiheadAttention" and (layer := attention.torch_layer(name, ws)) is not None:
        return [layer]
    return [Layer(w.key, "other", {"value": w}, w.shape) for w in ws.values()]


def torch_transform(layer: Layer, role: str) -> dict:
    """The transform from TF1's layout to the torch weight `role` of `layer`."""
    w = layer.weights[role]
    if layer.kind == "dense" and role == "kernel":
        return layouts.transpose_last_two(2)
    if layer.kind == "conv" and role == "kernel":
        return layouts.hwio_to_oihw(len(w.shape))
    if layer.kind == "depthwise" and role == "kernel":
        return dict(layouts.DEPTHWISE_TO_TORCH)
    if layer.kind == attention.KIND:
        return attention.torch_transform(layer, role)
    if layer.kind == "lstm":
        part = {"weight_ih_l0": "input", "weight_hh_l0": "recurrent", "bias_ih_l0": "bias", "bias_hh_l0": "zero"}[role]
        return layouts.lstm_part(part, layer.info["units"], layer.info["inputs"], layouts.TORCH_LSTM_GATES,
                                 part in ("input", "recurrent"))
    return dict(layouts.IDENTITY)


# --- Keras 3 ------------------------------------------------------------------------------------

_KERAS_KINDS = {"Dense": "dense", "Conv1D": "conv", "Conv2D": "conv", "Conv3D": "conv", "DepthwiseConv2D": "depthwise",
                "BatchNormalization": "norm", "LayerNormalization": "norm", "Embedding": "embedding",
                "LSTMCell": "lstm", "GRUCell": "gru"}


def _keras_side(path: str, model) -> NewSide:
    if not model.built:
        raise UsageError(f"--to: {path}'s Keras model is not built (give it an Input, or call build(shape))")
    side = NewSide(path, "keras", [], model=model)
    side.keys = [w.path for w in model.weights]
    for layer in model._flatten_layers(include_self=False):
        own = list(layer._trainable_variables) + list(layer._non_trainable_variables)
        if own:
            ws = {layouts.ROLE_OF_LEAF.get(v.name, v.name): v for v in own}
            ws = {r: Weight(v.path, r, tuple(v.shape), v.dtype) for r, v in ws.items()}
            if type(layer).__name__ == "EinsumDense":
                new_layer = attention.einsum_dense(layer.path, ws, layer.equation, layer.bias_axes)
            else:
                new_layer = keras_layer(layer.path, _KERAS_KINDS.get(type(layer).__name__, "other"), ws,
                                        getattr(layer, "reset_after", True))
            new_layer.info["class"] = type(layer).__name__
            side.layers.append(new_layer)
    # the model's order is its weights' (creation order): _flatten_layers lists a MultiHeadAttention's
    # sublayers last-created first
    first = {key: i for i, key in enumerate(side.keys)}
    side.layers.sort(key=lambda n: min(first.get(w.key, len(first)) for w in n.weights.values()))
    return side


def keras_layer(name: str, kind: str, ws: dict, reset_after: bool = True) -> Layer:
    """A Keras layer's weights (roles already TF1's) as a Layer with its main shape in TF1's layout."""
    if kind in ("dense", "conv", "depthwise") and "kernel" in ws:
        return Layer(name, kind, ws, ws["kernel"].shape)
    if kind == "norm":
        return Layer(name, kind, ws, next(iter(ws.values())).shape)
    if kind == "embedding" and "table" in ws:
        return Layer(name, kind, ws, ws["table"].shape)
    if kind == "lstm" and {"kernel", "recurrent_kernel", "bias"} == set(ws):
        units, inputs = ws["recurrent_kernel"].shape[0], ws["kernel"].shape[0]
        return Layer(name, kind, ws, (inputs + units, 4 * units), {"units": units, "inputs": inputs})
    if kind == "gru" and (layer := gru.keras_layer(name, ws, reset_after)) is not None:
        return layer
    return Layer(name, "other", ws, next(iter(ws.values())).shape)


def keras_transform(layer: Layer, role: str) -> dict:
    if layer.kind == "dense" and "einsum" in layer.info:
        return attention.keras_transform(layer, role)
    if layer.kind == "lstm":
        part = {"kernel": "input", "recurrent_kernel": "recurrent", "bias": "bias"}[role]
        return layouts.lstm_part(part, layer.info["units"], layer.info["inputs"], layouts.KERAS_LSTM_GATES, False)
    return dict(layouts.IDENTITY)


def transform(framework: str, layer: Layer, role: str) -> dict:
    return (torch_transform if framework == "torch" else keras_transform)(layer, role)
