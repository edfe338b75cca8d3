"""--write OUT: the converted weights in NEW's own format. OLD is read one tensor at a time with
TensorFlow's reader (partitioned variables come back whole) and each value is transformed. A
.safetensors OUT is written one tensor at a time as each is converted (safetensors_stream.py: the
header comes from the shapes and dtypes the mapping checked), and so is a copy of a .weights.h5 NEW
(h5py, dataset by dataset); torch.save writes a whole state_dict, and Keras' save_weights the built
model. What has no old source by design (num_batches_tracked) keeps NEW's value. OLD and NEW are
never written.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil

from graphlint.checkpoint import reader as ckpt_lib
from graphlint.errors import UsageError
from graphlint.migrate import layouts, new_files, safetensors_stream
from graphlint.migrate.mapping import keys

KERAS_SUFFIX = ".weights.h5"
TORCH_SUFFIXES = (".pt", ".pth", ".bin", ".safetensors")


def refuse_overwrite(out: str, old_prefix: str, new_path: str) -> None:
    target = os.path.realpath(out)
    if target == os.path.realpath(new_path) or os.path.realpath(os.path.dirname(out) or ".") == \
            os.path.realpath(os.path.dirname(old_prefix)) and os.path.basename(out).startswith(os.path.basename(old_prefix)):
        raise UsageError(f"--write: {out} would overwrite OLD or NEW; write the converted file elsewhere")


def converted(mapping, old_prefix: str):
    """(new key, numpy value) for each entry, one at a time (a fused entry reads its few old tensors)."""
    reader = ckpt_lib.open_reader(old_prefix)
    for entry in mapping.entries:
        yield entry.new, _value(reader, entry)


def write(out: str, mapping, old_side, new_side) -> int:
    refuse_overwrite(out, old_side.prefix, new_side.path)
    if new_side.framework == "tf":  # a tf.Module or a TF2 checkpoint: a TF2 checkpoint (new_tf.py)
        from graphlint.migrate import new_tf

        return new_tf.write(out, mapping, old_side, new_side)
    if new_side.framework == "keras":
        if not out.endswith(KERAS_SUFFIX):
            raise UsageError(f"--write: a Keras model's weights are written as {KERAS_SUFFIX}; got {out}")
        return _keras(out, mapping, old_side, new_side)
    if not out.endswith(TORCH_SUFFIXES):
        raise UsageError(f"--write: a PyTorch model's weights are written as {', '.join(TORCH_SUFFIXES)}; got {out}")
    return _torch(out, mapping, old_side, new_side)


def _keras(out, mapping, old_side, new_side) -> int:
    if new_side.model is None:  # a .weights.h5 of NEW: its copy, each dataset overwritten in place
        import h5py

        shutil.copyfile(new_side.path, out)
        with h5py.File(out, "r+") as fh:
            for key, value in converted(mapping, old_side.prefix):
                fh[key][...] = value
        return len(mapping.entries)
    by_path = {w.path: w for w in new_side.model.weights}
    for key, value in converted(mapping, old_side.prefix):
        by_path[key].assign(value)
    new_side.model.save_weights(out)
    return len(mapping.entries)


def _torch(out, mapping, old_side, new_side) -> int:
    import torch

    mapped = {e.new: e for e in mapping.entries}
    with _torch_own(new_side, set(mapped)) as own:
        if out.endswith(".safetensors"):
            specs = _specs(mapping, old_side, new_side, own)
            if safetensors_stream.supported(specs):
                safetensors_stream.write(out, specs)
                return len(mapping.entries)
        state = {k: load() for k, (_, _, load) in own.items()}
        for key, value in converted(mapping, old_side.prefix):
            state[key] = _contiguous(value)  # one tensor at a time, but the state_dict is written whole
        state = {k: state[k] for k in new_side.keys}  # NEW's order
        if out.endswith(".safetensors"):  # a dtype the stream does not know
            from safetensors.torch import save_file

            save_file(state, out)
        else:
            torch.save(state, out)
    return len(mapping.entries)


def _specs(mapping, old_side, new_side, own: dict) -> list:
    """Each of NEW's keys as a safetensors_stream.Spec: a mapped weight's dtype and shape are NEW's
    (coverage made them equal to the converted value's; the stream checks), its value converted
    from OLD when its turn comes; the rest keep NEW's own."""
    reader = ckpt_lib.open_reader(old_side.prefix)
    weights = {w.key: w for layer in new_side.layers for w in layer.weights.values()}
    specs = []
    for entry in mapping.entries:
        w = weights[entry.new]
        specs.append(safetensors_stream.Spec(entry.new, w.dtype, tuple(w.shape), _converter(reader, entry)))
    return specs + [safetensors_stream.Spec(k, dtype, shape, load) for k, (dtype, shape, load) in own.items()]


def _converter(reader, entry):
    return lambda: _contiguous(_value(reader, entry))


def _value(reader, entry):
    """One entry's converted value (a fused entry reads its few old tensors)."""
    return layouts.apply_all(entry.transform, [reader.get_tensor(k) for k in keys(entry.read)])


def _contiguous(value):
    """A converted value as a row-major torch tensor (torch copies a transpose fastest)."""
    import numpy as np
    import torch

    if value.dtype.name == "bfloat16":  # TensorFlow's (ml_dtypes'), which torch.from_numpy refuses: its bits
        return torch.from_numpy(np.ascontiguousarray(value).view(np.uint16)).view(torch.bfloat16)
    return torch.from_numpy(value).contiguous()


@contextlib.contextmanager
def _torch_own(new_side, mapped: set):
    """{key: (dtype, shape, load)} of NEW's own values for what the mapping does not write
    (bookkeeping buffers), each read only when loaded: NEW's other tensors are never held (a
    BERT-large NEW is as large as OLD)."""
    import torch

    def spec(v):
        return str(v.dtype).replace("torch.", ""), tuple(v.shape)

    if new_side.model is not None:
        state = new_side.model.state_dict()
        yield {k: (*spec(v), v.detach) for k, v in state.items() if k not in mapped}
        return
    if new_side.path.endswith(".safetensors"):
        from safetensors import safe_open

        with safe_open(new_side.path, framework="pt") as fh:
            slices = {k: fh.get_slice(k) for k in fh.keys() if k not in mapped}  # the header only
            yield {k: (new_files.st_dtype(s.get_dtype()), tuple(s.get_shape()), functools.partial(fh.get_tensor, k))
                   for k, s in slices.items()}
        return
    try:
        state = torch.load(new_side.path, map_location="cpu", weights_only=True, mmap=True)  # read on access only
    except RuntimeError:  # a legacy (pre-zip) torch.save file cannot be mapped
        state = torch.load(new_side.path, map_location="cpu", weights_only=True)
    yield {k: (*spec(v), v.clone) for k, v in state.items() if k not in mapped}
