"""`graphlint migrate OLD --to NEW --write OUT` on a BERT-large-size checkpoint, against the floors:
time against reading the checkpoint once, peak memory against the largest tensor plus the new model.

    python benchmarks/migrate.py                      # BERT-large: 24 layers, hidden 1024 (391 tensors, 1.34 GB)
    python benchmarks/migrate.py --layers 2 --hidden 128 --intermediate 512 --vocab 2000   # a quick run

Writes, into a temporary folder (never the repository), OLD: BertModel's variables under bert's own
names and shapes (bert/embeddings/..., bert/encoder/layer_N/..., bert/pooler/...; the pre-training
heads, which BertModel has not, are left out), random values, saved by a tf.compat.v1 Saver (with its
.meta, as a TF1 training run leaves it), without building BERT; and NEW: Hugging Face transformers'
BertModel of the same config, its state_dict as .safetensors. Then times, each in a fresh child
process that reports its own peak RSS: importing the libraries alone, reading every tensor of OLD
with tf.train.load_checkpoint (the floor), reading them and writing them untransformed with
safetensors (the I/O any conversion does), and `graphlint migrate OLD --to NEW --write OUT.safetensors`.
The writer converts one tensor at a time as it reads it and writes each to OUT.safetensors in turn
(OLD is never held whole, nor NEW's initial values, nor the converted model), so its peak is the
imports plus about the largest tensor. Needs torch, safetensors and transformers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MB = 2 ** 20

# bert's modeling.py names, per layer and outside the layers ("H" hidden, "F" intermediate,
# "V" vocabulary, "P" positions), in the order modeling.BertModel creates them.
SHAPES = """
import json, sys
layers, H, F, V, P = (int(a) for a in sys.argv[1:6])
shapes = [("bert/embeddings/word_embeddings", [V, H]), ("bert/embeddings/token_type_embeddings", [2, H]),
          ("bert/embeddings/position_embeddings", [P, H]),
          ("bert/embeddings/LayerNorm/beta", [H]), ("bert/embeddings/LayerNorm/gamma", [H])]
for n in range(layers):
    s = f"bert/encoder/layer_{n}/"
    for part in ("query", "key", "value"):
        shapes += [(s + f"attention/self/{part}/kernel", [H, H]), (s + f"attention/self/{part}/bias", [H])]
    shapes += [(s + "attention/output/dense/kernel", [H, H]), (s + "attention/output/dense/bias", [H]),
               (s + "attention/output/LayerNorm/beta", [H]), (s + "attention/output/LayerNorm/gamma", [H]),
               (s + "intermediate/dense/kernel", [H, F]), (s + "intermediate/dense/bias", [F]),
               (s + "output/dense/kernel", [F, H]), (s + "output/dense/bias", [H]),
               (s + "output/LayerNorm/beta", [H]), (s + "output/LayerNorm/gamma", [H])]
shapes += [("bert/pooler/dense/kernel", [H, H]), ("bert/pooler/dense/bias", [H])]
"""

WRITE_OLD = SHAPES + """
import numpy as np, tensorflow as tf
v1 = tf.compat.v1
prefix = sys.argv[6]
rng = np.random.default_rng(0)
with tf.Graph().as_default():
    v1.train.get_or_create_global_step()
    fills = []
    for name, shape in shapes:  # each variable's initial value is fed, one numpy array at a time
        value = v1.placeholder(tf.float32, shape)
        fills.append((v1.Variable(value, name=name).initializer, value, shape))
    with v1.Session() as sess:
        sess.run(v1.train.get_global_step().initializer)
        for init, value, shape in fills:
            sess.run(init, {value: (0.02 * rng.standard_normal(shape, dtype=np.float32))})
        v1.train.Saver().save(sess, prefix)
print(json.dumps({"tensors": len(shapes), "bytes": sum(4 * int(np.prod(s)) for _, s in shapes),
                  "largest": max(4 * int(np.prod(s)) for _, s in shapes)}))
"""

WRITE_NEW = """
import sys
from safetensors.torch import save_file
from transformers import BertConfig, BertModel
layers, H, F, V, P = (int(a) for a in sys.argv[1:6])
model = BertModel(BertConfig(vocab_size=V, hidden_size=H, num_hidden_layers=layers, num_attention_heads=H // 64 or 1,
                             intermediate_size=F, max_position_embeddings=P, hidden_act="gelu_new"))
save_file({k: v.contiguous() for k, v in model.state_dict().items()}, sys.argv[6])
"""

# Each measured child runs its work and prints its own peak RSS (kB on Linux) last.
PEAK = "\nimport resource; print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
IMPORT_TF = "import tensorflow" + PEAK
IMPORT_ALL = "import tensorflow, torch, safetensors" + PEAK
FLOOR = """
import sys, tensorflow as tf
reader = tf.train.load_checkpoint(sys.argv[1])
for key in reader.get_variable_to_shape_map():
    reader.get_tensor(key)
""" + PEAK
# The I/O any conversion does: read every tensor once and write them all with safetensors (no transform).
COPY = """
import sys, numpy as np, tensorflow as tf, torch
from safetensors.torch import save_file
reader = tf.train.load_checkpoint(sys.argv[1])
save_file({k: torch.from_numpy(np.asarray(reader.get_tensor(k))) for k in reader.get_variable_to_shape_map()}, sys.argv[2])
""" + PEAK
MIGRATE = """
import sys
from graphlint.cli import main
code = main(sys.argv[1:])
assert code == 0, code
""" + PEAK


def measured(code: str, *args) -> tuple:
    """(seconds, peak RSS in bytes) of a fresh child running `code`."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *map(str, args)], check=True, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2"))
    seconds = time.perf_counter() - start
    peak = next(line for line in reversed(proc.stdout.splitlines()) if line.startswith("PEAK"))
    return seconds, int(peak.split()[1]) * 1024


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--layers", type=int, default=24)
    p.add_argument("--hidden", type=int, default=1024)
    p.add_argument("--intermediate", type=int, default=4096)
    p.add_argument("--vocab", type=int, default=30522)
    p.add_argument("--positions", type=int, default=512)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--folder", help="where to write (default: a temporary folder, removed afterwards)")
    args = p.parse_args()
    sizes = [args.layers, args.hidden, args.intermediate, args.vocab, args.positions]
    with tempfile.TemporaryDirectory(prefix="graphlint-bench-migrate-", dir=args.folder) as folder:
        old, new, out = (os.path.join(folder, n) for n in ("old/model.ckpt", "new.safetensors", "out.safetensors"))
        print(f"writing OLD and NEW into {folder} ...", file=sys.stderr)
        facts = json.loads(subprocess.run([sys.executable, "-c", WRITE_OLD, *map(str, sizes), old], check=True,
                                          capture_output=True, text=True).stdout.strip().splitlines()[-1])
        subprocess.run([sys.executable, "-c", WRITE_NEW, *map(str, sizes), new], check=True, capture_output=True)
        runs = {"tf": [], "all": [], "floor": [], "copy": [], "migrate": []}
        for _ in range(args.runs):
            runs["tf"].append(measured(IMPORT_TF))
            runs["all"].append(measured(IMPORT_ALL))
            runs["floor"].append(measured(FLOOR, old))
            runs["copy"].append(measured(COPY, old, os.path.join(folder, "copy.safetensors")))
            runs["migrate"].append(measured(MIGRATE, "migrate", old, "--to", new, "--write", out, "--format", "json"))
        new_bytes = os.path.getsize(new)
    report(facts, new_bytes, {k: (statistics.median(s for s, _ in v), max(m for _, m in v)) for k, v in runs.items()})


def report(facts: dict, new_bytes: int, m: dict) -> None:
    (t_tf, _), (t_imp, rss_imp), (t_floor, rss_floor), (t_mig, rss_mig) = m["tf"], m["all"], m["floor"], m["migrate"]
    t_copy, rss_copy = m["copy"]
    bound = facts["largest"] + new_bytes
    print(f"OLD: {facts['tensors']} tensors, {facts['bytes'] / MB:.0f} MB (largest {facts['largest'] / MB:.0f} MB); "
          f"NEW: {new_bytes / MB:.0f} MB safetensors")
    print("| | time (s) | peak RSS (MB) |")
    print("|---|---|---|")
    print(f"| import tensorflow | {t_tf:.2f} | {m['tf'][1] / MB:.0f} |")
    print(f"| import tensorflow, torch, safetensors | {t_imp:.2f} | {rss_imp / MB:.0f} |")
    print(f"| read OLD once (tf.train.load_checkpoint, every tensor) | {t_floor:.2f} | {rss_floor / MB:.0f} |")
    print(f"| read OLD once and write every tensor with safetensors (no transform) | {t_copy:.2f} | {rss_copy / MB:.0f} |")
    print(f"| graphlint migrate --write OUT.safetensors | {t_mig:.2f} | {rss_mig / MB:.0f} |")
    print(f"time: migrate / read once = {t_mig / t_floor:.2f}x; without the imports: "
          f"{(t_mig - t_imp) / max(t_floor - t_tf, 1e-9):.2f}x; migrate / (read + write) = {t_mig / t_copy:.2f}x, "
          f"without the imports {(t_mig - t_imp) / max(t_copy - t_imp, 1e-9):.2f}x")
    print(f"memory: (peak - imports) / largest tensor = {(rss_mig - rss_imp) / facts['largest']:.2f}x "
          f"({(rss_mig - rss_imp) / MB:.0f} MB / {facts['largest'] / MB:.0f} MB); read + write (whole): "
          f"(peak - imports) / (largest tensor + NEW) = {(rss_copy - rss_imp) / bound:.2f}x")


if __name__ == "__main__":
    main()
