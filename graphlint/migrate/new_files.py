"""NEW as a file of weights, without the model: names, shapes and dtypes only (no values are read).

A PyTorch state_dict (.pt/.pth/.bin, torch.load with weights_only=True) or a .safetensors file
(safe_open reads the header only) groups its keys by module (the key's prefix); the parameter names
tell the module's class (weight_ih_l0: LSTM; running_mean: BatchNorm; weight alone: Linear without
bias or Embedding, left to the old side's shape). A Keras 3 .weights.h5 stores each layer's
variables by index (`layers/<name>/vars/<i>`), in the layer's creation order, so the count and
ranks of a layer's variables tell its kind.
"""

from __future__ import annotations

from graphlint.errors import UsageError
from graphlint.migrate import layouts, new
from graphlint.migrate.layers import Layer, Weight, name_key


def read(path: str):
    if path.endswith(".weights.h5"):
        return _keras_h5(path)
    return _torch_file(path)


def torch_entries(path: str) -> dict:
    """{key: (shape, dtype)} of a state_dict or safetensors file, in the file's order."""
    if path.endswith(".safetensors"):
        safetensors = _need("safetensors")
        with safetensors.safe_open(path, framework="numpy") as fh:
            return {k: (tuple(fh.get_slice(k).get_shape()), st_dtype(fh.get_slice(k).get_dtype()))
                    for k in fh.keys()}
    torch = _need("torch")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch's many unpickling errors: the file is not a state_dict we can read
        raise UsageError(f"--to: cannot read {path} as a PyTorch state_dict: {type(exc).__name__}") from None
    if not isinstance(state, dict) or not all(hasattr(v, "shape") for v in state.values()):
        raise UsageError(f"--to: {path} holds no state_dict (a dict of tensors)")
    return {k: (tuple(v.shape), str(v.dtype).replace("torch.", "")) for k, v in state.items()}


_ST_DTYPES = {"F32": "float32", "F16": "float16", "BF16": "bfloat16", "F64": "float64", "I64": "int64",
              "I32": "int32", "U8": "uint8", "I8": "int8", "BOOL": "bool"}


def st_dtype(name: str) -> str:
    return _ST_DTYPES.get(name.upper(), name.lower())


def _need(module: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f"{module} is not installed: pip install 'tf-graphlint[torch]'") from None


def _torch_file(path: str):
    entries = torch_entries(path)
    by_name = path.endswith(".safetensors")  # safetensors keeps no order: its keys come back sorted
    side = new.NewSide(path, "torch", [], keys=list(entries), order="names" if by_name else "file")
    modules = {}
    for key, (shape, dtype) in entries.items():
        module, _, leaf = key.rpartition(".")
        modules.setdefault(module, {})[leaf] = Weight(key, leaf, shape, dtype)
    for module, ws in sorted(modules.items(), key=lambda m: name_key(m[0])) if by_name else modules.items():
        for n in new.TORCH_BOOKKEEPING:
            if n in ws:
                bookkeeping = ws.pop(n)
                side.bookkeeping[bookkeeping.key] = bookkeeping
        side.layers += _torch_guess(module, ws)
    return side


def _torch_guess(module: str, ws: dict) -> list:
    names, weight = set(ws), ws.get("weight")
    if "weight_ih_l0" in names:  # 4 gate blocks: an LSTM; 3: a GRU
        hh = ws.get("weight_hh_l0")
        gru = hh is not None and ws["weight_ih_l0"].shape[0] == 3 * hh.shape[1]
        return new.torch_layers(module, "GRU" if gru else "LSTM", ws)
    if "in_proj_weight" in names:  # nn.MultiheadAttention's fused query/key/value
        return new.torch_layers(module, "MultiheadAttention", ws)
    if "running_mean" in names or (weight is not None and len(weight.shape) == 1):
        return new.torch_layers(module, "BatchNorm", ws)
    if weight is not None and len(weight.shape) >= 3:
        layer = new.torch_layers(module, f"Conv{len(weight.shape) - 2}d", ws)[0]
        o, i, *spatial = weight.shape
        if i == 1 and len(spatial) == 2:  # depthwise (multiplier 1 assumed) or a conv of one input channel
            layer.alternatives = {"conv": layer.main_shape, "depthwise": (*spatial, o, 1)}
        return [layer]
    if weight is not None and len(weight.shape) == 2 and names == {"weight", "bias"}:
        return new.torch_layers(module, "Linear", ws)
    if weight is not None and len(weight.shape) == 2 and names == {"weight"}:
        # Linear(bias=False) or Embedding: unless the module's name says, both stay candidates.
        layer = new.torch_layers(module, "Embedding", ws)[0]
        if not layouts.names_a_table(module):
            layer.alternatives = {"embedding": weight.shape, "dense": weight.shape[::-1]}
        return [layer]
    return new.torch_layers(module, "", ws)


def _keras_h5(path: str):
    h5py = _need("h5py")
    side = new.NewSide(path, "keras", [])
    groups = {}
    with h5py.File(path, "r") as fh:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and "/vars/" in name:
                layer, _, index = name.rpartition("/vars/")
                groups.setdefault(layer, []).append((int(index), Weight(name, "", tuple(obj.shape), obj.dtype.name)))
        fh.visititems(visit)
    for layer in sorted(groups, key=_natural):
        ws = [w for _, w in sorted(groups[layer])]
        side.keys += [w.key for w in ws]
        side.layers.append(_keras_guess(layer, ws))
    return side


def _natural(name: str):
    import re

    return re.sub(r"\d+", lambda m: m[0].zfill(20), name)


def _keras_guess(name: str, ws: list) -> Layer:
    """A Keras layer's kind from its variables in creation order (Dense: kernel, bias; BatchNorm:
    gamma, beta, moving_mean, moving_variance; LSTMCell: kernel, recurrent_kernel, bias; ...)."""
    ranks = [len(w.shape) for w in ws]
    def roled(roles):
        return {r: Weight(w.key, r, w.shape, w.dtype) for r, w in zip(roles, ws)}
    if ranks == [2, 2, 1] and ws[1].shape[1] == ws[2].shape[0] == 4 * ws[1].shape[0]:
        return new.keras_layer(name, "lstm", roled(("kernel", "recurrent_kernel", "bias")))
    if ranks in ([2, 2, 1], [2, 2, 2]) and ws[1].shape[1] == ws[2].shape[-1] == 3 * ws[1].shape[0]:
        # GRUCell; a bias [2, 3 units] (input and recurrent) is reset_after=True's
        return new.keras_layer(name, "gru", roled(("kernel", "recurrent_kernel", "bias")), ranks[2] == 2)
    if ranks in ([1, 1, 1, 1], [1, 1]):
        return new.keras_layer(name, "norm", roled(layouts.NORM_ROLES if len(ws) == 4 else ("gamma", "beta")))
    if ranks[0] >= 3 and ranks[1:] in ([], [1]):
        layer = new.keras_layer(name, "conv", roled(("kernel", "bias")))
        if ranks[0] == 4:  # Conv2D and DepthwiseConv2D both store HWIO-like kernels
            layer.alternatives = {"conv": layer.main_shape, "depthwise": layer.main_shape}
        return layer
    if ranks == [2, 1]:
        return new.keras_layer(name, "dense", roled(("kernel", "bias")))
    if ranks == [2]:
        layer = new.keras_layer(name, "embedding", roled(("table",)))
        if not layouts.names_a_table(name):
            layer.alternatives = {"embedding": ws[0].shape, "dense": ws[0].shape}  # no transform either way
        return layer
    return Layer(name, "other", roled([f"value{i}" for i in range(len(ws))]), ws[0].shape)
