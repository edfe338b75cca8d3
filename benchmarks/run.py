"""Time graphlint against the floor (what building the graphs costs anyway), in one command.

    python benchmarks/run.py --sizes 1k,10k,100k --runs 3

Generates the synthetic models and checkpoints if missing (benchmarks/generate.py), then, for
each size and run: benchmarks/floor.py, `graphlint diff MODEL`, `graphlint check MODEL
--checkpoint CKPT`, each a child process, timed by wall clock, with the child's peak RSS from
os.wait4. Then the 50,000-key checkpoint, the commands that must not import TensorFlow
(--help, rules, explain LOG), and graphlint.analysis.pairing.pair on 50,000 missing and 50,000
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
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ENV = dict(os.environ, GRAPHLINT_NO_CACHE="1")  # build timings build; the cache rows turn it on
GRAPHLINT = [sys.executable, "-m", "graphlint"]
FLOOR = [sys.executable, os.path.join(HERE, "floor.py")]
QUICK_RUNS = 7
# `python -m graphlint` puts its working directory first on sys.path, before PYTHONPATH: the
# children run in the copy being measured (--graphlint), or they would import this checkout.
CWD = [ROOT]


def measure_checkout(folder: str) -> None:
    """Children (and this process) import graphlint from `folder` (--graphlint)."""
    folder = os.path.abspath(folder)
    ENV["PYTHONPATH"] = os.pathsep.join(x for x in (folder, os.environ.get("PYTHONPATH")) if x)
    sys.path.insert(0, folder)
    CWD[0] = folder


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _pss_kib(pid: int, fallback: int) -> int:
    """Proportional set size: a page shared by forked processes counts once in their sum."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return fallback


def _tree_memory_kib(root: int) -> int:
    """Memory of a process and all its descendants at this moment, in KiB (Linux /proc): the sum
    of their PSS, so pages that forked workers still share with their parent count once."""
    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss_kib(pid, rss.get(pid, 0))
        todo.extend(c for c, p in parents.items() if p == pid)
    return total


def measure(cmd, ok=(0, 1), env=None) -> dict:
    """Run cmd as a child; its wall time (s), peak memory (MiB: wait4's RSS of the largest single
    process, and the whole process tree's PSS sum, sampled every 0.5 s), CPU, exit status, stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=CWD[0], env=env or ENV, stdout=out, stderr=err)
        peak, stop = [0], threading.Event()

        def sample():
            while not stop.wait(0.5):
                if os.path.isdir("/proc"):
                    peak[0] = max(peak[0], _tree_memory_kib(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        stop.set()
        sampler.join()
        proc.returncode = rc = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if rc not in ok:  # noted, not fatal: one broken command must not lose the whole run
        log(f"benchmarks: {' '.join(cmd)} exited {rc}:\n{stderr[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mib": usage.ru_maxrss / 1024,
            "tree_rss_mib": peak[0] / 1024,
            "rc": rc, "stdout": stdout, "load_1min": os.getloadavg()[0]}


def median(runs, key, ok=(0, 1)):
    values = [r[key] for r in runs if r["rc"] in ok]
    return statistics.median(values) if values else float("nan")


def load_average() -> str:
    return "%.2f %.2f %.2f" % os.getloadavg()


def size_commands(model, ckpt, jobs) -> dict:
    lint = {"diff": ["diff", model], "check": ["check", model, "--checkpoint", ckpt]}
    cmds = {"floor": FLOOR + [model, "--checkpoint", ckpt]}
    for name, args in lint.items():
        cmds[f"{name}-j1"] = GRAPHLINT + args + ["--timeout", "0", "--jobs", "1", "--no-cache"]
        cmds[f"{name}-j{jobs}"] = GRAPHLINT + args + ["--timeout", "0", "--jobs", str(jobs), "--no-cache"]
    return cmds


def time_sizes(out, sizes, runs, jobs, only=()) -> list:
    rows = []
    for size in sizes:
        model = os.path.join(out, f"model_{size}.py")
        ckpt = os.path.join(out, f"ckpt_{size}", "model.ckpt")
        cmds = {k: v for k, v in size_commands(model, ckpt, jobs).items() if not only or k in only}
        results = {name: [] for name in cmds}
        for r in range(runs):
            for name, cmd in cmds.items():  # interleaved, so a load spike hits all alike
                res = measure(cmd)
                log(f"  {size} run {r + 1}/{runs} {name}: {res['wall']:.2f} s wall, {res['cpu']:.2f} s CPU, "
                    f"{res['rss_mib']:.0f} MiB (tree {res['tree_rss_mib']:.0f}), exit {res['rc']}")
                results[name].append(res)
        good = [r for r in results.get("floor", []) if r["rc"] == 0]
        ops = json.loads(good[0]["stdout"])["ops"] if good else {m: 0 for m in ("train", "eval", "predict")}
        same = {name: len({r["stdout"] for r in results[f"{name}-j1"] + results[f"{name}-j{jobs}"]}) == 1
                for name in ("diff", "check") if f"{name}-j1" in results and f"{name}-j{jobs}" in results}
        rows.append({"size": size, "ops": ops, "jobs": jobs, "identical_output": same,
                     "runs": {k: [{x: v for x, v in r.items() if x != "stdout"} for r in rs]
                              for k, rs in results.items()}})
    return rows


def size_table(rows) -> str:
    """Wall time and RSS against the floor: graphlint serial (--jobs 1) and parallel (--jobs N)."""
    jobs = rows[0]["jobs"] if rows else 2
    names = ["diff-j1", f"diff-j{jobs}", "check-j1", f"check-j{jobs}"]
    head = " | ".join(f"{n} s | /floor" for n in names)
    lines = [f"| size | ops train / eval / predict | floor s | {head} | floor RSS MiB | diff-j1 RSS /floor "
             f"| diff-j{jobs} RSS /floor (largest process; tree PSS) | diff-j1 tree PSS /floor | floor CPU s | diff-j1 CPU /floor "
             f"| -j1 and -j{jobs} output identical |",
             "|---|---|---:|" + "---:|---:|" * len(names) + "---:|---:|---:|---:|---:|---:|---|"]
    nan = float("nan")
    for row in rows:
        def get(k, key, r=row["runs"]):
            return median(r[k], key) if k in r else nan
        fw, fm, fc = get("floor", "wall"), get("floor", "rss_mib"), get("floor", "cpu")
        cells = " | ".join(f"{get(n, 'wall'):.1f} | {get(n, 'wall') / fw:.2f}x" for n in names)
        ops = " / ".join(f"{row['ops'][m]:,}" for m in ("train", "eval", "predict"))
        par = f"diff-j{jobs}"
        lines.append(f"| {row['size']} | {ops} | {fw:.1f} | {cells} | {fm:.0f} | {get('diff-j1', 'rss_mib') / fm:.2f}x "
                     f"| {get(par, 'rss_mib') / fm:.2f}x; {get(par, 'tree_rss_mib') / get('floor', 'tree_rss_mib'):.2f}x "
                     f"| {get('diff-j1', 'tree_rss_mib') / get('floor', 'tree_rss_mib'):.2f}x | {fc:.1f} "
                     f"| {get('diff-j1', 'cpu') / fc:.2f}x | {_same(row)} |")
    return "\n".join(lines)


def _same(row) -> str:
    same = row.get("identical_output", {})
    return ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in sorted(same.items())) or "not compared"


def time_fleet(out, size, copies, runs, jobs) -> str:
    """`graphlint diff` on several model files at once: serial, parallel, and the floor run once
    per file (what a CI loop over the files would pay at least)."""
    import shutil

    src = os.path.join(out, f"model_{size}.py")
    models = []
    for i in range(copies):
        dst = os.path.join(out, f"fleet_{size}_{i}.py")
        shutil.copyfile(src, dst)
        models.append(dst)
    cmds = {"graphlint -j1": GRAPHLINT + ["diff", *models, "--timeout", "0", "--jobs", "1", "--no-cache"],
            f"graphlint -j{jobs}": GRAPHLINT + ["diff", *models, "--timeout", "0", "--jobs", str(jobs), "--no-cache"]}
    floors, results = [], {k: [] for k in cmds}
    for r in range(runs):
        floors.append(sum(measure(FLOOR + [m])["wall"] for m in models))
        for name, cmd in cmds.items():
            results[name].append(measure(cmd))
        log(f"  fleet {copies} x {size} run {r + 1}/{runs}: floor {floors[-1]:.1f} s, "
            + ", ".join(f"{k} {v[-1]['wall']:.1f} s" for k, v in results.items()))
    floor = statistics.median(floors)
    lines = [f"| {copies} models of {size} ops | median s (of {runs}) | / floor |", "|---|---:|---:|",
             f"| floor: one `floor.py` per file, one after another | {floor:.1f} | 1.00x |"]
    for name, rs in results.items():
        lines.append(f"| `{name.replace('graphlint', 'graphlint diff')} FILE...` | {median(rs, 'wall'):.1f} "
                     f"| {median(rs, 'wall') / floor:.2f}x |")
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


def imports_tensorflow(args, env=None) -> bool:
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "graphlint", *args], cwd=CWD[0], env=env or ENV,
                         capture_output=True, text=True)
    return any(line.rstrip().endswith("| tensorflow") for line in res.stderr.splitlines())


def _cache_env(folder: str) -> dict:
    env = {k: v for k, v in ENV.items() if k != "GRAPHLINT_NO_CACHE"}
    env["GRAPHLINT_CACHE_DIR"] = folder
    return env


def time_cache(out, sizes, runs, jobs) -> str:
    """Cold (an empty cache) against warm (an unchanged model): the warm run must print the same
    bytes, in every format, without importing TensorFlow."""
    import shutil

    lines = [f"| size | command | cold s | warm s (median of {QUICK_RUNS}) | warm imports TensorFlow "
             "| warm output identical (text, json, sarif, github) |", "|---|---|---:|---:|---|---|"]
    for size in sizes:
        model = os.path.join(out, f"model_{size}.py")
        ckpt = os.path.join(out, f"ckpt_{size}", "model.ckpt")
        for name, args in (("diff", ["diff", model]), ("check", ["check", model, "--checkpoint", ckpt])):
            folder = tempfile.mkdtemp(prefix="graphlint-cache-")
            env = _cache_env(folder)
            base = GRAPHLINT + args + ["--timeout", "0", "--jobs", str(jobs)]
            cold = measure(base, env=env)
            warm = [measure(base, env=env) for _ in range(QUICK_RUNS)]
            same = all(w["stdout"] == cold["stdout"] for w in warm)
            for fmt in ("json", "sarif", "github"):  # the entry holds the report, not the text
                fresh = measure(base + ["--format", fmt, "--no-cache"])
                same = same and measure(base + ["--format", fmt], env=env)["stdout"] == fresh["stdout"]
            tf_imported = "yes" if imports_tensorflow(args + ["--jobs", str(jobs)], env) else "no"
            lines.append(f"| {size} | {name} | {cold['wall']:.1f} | {median(warm, 'wall'):.3f} | {tf_imported} "
                         f"| {'yes' if same else 'NO'} |")
            log(f"  cache {size} {name}: cold {cold['wall']:.1f} s, warm {median(warm, 'wall'):.3f} s")
            shutil.rmtree(folder, ignore_errors=True)
    return "\n".join(lines)


def time_cached_fleet(out, size, copies, runs, jobs) -> str:
    """`graphlint diff 'DIR/*.py'` on COPIES models: cold, all unchanged, and one changed (a comment
    appended), which must build that one only."""
    import shutil

    folder, models = tempfile.mkdtemp(prefix="graphlint-cache-"), os.path.join(out, f"cached_fleet_{size}")
    shutil.rmtree(models, ignore_errors=True)
    os.makedirs(models)
    for i in range(copies):
        shutil.copyfile(os.path.join(out, f"model_{size}.py"), os.path.join(models, f"m{i:02d}.py"))
    env = _cache_env(folder)
    cmd = GRAPHLINT + ["diff", os.path.join(models, "*.py"), "--timeout", "0", "--jobs", str(jobs)]
    cold = measure(cmd, env=env)
    warm = [measure(cmd, env=env) for _ in range(runs)]
    changed = []
    for r in range(runs):
        with open(os.path.join(models, "m00.py"), "a", encoding="utf-8") as fh:
            fh.write(f"# edit {r}\n")
        changed.append(measure(cmd, env=env))
    one = [measure(GRAPHLINT + ["diff", os.path.join(models, "m00.py"), "--timeout", "0", "--jobs", str(jobs),
                                "--no-cache"]) for _ in range(runs)]
    shutil.rmtree(folder, ignore_errors=True)
    log(f"  cached fleet {copies} x {size}: cold {cold['wall']:.1f} s, warm {median(warm, 'wall'):.2f} s, "
        f"one changed {median(changed, 'wall'):.1f} s, that model alone {median(one, 'wall'):.1f} s")
    return "\n".join([f"| {copies} models of {size} ops, one cache | s (median of {runs}) |", "|---|---:|",
                      f"| cold (empty cache) | {cold['wall']:.1f} |",
                      f"| warm, none changed | {median(warm, 'wall'):.2f} |",
                      f"| warm, one changed | {median(changed, 'wall'):.1f} |",
                      f"| the changed model alone, `--no-cache` | {median(one, 'wall'):.1f} |"])


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
    """n missing and n unused names, {name: (shape, dtype)}, and the truth {missing: unused}: the
    same variables after a rename.

    Three in four moved to another top scope ('net/...' -> 'network/...'); one in four had its
    leaf renamed ('kernel' -> 'weights'). 50 shapes, so each (shape, dtype) bucket holds ~n/50.
    """
    leaves = ("kernel", "bias", "gamma", "beta", "scale")
    renamed = {"kernel": "weights", "bias": "biases", "gamma": "scale_g", "beta": "offset", "scale": "mult"}
    missing, unused, truth = {}, {}, {}
    for i in range(n):
        leaf = leaves[i % 5]
        path = f"layer{i // 500}/unit{(i // 5) % 100}"
        sig = ((i % 50) + 1, 8), "float32"
        old = f"net/{path}/{leaf}"
        new = f"network/{path}/{leaf}" if i % 4 else f"net/{path}/{renamed[leaf]}"
        unused[old], missing[new], truth[new] = sig, sig, old
    return missing, unused, truth


def time_pairing(n, runs) -> str:
    from graphlint.analysis.pairing import pair

    missing, unused, truth = pairing_names(n)
    walls, found = [], None
    for r in range(runs):
        start = time.perf_counter()
        found = pair(missing, unused)
        walls.append(time.perf_counter() - start)
        log(f"  pair run {r + 1}/{runs}: {walls[-1]:.2f} s, {len(found.pairs)} pairs, {len(found.unsure)} unsure")
    right = sum(1 for p in found.pairs if truth[p.a] == p.b)
    return ("| task | median s (of %d) | target | pairs printed | right | unsure |\n|---|---:|---:|---:|---:|---:|\n"
            "| `pairing.pair`: %s missing x %s unused names | %.2f | 2 | %s | %s | %s |"
            % (runs, f"{n:,}", f"{n:,}", statistics.median(walls), f"{len(found.pairs):,}", f"{right:,}",
               f"{len(found.unsure):,}"))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--sizes", default="1k,10k,100k", help="comma-separated TRAIN op counts (default: 1k,10k,100k)")
    p.add_argument("--runs", type=int, default=3, help="runs of each command; the tables show medians (default: 3)")
    p.add_argument("--out", default=os.path.join(HERE, "out"), help="generated files (default: benchmarks/out)")
    p.add_argument("--pair-names", type=int, default=50_000, help="names on each side for the rename pairing (default: 50000)")
    p.add_argument("--skip", default="", help="comma-separated parts to skip: sizes,keys,quick,pairing,fleet,"
                                              "cache,cached-fleet")
    p.add_argument("--cached-fleet", default="1k:20", metavar="SIZE:COPIES",
                   help="the cache's many-models run: COPIES copies of the SIZE model, then one changed (default: 1k:20)")
    p.add_argument("--jobs", type=int, default=2, help="--jobs for the parallel columns (default: 2)")
    p.add_argument("--only", default="", help="comma-separated size commands to run (default: all of floor,"
                                              "diff-j1,diff-jN,check-j1,check-jN)")
    p.add_argument("--fleet", default="10k:4", metavar="SIZE:COPIES",
                   help="the many-models run: COPIES copies of the SIZE model (default: 10k:4)")
    p.add_argument("--json", metavar="FILE", help="where to write every measurement (default: OUT/results.json)")
    p.add_argument("--graphlint", metavar="DIR", default=ROOT,
                   help="the folder holding the graphlint package to measure (default: this checkout)")
    args = p.parse_args(argv)
    measure_checkout(args.graphlint)
    args.out = os.path.abspath(args.out)
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
        only = [c.strip().replace("-jN", f"-j{args.jobs}") for c in args.only.split(",") if c.strip()]
        report["sizes"] = time_sizes(args.out, sizes, args.runs, args.jobs, only)
        print(f"\nmedians of {args.runs} runs; RSS = peak resident set (wait4: the largest single process; "
              f"tree: PSS of all processes at once, sampled every 0.5 s); "
              f"CPU = user + system time of the process tree\n")
        report["tables"].append(size_table(report["sizes"]))
        print(report["tables"][-1])
    for part, fn in (("keys", lambda: time_many_keys(args.out, args.runs)), ("quick", lambda: time_quick(args.out)),
                     ("pairing", lambda: time_pairing(args.pair_names, args.runs)),
                     ("fleet", lambda: time_fleet(args.out, args.fleet.split(":")[0], int(args.fleet.split(":")[1]),
                                                  args.runs, args.jobs)),
                     ("cache", lambda: time_cache(args.out, sizes, args.runs, args.jobs)),
                     ("cached-fleet", lambda: time_cached_fleet(args.out, args.cached_fleet.split(":")[0],
                                                                int(args.cached_fleet.split(":")[1]), args.runs,
                                                                args.jobs))):
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
