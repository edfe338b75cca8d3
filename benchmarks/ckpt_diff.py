"""`graphlint ckpt diff A B` against the floor: reading both checkpoints once, key by key.

    python benchmarks/ckpt_diff.py --keys 50000 --mb 1024     # the issue's row (1 GB per side)
    python benchmarks/ckpt_diff.py --keys 2000 --mb 32        # a quick run

Writes two checkpoints of KEYS float32 variables totalling MB megabytes each (B = A plus noise on
every other key) into a temporary folder, then times, each in a fresh child process: reading
every tensor of both with tf.train.load_checkpoint (the floor), and `graphlint ckpt diff A B
--format json`. Prints the medians and their ratio (the target: diff within 2x the floor).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FLOOR = """
import sys, tensorflow as tf
for prefix in sys.argv[1:]:
    reader = tf.train.load_checkpoint(prefix)
    for key in reader.get_variable_to_shape_map():
        reader.get_tensor(key)
"""

WRITE = """
import os, sys, numpy as np, tensorflow as tf
folder, keys, mb = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
per = max(1, int(mb * 2**20 / 4 / keys))
rng = np.random.default_rng(0)
names = [f"layer_{i // 100}/w_{i}" for i in range(keys)]
a = [rng.standard_normal(per).astype("float32") for _ in range(keys)]
b = [v + np.float32(0.01) * rng.standard_normal(per).astype("float32") if i % 2 else v for i, v in enumerate(a)]
for side, values in (("a", a), ("b", b)):
    # SaveV2 is the op a Saver runs; one eager call, where a graph of KEYS variables loaded one
    # Session.run each took over 15 minutes at 20,000 keys.
    tf.raw_ops.SaveV2(prefix=os.path.join(folder, side, "model.ckpt"), tensor_names=names,
                      shape_and_slices=[""] * keys, tensors=values)
"""


def timed(argv) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=dict(os.environ, PYTHONPATH=ROOT))
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--keys", type=int, default=50000)
    p.add_argument("--mb", type=float, default=1024)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="graphlint-bench-") as folder:
        print(f"writing 2 checkpoints of {args.keys} keys, {args.mb:g} MB each ...", file=sys.stderr)
        subprocess.run([sys.executable, "-c", WRITE, folder, str(args.keys), str(args.mb)], check=True,
                       stderr=subprocess.DEVNULL)
        a, b = os.path.join(folder, "a", "model.ckpt"), os.path.join(folder, "b", "model.ckpt")
        floor = [timed([sys.executable, "-c", FLOOR, a, b]) for _ in range(args.runs)]
        diff = [timed([sys.executable, "-m", "graphlint", "ckpt", "diff", a, b, "--format", "json"])
                for _ in range(args.runs)]
    f, d = statistics.median(floor), statistics.median(diff)
    print("| keys | MB per side | read both once (s) | ckpt diff (s) | ratio |")
    print("|---|---|---|---|---|")
    print(f"| {args.keys} | {args.mb:g} | {f:.2f} | {d:.2f} | {d / f:.2f}x |")


if __name__ == "__main__":
    main()
