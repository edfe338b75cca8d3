"""The floor: what any tool that builds a model_fn per mode cannot avoid paying.

`import tensorflow`; for each mode a fresh tf.Graph with the global step, input_fn (a Dataset
through an initializable iterator, as Estimator does) and model_fn; then, with --checkpoint,
`tf.train.list_variables`. Nothing else: no hooks called, no names recorded, no diff. Each
graph is dropped once built (a tool needs only a summary of it).

    python benchmarks/floor.py [benchmarks/out/model_10k.py] [--checkpoint PREFIX]

Prints one JSON line: {"ops": {"train": N, ...}, "build_seconds": {"train": S, ...},
"checkpoint_keys": N}.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time

sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # PYTHONPATH wins

from graphlint.model.loader import exec_file  # noqa: E402
from graphlint.model.tfcompat import estimator_api, tf  # noqa: E402  (tf() = import tensorflow, quietly)

MODES = ("train", "eval", "predict")


def load(path: str):
    """Import a model file as a module, its folder importable (as graphlint does)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    return exec_file("floor_" + os.path.splitext(os.path.basename(path))[0], path)


def build(module, mode: str, est):
    """One mode in a fresh graph, as Estimator builds it; returns (graph, EstimatorSpec)."""
    t = tf()
    mode_key = {"train": est.ModeKeys.TRAIN, "eval": est.ModeKeys.EVAL, "predict": est.ModeKeys.PREDICT}[mode]
    params = copy.deepcopy(module.params)
    graph = t.Graph()
    with graph.as_default():
        t.compat.v1.train.get_or_create_global_step()
        with t.device("/cpu:0"):
            dataset = module.input_fn(params)
            features, labels = t.compat.v1.data.make_initializable_iterator(dataset).get_next()
        if mode == "predict":
            labels = None
        spec = module.model_fn(features=features, labels=labels, mode=mode_key, params=params)
    return graph, spec


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", nargs="?", help="model file (none: only import TensorFlow and list the checkpoint)")
    p.add_argument("--checkpoint", metavar="PREFIX")
    p.add_argument("--keep-graphs", action="store_true",
                   help="keep every mode's graph alive to the end, as graphlint does (for memory comparisons)")
    args = p.parse_args(argv)
    ops, seconds, kept = {}, {}, []
    with estimator_api() as est:
        module = load(args.model) if args.model else None
        for mode in MODES if module else ():
            start = time.perf_counter()
            graph, spec = build(module, mode, est)
            seconds[mode] = round(time.perf_counter() - start, 2)
            ops[mode] = len(graph.get_operations())
            if args.keep_graphs:
                kept.append((graph, spec))
            del graph, spec
    keys = len(tf().train.list_variables(args.checkpoint)) if args.checkpoint else None
    print(json.dumps({"ops": ops, "build_seconds": seconds, "checkpoint_keys": keys}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
