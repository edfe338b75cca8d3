"""--write OUT: the converted weights in NEW's own format. OLD is read one tensor at a time with
TensorFlow's reader (partitioned variables come back whole); each value is transformed and handed
to the new format's own library (torch.save, safetensors, Keras save_weights, h5py). What has no
old source by design (num_batches_tracked) keeps NEW's value. OLD and NEW are never written.
"""

from __future__ import annotations

import os
import shutil

from graphlint.checkpoint import reader as ckpt_lib
from graphlint.errors import UsageError
from graphlint.migrate import layouts

KERAS_SUFFIX = ".weights.h5"
TORCH_SUFFIXES = (".pt", ".pth", ".bin", ".safetensors")


def refuse_overwrite(out: str, old_prefix: str, new_path: str) -> None:
    target = os.path.realpath(out)
    if target == os.path.realpath(new_path) or os.path.realpath(os.path.dirname(out) or ".") == \
            os.path.realpath(os.path.dirname(old_prefix)) and os.path.basename(out).startswith(os.path.basename(old_prefix)):
        raise UsageError(f"--write: {out} would overwrite OLD or NEW; write the converted file elsewhere")


def converted(mapping, old_prefix: str):
    """(new key, numpy value) for each entry, one at a time."""
    reader = ckpt_lib.open_reader(old_prefix)
    for entry in mapping.entries:
        yield entry.new, layouts.apply(entry.transform, reader.get_tensor(entry.read))


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

    state = _torch_initial(new_side, {e.new for e in mapping.entries})
    for key, value in converted(mapping, old_side.prefix):
        state[key] = torch.from_numpy(value).contiguous()  # one tensor at a time; torch copies a transpose fastest
    state = {k: state[k] for k in new_side.keys}  # NEW's order
    if out.endswith(".safetensors"):
        from safetensors.torch import save_file

        save_file(state, out)
    else:
        torch.save(state, out)
    return len(mapping.entries)


def _torch_initial(new_side, mapped: set) -> dict:
    """NEW's own values for what the mapping does not write (bookkeeping buffers), and only those:
    NEW's other tensors are never held (a BERT-large NEW is as large as OLD)."""
    import torch

    if new_side.model is not None:
        return {k: v.detach() for k, v in new_side.model.state_dict().items() if k not in mapped}
    if new_side.path.endswith(".safetensors"):
        from safetensors import safe_open

        with safe_open(new_side.path, framework="pt") as fh:
            return {k: fh.get_tensor(k) for k in fh.keys() if k not in mapped}
    try:
        state = torch.load(new_side.path, map_location="cpu", weights_only=True, mmap=True)  # read on access only
    except RuntimeError:  # a legacy (pre-zip) torch.save file cannot be mapped
        state = torch.load(new_side.path, map_location="cpu", weights_only=True)
    return {k: v.clone() for k, v in state.items() if k not in mapped}
