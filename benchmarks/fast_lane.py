"""The fast lane's time: every rule and every reporter on every recording of tests/fast/recorded,
without TensorFlow (what tests/fast/test_recorded.py compares with the goldens).

    python benchmarks/fast_lane.py              # three runs
    python benchmarks/fast_lane.py --runs 5

Each run is a fresh child process (so imports count, as in a test run): it loads each recording,
runs the rules, the inline suppressions and the four reporters on it, and says how long importing
graphlint and the whole of it took. Prints the medians, the rules that fired, and the ratio to
issue 21's budget (every rule in under a minute).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUDGET = 60.0  # seconds: issue 21

RUN = """
import json, sys, time
start = time.perf_counter()
sys.path[:0] = [sys.argv[1], sys.argv[1] + '/tests', sys.argv[1] + '/tests/fast']
import recording
from graphlint.rules import all_rules
imported = time.perf_counter()
codes, renderings = set(), 0
for model in recording.MODELS:
    rec = recording.load(model)
    found = recording.findings(rec)
    renderings += len(recording.goldens(rec, found))
    codes.update(f.code for f in found)
done = time.perf_counter()
print(json.dumps({'import': imported - start, 'total': done - start, 'models': len(recording.MODELS),
                  'renderings': renderings, 'fired': len(codes), 'rules': len(all_rules())}))
"""


def run_once() -> dict:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("GRAPHLINT_UPDATE_GOLDENS", None)
    done = subprocess.run([sys.executable, "-c", RUN, ROOT], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = [run_once() for _ in range(parser.parse_args().runs)]
    last = runs[-1]
    total = statistics.median(r["total"] for r in runs)
    print(f"fast lane: {last['models']} recordings, {last['renderings']} renderings, "
          f"{last['fired']} of {last['rules']} rules fire")
    print(f"  import   {statistics.median(r['import'] for r in runs):7.2f} s")
    print(f"  total    {total:7.2f} s   (median of {len(runs)} runs; {total / BUDGET:.3f}x the {BUDGET:.0f} s budget)")


if __name__ == "__main__":
    main()
