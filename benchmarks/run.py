"""Time graphlint against the floor (what building the graphs costs anyway), in one command.

    python benchmarks/run.py --sizes 1k,10k,100k --runs 3

Generates the synthetic models and checkpoints if missing (benchmarks/generate.py), then, for
each size and run: benchmarks/floor.py, `graphlint diff MODEL`, `graphlint check MODEL
--checkpoint CKPT`, each a child process, timed by wall clock, with the child's peak RSS from
os.wait4. Then the 50,000-key checkpoint, the commands that must not import TensorFlow
(--help, rules, explain LOG), and graphlint.match.pair_renames on 50,000 missing and 50,000
unused names, in this process. Prints Markdown tables of medians on stdout (progress goes to
stderr) and writes every measurement to OUT/results.json (--json). Use the Python whose
TensorFlow you measure; graphlint is imported from this checkout (or --graphlint DIR).
graphlint runs with --timeout 0: its per-mode limit would stop a 300k build on a busy machine.
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

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ENV = dict(os.environ)
GRAPHLINT = [sys.executable, "-m", "graphlint"]
FLOOR = [sys.executable, os.path.join(HERE, "floor.py")]
QUICK_RUNS = 7


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def measure(cmd, ok=(0, 1)) -> dict:
    """Run cmd as a child; its wall time (s), peak RSS (MiB), exit status and stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = rc = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if rc not in ok:  # noted, not fatal: one broken command must not lose the whole run
        log(f"benchmarks: {' '.join(cmd)} exited {rc}:\n{stderr[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mib": usage.ru_maxrss / 1024,
            "rc": rc, "stdout": stdout, "load_1min": os.getloadavg()[0]}


def median(runs, key, ok=(0, 1)):
    values = [r[key] for r in runs if r["rc"] in ok]
    return statistics.median(values) if values else float("nan")


def load_average() -> str:
    return "%.2f %.2f %.2f" % os.getloadavg()


def time_sizes(out, sizes, runs) -> list:
    rows = []
    for size in sizes:
        model = os.path.join(out, f"model_{size}.py")
        ckpt = os.path.join(out, f"ckpt_{size}", "model.ckpt")
        cmds = {"floor": FLOOR + [model, "--checkpoint", ckpt],
                "diff": GRAPHLINT + ["diff", model, "--timeout", "0"],
                "check": GRAPHLINT + ["check", model, "--checkpoint", ckpt, "--timeout", "0"]}
        results = {name: [] for name in cmds}
        for r in range(runs):
            for name, cmd in cmds.items():  # interleaved, so a load spike hits all three alike
                res = measure(cmd)
                log(f"  {size} run {r + 1}/{runs} {name}: {res['wall']:.2f} s wall, {res['cpu']:.2f} s CPU, "
                    f"{res['rss_mib']:.0f} MiB, exit {res['rc']}")
                results[name].append(res)
        good = [r for r in results["floor"] if r["rc"] == 0]
        ops = json.loads(good[0]["stdout"])["ops"] if good else {m: 0 for m in ("train", "eval", "predict")}
        rows.append({"size": size, "ops": ops, "runs": {k: [{x: v for x, v in r.items() if x != "stdout"}
                                                             for r in rs] for k, rs in results.items()}})
    return rows


def size_table(rows) -> str:
    lines = ["| size | ops train / eval / predict | floor s | diff s | diff/floor | check s | check/floor "
             "| floor RSS MiB | diff RSS / floor | check RSS / floor | floor CPU s | diff CPU / floor | check CPU / floor |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        r = row["runs"]
        fw, dw, cw = (median(r[k], "wall") for k in ("floor", "diff", "check"))
        fm, dm, cm = (median(r[k], "rss_mib") for k in ("floor", "diff", "check"))
        fc, dc, cc = (median(r[k], "cpu") for k in ("floor", "diff", "check"))
        ops = " / ".join(f"{row['ops'][m]:,}" for m in ("train", "eval", "predict"))
        lines.append(f"| {row['size']} | {ops} | {fw:.2f} | {dw:.2f} | {dw / fw:.2f}x | {cw:.2f} | {cw / fw:.2f}x "
                     f"| {fm:.0f} | {dm / fm:.2f}x | {cm / fm:.2f}x | {fc:.2f} | {dc / fc:.2f}x | {cc / fc:.2f}x |")
    return "\n".join(lines)


def time_many_keys(out, runs) -> str:
    ckpt = os.path.join(out, "ckpt_50k_keys", "model.ckpt")
    model = os.path.join(out, "model_1k.py")
    pairs = [("list 50k-key checkpoint", FLOOR + ["--checkpoint", ckpt], GRAPHLINT + ["ckpt", ckpt]),
             ("check 1k model vs 50k-key checkpoint", FLOOR + [model, "--checkpoint", ckpt],
              GRAPHLINT + ["check", model, "--checkpoint", ckpt])]
    lines = ["| task | floor s | graphlint s | ratio | floor RSS MiB | graphlint RSS / floor | CPU ratio |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for label, floor_cmd, cmd in pairs:
        f, g = [], []
        for r in range(runs):
            f.append(measure(floor_cmd))
            g.append(measure(cmd))
            log(f"  {label} run {r + 1}/{runs}: floor {f[-1]['wall']:.2f} s, graphlint {g[-1]['wall']:.2f} s")
        fw, gw, fm, gm = median(f, "wall"), median(g, "wall"), median(f, "rss_mib"), median(g, "rss_mib")
        fc, gc = median(f, "cpu"), median(g, "cpu")
        lines.append(f"| {label} | {fw:.2f} | {gw:.2f} | {gw / fw:.2f}x | {fm:.0f} | {gm / fm:.2f}x | {gc / fc:.2f}x |")
    return "\n".join(lines)


def imports_tensorflow(args) -> bool:
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "graphlint", *args], cwd=ROOT, env=ENV,
                         capture_output=True, text=True)
    return any(line.rstrip().endswith("| tensorflow") for line in res.stderr.splitlines())


def time_quick(out) -> str:
    commands = [("graphlint --help", ["--help"]), ("graphlint rules", ["rules"]),
                ("graphlint explain LOG (5,000-line log)", ["explain", os.path.join(out, "failed_run.log")])]
    lines = ["| command | median s (of %d) | target | imports TensorFlow |" % QUICK_RUNS, "|---|---:|---:|---|"]
    for label, args in commands:
        wall = median([measure(GRAPHLINT + args, ok=(0,)) for _ in range(QUICK_RUNS)], "wall", ok=(0,))
        tf_imported = "yes" if imports_tensorflow(args) else "no"
        lines.append(f"| `{label}` | {wall:.3f} | 0.3 | {tf_imported} |")
        log(f"  {label}: {wall:.3f} s")
    return "\n".join(lines)


def pairing_names(n: int):
    """n missing and n unused names, {name: (shape, dtype)}: the same variables after a rename.

    Three in four moved to another top scope ('net/...' -> 'network/...'); one in four had its
    leaf renamed ('kernel' -> 'weights'). 50 shapes, so each (shape, dtype) bucket holds ~n/50.
    """
    leaves = ("kernel", "bias", "gamma", "beta", "scale")
    renamed = {"kernel": "weights", "bias": "biases", "gamma": "scale_g", "beta": "offset", "scale": "mult"}
    missing, unused = {}, {}
    for i in range(n):
        leaf = leaves[i % 5]
        path = f"layer{i // 500}/unit{(i // 5) % 100}"
        sig = ((i % 50) + 1, 8), "float32"
        unused[f"net/{path}/{leaf}"] = sig
        if i % 4:
            missing[f"network/{path}/{leaf}"] = sig
        else:
            missing[f"net/{path}/{renamed[leaf]}"] = sig
    return missing, unused


def time_pairing(n, runs) -> str:
    from graphlint.match import pair_renames

    missing, unused = pairing_names(n)
    walls, pairs = [], []
    for r in range(runs):
        start = time.perf_counter()
        pairs = pair_renames(missing, unused)
        walls.append(time.perf_counter() - start)
        log(f"  pair_renames run {r + 1}/{runs}: {walls[-1]:.2f} s, {len(pairs)} pairs")
    right = sum(1 for m, u, _ in pairs if m.split("/", 1)[1] == u.split("/", 1)[1] or m.rsplit("/", 1)[0] == u.rsplit("/", 1)[0])
    return ("| task | median s (of %d) | target | pairs found | plausible pairs |\n|---|---:|---:|---:|---:|\n"
            "| `pair_renames`: %s missing x %s unused names | %.2f | 2 | %s | %s |"
            % (runs, f"{n:,}", f"{n:,}", statistics.median(walls), f"{len(pairs):,}", f"{right:,}"))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--sizes", default="1k,10k,100k", help="comma-separated TRAIN op counts (default: 1k,10k,100k)")
    p.add_argument("--runs", type=int, default=3, help="runs of each command; the tables show medians (default: 3)")
    p.add_argument("--out", default=os.path.join(HERE, "out"), help="generated files (default: benchmarks/out)")
    p.add_argument("--pair-names", type=int, default=50_000, help="names on each side for pair_renames (default: 50000)")
    p.add_argument("--skip", default="", help="comma-separated parts to skip: sizes,keys,quick,pairing")
    p.add_argument("--json", metavar="FILE", help="where to write every measurement (default: OUT/results.json)")
    p.add_argument("--graphlint", metavar="DIR", default=ROOT,
                   help="the folder holding the graphlint package to measure (default: this checkout)")
    args = p.parse_args(argv)
    ENV["PYTHONPATH"] = os.pathsep.join(x for x in (os.path.abspath(args.graphlint), os.environ.get("PYTHONPATH")) if x)
    sys.path.insert(0, os.path.abspath(args.graphlint))
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    skip = set(args.skip.split(","))
    needed = [s for s in sizes + ["1k"] if not os.path.exists(os.path.join(args.out, f"ckpt_{s}", "model.ckpt.index"))]
    if needed or not os.path.exists(os.path.join(args.out, "failed_run.log")):
        log(f"generating {', '.join(dict.fromkeys(needed)) or 'the rest'} in {args.out}")
        subprocess.run(FLOOR[:1] + [os.path.join(HERE, "generate.py"), "--out", args.out,
                                    "--sizes", ",".join(dict.fromkeys(needed))], env=ENV, check=True, stdout=sys.stderr)
    report = {"graphlint": os.path.abspath(args.graphlint), "sizes": [], "tables": [],
              "load_average_before": load_average()}
    print(f"load average before: {report['load_average_before']}")
    if "sizes" not in skip:
        report["sizes"] = time_sizes(args.out, sizes, args.runs)
        print(f"\nmedians of {args.runs} runs; RSS = the child's peak resident set; CPU = its user + system time\n")
        report["tables"].append(size_table(report["sizes"]))
        print(report["tables"][-1])
    for part, fn in (("keys", lambda: time_many_keys(args.out, args.runs)), ("quick", lambda: time_quick(args.out)),
                     ("pairing", lambda: time_pairing(args.pair_names, args.runs))):
        if part not in skip:
            report["tables"].append(fn())
            print("\n" + report["tables"][-1])
    report["load_average_after"] = load_average()
    print(f"\nload average after: {report['load_average_after']}")
    with open(args.json or os.path.join(args.out, "results.json"), "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
