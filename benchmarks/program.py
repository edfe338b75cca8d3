"""Time `graphlint run -- PROGRAM` against its floor (benchmarks/program_floor.py: the program's own
imports and code plus one build of each distinct mode its Estimator calls ask for).

    python benchmarks/program.py [--runs 3]

Each command is a child process, timed by wall clock (benchmarks/run.py's `measure`), with a fresh
model_dir per run. Prints a Markdown table of medians and the ratio to the floor (target 1.2).
TensorFlow 2.15 with the real tensorflow-estimator (the floor calls Estimator's own methods).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from run import GRAPHLINT, ROOT, log, measure, median  # noqa: E402

PROGRAMS = os.path.join(ROOT, "tests", "programs")
# (label, program, its model_dir flag, other args): train_and_evaluate, plain train/evaluate, TPUEstimator
CASES = (
    ("ranking_style (train_and_evaluate, evaluate)", "ranking_style/train.py", "--output_dir", []),
    ("canned LinearClassifier (train, evaluate)", "canned/train.py", "--model_dir", []),
    ("bert_style TPUEstimator (train, evaluate)", "bert_style/run_classifier.py", "--output_dir", []),
)
FLOOR = [sys.executable, os.path.join(HERE, "program_floor.py")]


def time_program(program: str, flag: str, args: list, runs: int, jobs: int) -> dict:
    out = {}
    for name, prefix in (("floor", FLOOR), ("run-j1", GRAPHLINT + ["run", "--jobs", "1", "--"]),
                         (f"run-j{jobs}", GRAPHLINT + ["run", "--jobs", str(jobs), "--"])):
        results = []
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                results.append(measure(prefix + [os.path.join(PROGRAMS, program), flag,
                                                 os.path.join(tmp, "model_dir"), *args], ok=(0, 1)))
        out[name] = {"wall": median(results, "wall"), "cpu": median(results, "cpu")}
        log(f"  {program} {name}: {out[name]['wall']:.2f} s")
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args(argv)
    lines = [f"| program | floor s | run -j1 s | ratio | run -j{args.jobs} s | ratio | CPU floor / -j1 s |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for label, program, flag, extra in CASES:
        t = time_program(program, flag, extra, args.runs, args.jobs)
        floor, one, many = t["floor"]["wall"], t["run-j1"]["wall"], t[f"run-j{args.jobs}"]["wall"]
        lines.append(f"| {label} | {floor:.2f} | {one:.2f} | {one / floor:.2f} | {many:.2f} | {many / floor:.2f} "
                     f"| {t['floor']['cpu']:.1f} / {t['run-j1']['cpu']:.1f} |")
    print(f"medians of {args.runs} runs; load average now {os.getloadavg()[0]:.2f}\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
