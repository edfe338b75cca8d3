"""`graphlint diff --jobs 1` and its floor run side by side, one per core, several times: the ratio
of each pair, then their median.

benchmarks/run.py runs the floor and graphlint one after the other. On a shared or virtual
machine the speed drifts between two runs (the same floor.py took 67 to 81 s at 100k ops within
an hour), so single ratios there move by +-10%. Two single-threaded processes started together on
a 2-core machine meet the same drift, so each pair's ratio is graphlint's own cost. Only the
serial command can be paired this way (--jobs 2 needs both cores); the machine must have no other
work, as for run.py.

    python benchmarks/paired.py [--size 100k] [--pairs 5] [--out benchmarks/out] [--graphlint DIR]

The model and checkpoint come from benchmarks/generate.py (run.py makes them too).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from run import ROOT, log, measure, measure_checkout, size_commands  # noqa: E402


def pair(floor_cmd, lint_cmd) -> tuple:
    """(floor's measurement, graphlint's), both started at once."""
    results = {}
    threads = [threading.Thread(target=lambda k=k, c=c: results.__setitem__(k, measure(c)))
               for k, c in (("floor", floor_cmd), ("lint", lint_cmd))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results["floor"], results["lint"]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", default="100k")
    p.add_argument("--pairs", type=int, default=5)
    p.add_argument("--out", default=os.path.join(HERE, "out"), help="generated files (default: benchmarks/out)")
    p.add_argument("--graphlint", metavar="DIR", default=ROOT, help="the checkout to measure (default: this one)")
    args = p.parse_args(argv)
    measure_checkout(args.graphlint)
    model = os.path.join(args.out, f"model_{args.size}.py")
    ckpt = os.path.join(args.out, f"ckpt_{args.size}", "model.ckpt")
    if not os.path.exists(model):
        print(f"benchmarks/paired.py: {model} does not exist: run benchmarks/generate.py first", file=sys.stderr)
        return 2
    cmds = size_commands(model, ckpt, 2)
    rows = []
    for i in range(args.pairs):
        floor, lint = pair(cmds["floor"], cmds["diff-j1"])
        rows.append((floor, lint))
        log(f"  pair {i + 1}/{args.pairs}: floor {floor['wall']:.1f} s, diff -j1 {lint['wall']:.1f} s "
            f"({lint['wall'] / floor['wall']:.2f}x; CPU {lint['cpu'] / floor['cpu']:.2f}x), exit {floor['rc']}/{lint['rc']}")
    print(f"| {args.size} ops, side by side | floor s | diff -j1 s | wall /floor | CPU /floor |")
    print("|---|---:|---:|---:|---:|")
    for i, (floor, lint) in enumerate(rows, 1):
        print(f"| pair {i} | {floor['wall']:.1f} | {lint['wall']:.1f} | {lint['wall'] / floor['wall']:.2f}x "
              f"| {lint['cpu'] / floor['cpu']:.2f}x |")
    wall = statistics.median(lint["wall"] / floor["wall"] for floor, lint in rows)
    cpu = statistics.median(lint["cpu"] / floor["cpu"] for floor, lint in rows)
    print(f"| median of {len(rows)} ratios | | | **{wall:.2f}x** | {cpu:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
