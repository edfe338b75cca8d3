"""Several model files in one run. Each model is loaded and built in a process of its own, forked
after TensorFlow is imported, so no model sees another's state (module globals, default graph,
Keras name counters); --jobs N of them run at a time, and --shard K/N takes a deterministic
slice of the sorted list for CI fleets. Results come back in the list's order, whatever order
the workers finish in."""

from __future__ import annotations

import dataclasses
import glob
import os
import re
from dataclasses import dataclass
from typing import Optional

from graphlint.errors import UsageError

_GLOB = re.compile(r"[*?\[]")


@dataclass
class Outcome:
    model: str
    report: object = None  # report.document.Report, or None when the model could not be checked
    error: Optional[str] = None  # the one-line error when it could not


def expand(patterns) -> list:
    """Model files and package.module names; a pattern that is not an existing path is globbed
    (** included). Sorted, duplicates dropped, so the list is the same on every machine."""
    out = set()
    for pattern in patterns:
        if _GLOB.search(pattern) and not os.path.exists(pattern):
            hits = [h for h in glob.glob(pattern, recursive=True) if os.path.isfile(h)]
            if not hits:
                raise UsageError(f"no model file matches {pattern!r}")
            out.update(os.path.normpath(h) for h in hits)
        else:
            out.add(os.path.normpath(pattern) if os.path.exists(pattern) else pattern)
    return sorted(out)


def parse_shard(value: str) -> tuple:
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value or "")
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise UsageError(f"--shard: expected K/N with 1 <= K <= N (e.g. 1/4), got {value!r}")
    return int(m.group(1)), int(m.group(2))


def shard(models, k: int, n: int) -> list:
    """Every N-th model of the sorted list, starting at the K-th: stable as long as the list is."""
    return [m for i, m in enumerate(sorted(models)) if i % n == k - 1]


def run_models(models, jobs: int, checkpoint=None, **options) -> list:
    """[Outcome] in the order of `models`; each model in its own forked worker when possible."""
    from graphlint.model import parallel

    if not parallel.available():
        return [_check_one(m, checkpoint, options) for m in models]
    _warm_up()
    workers = parallel.run_all({i: (m, _job(m, checkpoint, options)) for i, m in enumerate(models)}, jobs)
    outcomes = []
    for i in range(len(models)):
        workers[i].replay()
        workers[i].close()
        outcomes.append(workers[i].result)
    return outcomes


def _warm_up() -> None:
    """Import TensorFlow (and the Estimator API) once, here, so that every worker inherits it."""
    from graphlint.run import engine  # noqa: F401 - imported for what it pulls in: the rules and reporters
    from graphlint.model import tfcompat

    with tfcompat.estimator_api():
        pass


def _job(model, checkpoint, options):
    return lambda: _check_one(model, checkpoint, options)


def _check_one(model, checkpoint, options):
    from graphlint.run import engine

    try:
        report = engine.analyze_file(model, checkpoint=checkpoint, jobs=1, **options)
    except UsageError as exc:
        return Outcome(model, error=str(exc))
    portable = {mode: snap.portable() for mode, snap in report.snapshots.items()}
    return Outcome(model, dataclasses.replace(report, snapshots=portable))
