"""graphlint/migrate/safetensors_stream.py writes the safetensors format itself, one tensor at a time
(`migrate --write OUT.safetensors`). Every file it writes is read by the safetensors package as
what `safetensors.torch.save_file` would have written for the same tensors: names, dtypes, shapes,
values and metadata; over random names, dtypes and shapes (hypothesis), empty and 0-d tensors,
non-contiguous values, numpy values (TensorFlow's bfloat16 among them)."""

import gc
import json
import os
import struct
import weakref

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphlint.migrate import safetensors_stream

torch = pytest.importorskip("torch", reason="needs torch and safetensors: pip install -e '.[torch]'")
safetensors_torch = pytest.importorskip("safetensors.torch",
                                        reason="needs torch and safetensors: pip install -e '.[torch]'")

DTYPES = ["float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def _random(dtype: str, shape, seed: int):
    g = torch.Generator().manual_seed(seed)
    if dtype == "bool":
        return torch.randint(0, 2, shape, generator=g).bool()
    if dtype.startswith(("int", "uint")):
        info = torch.iinfo(getattr(torch, dtype))
        return torch.randint(max(info.min, -1000), min(info.max, 1000), shape, generator=g, dtype=getattr(torch, dtype))
    return torch.randn(shape, generator=g).to(getattr(torch, dtype))


def _specs(tensors: dict) -> list:
    return [safetensors_stream.Spec(k, str(v.dtype).replace("torch.", ""), tuple(v.shape), lambda v=v: v)
            for k, v in tensors.items()]


def _same(a: dict, b: dict) -> None:
    assert list(sorted(a)) == list(sorted(b))
    for k in a:
        assert (a[k].dtype, a[k].shape) == (b[k].dtype, b[k].shape), k
        assert torch.equal(a[k], b[k]), k


def _check_layout(path: str) -> None:
    """The format's own rules: the header's length, its padding to 8 bytes, offsets that tile the data."""
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    assert (8 + n) % 8 == 0 and data[8:8 + n].decode().rstrip(" ").startswith("{")
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    spans = sorted(tuple(h["data_offsets"]) for h in header.values())
    ends = [0] + [e for _, e in spans]
    assert [b for b, _ in spans] == ends[:-1] and ends[-1] == len(data) - 8 - n


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
tensor = st.tuples(st.sampled_from(DTYPES), st.lists(st.integers(0, 5), max_size=3), st.integers(0, 2 ** 16))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(names, tensor, max_size=8), st.booleans())
def test_a_streamed_file_loads_as_what_save_file_writes(tmp_path, drawn, with_metadata):
    tensors = {k: _random(dtype, shape, seed) for k, (dtype, shape, seed) in drawn.items()}
    metadata = {"format": "pt"} if with_metadata else None
    mine, theirs = str(tmp_path / "mine.safetensors"), str(tmp_path / "theirs.safetensors")
    safetensors_stream.write(mine, _specs(tensors), metadata)
    safetensors_torch.save_file(tensors, theirs, metadata=metadata)
    _check_layout(mine)
    _same(safetensors_torch.load_file(mine), tensors)
    _same(safetensors_torch.load_file(mine), safetensors_torch.load_file(theirs))
    from safetensors import safe_open

    with safe_open(mine, framework="pt") as a, safe_open(theirs, framework="pt") as b:
        assert (a.metadata(), sorted(a.keys())) == (b.metadata(), sorted(b.keys()))


def test_non_contiguous_and_numpy_values_are_written_row_major(tmp_path):
    ml_dtypes = pytest.importorskip("ml_dtypes", reason="numpy's bfloat16 comes with TensorFlow")
    import numpy as np

    kernel = np.arange(12, dtype=np.float32).reshape(3, 4)
    bf16 = np.linspace(-2, 2, 6).astype(ml_dtypes.bfloat16)  # TensorFlow's bfloat16 as its reader returns it
    specs = [safetensors_stream.Spec("t", "float32", (4, 3), lambda: torch.from_numpy(kernel).t()),
             safetensors_stream.Spec("n", "float32", (4, 3), lambda: kernel.T),
             safetensors_stream.Spec("b", "bfloat16", (6,), lambda: bf16),
             safetensors_stream.Spec("step", "int64", (), lambda: torch.tensor(7))]
    path = str(tmp_path / "out.safetensors")
    safetensors_stream.write(path, specs)
    loaded = safetensors_torch.load_file(path)
    np.testing.assert_array_equal(loaded["t"].numpy(), kernel.T)
    np.testing.assert_array_equal(loaded["n"].numpy(), kernel.T)
    assert loaded["b"].dtype == torch.bfloat16
    np.testing.assert_array_equal(loaded["b"].float().numpy(), bf16.astype(np.float32))
    assert loaded["step"].shape == () and int(loaded["step"]) == 7


def test_values_are_produced_one_at_a_time_and_not_kept(tmp_path):
    """Each value is asked for when its turn comes; the one before is gone by then."""
    alive = []

    def produce(i):
        def value():
            gc.collect()
            assert all(ref() is None for ref in alive), "an earlier value is still held"
            t = torch.full((64,), float(i))
            alive.append(weakref.ref(t))
            return t
        return value

    specs = [safetensors_stream.Spec(f"w{i}", "float32", (64,), produce(i)) for i in range(5)]
    path = str(tmp_path / "out.safetensors")
    safetensors_stream.write(path, specs)
    assert len(alive) == 5
    assert [float(safetensors_torch.load_file(path)[f"w{i}"][0]) for i in range(5)] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_a_value_unlike_its_header_leaves_no_file(tmp_path):
    specs = [safetensors_stream.Spec("a", "float32", (2,), lambda: torch.zeros(2)),
             safetensors_stream.Spec("b", "float32", (3,), lambda: torch.zeros(4))]
    path = tmp_path / "out.safetensors"
    with pytest.raises(RuntimeError, match="announced"):
        safetensors_stream.write(str(path), specs)
    assert os.listdir(tmp_path) == []


def test_duplicate_names_are_refused(tmp_path):
    spec = safetensors_stream.Spec("a", "float32", (1,), lambda: torch.zeros(1))
    with pytest.raises(ValueError):
        safetensors_stream.write(str(tmp_path / "out.safetensors"), [spec, spec])
    assert os.listdir(tmp_path) == []


def test_the_writer_takes_tensorflows_bfloat16_as_torchs():
    ml_dtypes = pytest.importorskip("ml_dtypes", reason="numpy's bfloat16 comes with TensorFlow")
    import numpy as np

    from graphlint.migrate import writer

    value = np.linspace(-3, 3, 12).astype(ml_dtypes.bfloat16).reshape(3, 4).T  # a transposed kernel
    out = writer._contiguous(value)
    assert out.dtype == torch.bfloat16 and out.is_contiguous() and tuple(out.shape) == (4, 3)
    np.testing.assert_array_equal(out.float().numpy(), value.astype(np.float32))
