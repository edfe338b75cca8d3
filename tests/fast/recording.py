"""The fast lane's recordings and goldens (tests/fast/recorded/<corpus>/<model>/).

recording.json is what the rules read for one model: RunInfo, and per mode the Snapshot and the
graph's Answers, taken from the Context the rules got during a real `graphlint diff` (the
command's own path, with the case's ARGS) on TensorFlow 2.15 with the real Estimator. The goldens
are what the rules and the reporters make of it: findings.txt (one `code modes name` line per
finding), report.txt, report.json, report.sarif, report.github.

Only recording.json needs TensorFlow. It says which graphlint code and model files made it
(`made_by`, `inputs`), so a change to either makes the fast test fail with REGENERATE, instead of
silently testing the rules against graphs the current code no longer builds. The code digest leaves
out what the fast lane runs itself on the recording (rules, analysis, reporters): a changed rule
changes the goldens, not the recording, and GRAPHLINT_UPDATE_GOLDENS=1 rewrites those in seconds.

A case checked against a checkpoint or a SavedModel (case_inputs.py: CHECKPOINT, SAVED_MODEL) also
records what `check` read of it: the Checkpoint (keys, shapes, dtypes, classes) and the object-graph
names the rules read from the Context, and the serving graph's ServingBuild, the SavedModel's
signatures and their Comparison (the GL5xx rules' input; it is made with TensorFlow's shape rules).
The rename pairing, every rule and the run's inline suppressions (GL001) run on the recording.
"""

import contextlib
import dataclasses
import functools
import glob
import hashlib
import json
import os

from conftest import CASES, FIXTURES, ROOT
from graphlint.model import record

REGENERATE = "GRAPHLINT_UPDATE_GOLDENS=1 python -m pytest tests/fast"
UPDATE = os.environ.get("GRAPHLINT_UPDATE_GOLDENS", "")  # "1": stale recordings and all goldens; "all": every recording
RECORDED = os.path.join(ROOT, "tests", "fast", "recorded")
RECORDING = "recording.json"
MADE = "$TMP"  # what case_inputs.py made for a `check` case: its temporary directory, in a recording
RENDERERS = ("text", "json", "sarif", "github")
GOLDENS = ("findings.txt",) + tuple(f"report.{'txt' if r == 'text' else r}" for r in RENDERERS)
# What runs on a recording in the fast lane itself: a change there is a golden's change, not a stale recording;
# `migrate` builds no model_fn graph (its own tests run it on real checkpoints).
_NOT_RECORDED = ("rules", "analysis", "report", "explain", "migrate", "findings.py", "wording.py")
# ... but the shared example model the cases import lives in rules/: it builds their graphs.
_EXAMPLE_MODEL = os.path.join("rules", "example_common.py")


def _models(folder, corpus, common=None):
    return [(corpus, p) for p in sorted(glob.glob(os.path.join(folder, "*.py"))) if not (common and p.endswith(common))]


MODELS = _models(CASES, "cases") + _models(FIXTURES, "per_class_auc", "auc_common.py")


def model_id(model) -> str:
    corpus, path = model
    return f"{corpus}/{os.path.splitext(os.path.basename(path))[0]}"


def folder(model) -> str:
    return os.path.join(RECORDED, model_id(model))


def _sha(path) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


@functools.lru_cache(maxsize=1)  # the code does not change during a test run
def made_by() -> str:
    """graphlint's code that builds what a recording holds (loading, building, the run layer, and
    the shared example model)."""
    package = os.path.join(ROOT, "graphlint")
    h = hashlib.sha256()
    for here, dirs, files in os.walk(package):
        rel = os.path.relpath(here, package)
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not (rel == "." and d in _NOT_RECORDED))
        for name in sorted(f for f in files if f.endswith(".py") and not (rel == "." and f in _NOT_RECORDED)):
            h.update(f"{os.path.join(rel, name)}\0{_sha(os.path.join(here, name))}\n".encode())
    h.update(f"{_EXAMPLE_MODEL}\0{_sha(os.path.join(package, _EXAMPLE_MODEL))}\n".encode())
    return h.hexdigest()


def inputs_digest(paths) -> dict:
    """{path under ROOT: sha256} of the model's own files (the case and the modules it imports)."""
    mine = (p for p in paths if p.endswith(".py") and p.startswith(ROOT + os.sep)
            and not p.startswith(os.path.join(ROOT, "graphlint") + os.sep))
    return {os.path.relpath(p, ROOT): _sha(p) for p in sorted(mine) if os.path.exists(p)}


def staleness(meta) -> str:
    """Why a recording no longer matches the code and the model files, or ""."""
    if meta.get("made_by") != made_by():
        return "graphlint's model-building code changed since it was recorded"
    now = {p: _sha(os.path.join(ROOT, p)) if os.path.exists(os.path.join(ROOT, p)) else None for p in meta["inputs"]}
    changed = sorted(p for p, digest in now.items() if digest != meta["inputs"][p])
    return f"the model's files changed since it was recorded: {', '.join(changed)}" if changed else ""


@functools.lru_cache(maxsize=1)
def classes() -> tuple:
    """The dataclasses of other packages than graphlint.model that a recording holds (meta's
    "checkpoint" and "serving")."""
    from graphlint.checkpoint import reader
    from graphlint.serving import compare, signatures

    return tuple(c for m in (reader, signatures, compare) for c in vars(m).values()
                 if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == m.__name__)


@dataclasses.dataclass
class Recorded:
    meta: dict
    ctx: object  # analysis.context.Context, as the engine gives it to the rules
    serving: object = None  # serving.check.ServingResult (check --saved-model); its findings are findings()'s


def load(model, made: str = "") -> Recorded:
    """The model's recording, with a Context as the engine builds it for `diff` or `check`; `made`:
    the directory to read MADE as (a real run's, to compare with what it printed)."""
    from graphlint.analysis import renames
    from graphlint.analysis.context import Context
    from graphlint.analysis.modediff import mode_diff
    from graphlint.serving.check import ServingResult

    with open(os.path.join(folder(model), RECORDING), encoding="utf-8") as fh:
        text = fh.read()
    meta, info, snapshots, views = record.loads(text.replace(MADE, made) if made else text, ROOT, classes())
    checked = meta.get("checkpoint") or {}
    ctx = Context(info, snapshots, views, mode_diff(snapshots), checkpoint=checked.get("checkpoint"),
                  object_names=checked.get("object_names", {}))
    if ctx.checkpoint is not None:  # as run/engine.py's analyze()
        found = renames.pair(ctx)
        ctx = dataclasses.replace(ctx, renames=found.pairs, unsure_renames=found.unsure)
    serving = meta.get("serving")
    result = ServingResult(serving["build"], serving["saved"], serving["comparison"]) if serving else None
    return Recorded(meta, ctx, result)


def findings(rec, config=None) -> list:
    """What graphlint reports on the recording: every rule through the engine's own run_rules(),
    the serving rules on the recorded comparison (run/engine.py's _with_serving), then what the
    run layer does with them (run/selection.py: selection and supersession by `config`, default
    everything, inline suppressions and their GL001 findings)."""
    from graphlint.config import Config
    from graphlint.run.engine import run_rules
    from graphlint.run.selection import apply_config
    from graphlint.serving.check import rule_findings

    with _cwd(ROOT):  # sites are relative to the directory graphlint ran in, and rules read their source
        ran = run_rules(rec.ctx)
        found = ran.findings
        if rec.serving is not None:
            found = sorted(found + rule_findings(rec.serving.comparison), key=lambda f: f.sort_key())
        model_file = rec.ctx.info.model_file
        return apply_config(found, config or Config(), [model_file] if model_file else [], "", ran.alternatives)


def goldens(rec, found) -> dict:
    """{golden file name: text} for the findings on a recording and every renderer."""
    from graphlint.report.document import Report

    ctx = rec.ctx
    return renderings(Report(ctx.info, found, ctx.mode_diff, ctx.snapshots, ctx.checkpoint, ctx.renames,
                             ctx.unused_keys(), serving=rec.serving))


def renderings(report) -> dict:
    """{golden file name: text} of a Report (a recording's, or a real run's: tests/test_cases.py
    checks that they agree), paths written from $ROOT."""
    from graphlint.report import RenderOptions, formatter

    out = {"findings.txt": "".join(f"{f.code} {','.join(f.modes)} {f.name}\n" for f in report.findings)}
    with _cwd(ROOT):  # github's paths are relative to the working directory, sarif's to the root given
        for name in RENDERERS:
            kwargs = {"root": ROOT} if name == "sarif" else {}
            out[f"report.{'txt' if name == 'text' else name}"] = formatter(name).render(report, RenderOptions(),
                                                                                        **kwargs)
    out["report.sarif"] = _without_rule_metadata(out["report.sarif"])
    return {k: v.replace(ROOT, record.ROOT) for k, v in out.items()}


def read_goldens(model) -> dict:
    out = {}
    for name in GOLDENS:
        with open(os.path.join(folder(model), name), encoding="utf-8") as fh:
            out[name] = fh.read()
    return out


def _without_rule_metadata(sarif: str) -> str:
    """The SARIF document with each rule's metadata (its whole documentation, the same for every
    model: tests/test_sarif.py checks it) cut to the rule ids that ruleIndex counts in."""
    doc = json.loads(sarif)
    for run in doc["runs"]:
        driver = run["tool"]["driver"]
        driver["rules"] = [r["id"] for r in driver["rules"]]
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


@contextlib.contextmanager
def _cwd(path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


# --- recording (TensorFlow) ------------------------------------------------------------------


def record_model(model) -> None:
    """Run `graphlint diff` on the model for real (`check`, against what case_inputs.py makes, when
    the case declares it), write the Context its rules got, and check that the recording gives
    what that run printed."""
    from case_inputs import made
    from corpus import lint_case, skip_unless_runnable

    corpus, path = model
    skip_unless_runnable(path)
    with made(path) as (command, args, tmp), _contexts_given_to_rules() as seen, _cwd(ROOT):  # sites: from the cwd
        report = lint_case(path, *args, command=command)
        ctx = seen[-1]
        meta = {"model": os.path.relpath(path, ROOT), "made_by": made_by(), "inputs": inputs_digest(report.inputs),
                **_checked(ctx, report)}
        text = record.dumps(ctx.info, ctx.snapshots, ctx.views, meta, ROOT, classes())
        printed = renderings(report)
        os.makedirs(folder(model), exist_ok=True)
        _write(os.path.join(folder(model), RECORDING), text.replace(tmp, MADE) if tmp else text)
        rec = load(model, made=tmp)  # a name may be a path (GL307's), and SARIF fingerprints hash it
        replayed = goldens(rec, findings(rec))
    differ = sorted(name for name in printed if replayed[name] != printed[name])
    assert not differ, f"{model_id(model)}: the recording does not give what graphlint printed: {differ}"


def _checked(ctx, report) -> dict:
    """What `check` read besides the graphs: the checkpoint, the serving comparison."""
    out = {}
    if ctx.checkpoint is not None:
        out["checkpoint"] = {"checkpoint": ctx.checkpoint, "object_names": ctx.object_names}
    if report.serving is not None:
        serving = report.serving
        out["serving"] = {"build": serving.build, "saved": serving.saved, "comparison": serving.comparison}
    return out


@contextlib.contextmanager
def _contexts_given_to_rules():
    """Every Context a rule is asked to check, from the first rule every diff runs (the rules' own
    input, however the run layer gets there)."""
    from graphlint.rules import all_rules

    rule = next(r for r in all_rules() if r.on_graphs and not r.needs_checkpoint)
    cls, seen = type(rule), []
    own = cls.__dict__.get("check")
    original = cls.check

    def check(self, ctx):
        seen.append(ctx)
        return original(self, ctx)

    cls.check = check
    try:
        yield seen
    finally:
        if own is None:
            del cls.check
        else:
            cls.check = own


def write_goldens(model, texts: dict) -> None:
    for name, text in texts.items():
        _write(os.path.join(folder(model), name), text)


def _write(path, text) -> None:
    """Whole or not at all: another worker may be reading the recordings while they are rewritten."""
    partial = f"{path}.{os.getpid()}.partial"
    with open(partial, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    os.replace(partial, path)
