"""The run layer: one path from what a front door asks (the command line, graphlint.lint(), the pytest
plugin) to final findings, output and an exit status, so every door gives the same findings.

flake8's Application is the model. A Request says what was asked; the Application resolves the
configuration (the file's values, then the caller's), lists the models, builds and checks each (one
in this process, several in worker processes), then applies what the configuration says about
findings (selection, inline suppressions, name ignores, the baseline) by filtering, never by changing
a finding, and renders the result in the asked format.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from dataclasses import dataclass, field
from typing import Optional

from graphlint import config as config_lib
from graphlint.constants import ExitCode
from graphlint.errors import UsageError
from graphlint import tf1
from graphlint.model import loader
from graphlint.report import RenderOptions, formatter
from graphlint.wording import count


@dataclass
class Request:
    """What a front door asks for, already parsed."""

    command: str = "diff"  # diff | check | run
    models: list = field(default_factory=list)  # files, quoted globs, package.module; empty: the config's
    config: Optional[str] = None  # a config file; None: the nearest one above the first model
    settings: dict = field(default_factory=dict)  # Config fields set by the caller (win over the file)
    params: Optional[dict] = None  # merged over the config's params (the command line's --params)
    per_mode_params: dict = field(default_factory=dict)  # mode -> params merged over the config's
    loaded: object = None  # a loader.Model the caller built from callables (the Python API)
    program: Optional[list] = None  # `run`: PROGRAM.py args (or -m module args); empty: the config's `run`
    jobs: int = 1  # 0: one per CPU
    shard: Optional[str] = None  # "K/N"
    timeout: Optional[float] = None  # seconds to build one mode; None or 0: no limit
    exit_zero: bool = False
    write_baseline: Optional[str] = None  # record the findings there instead of reporting them
    render: RenderOptions = RenderOptions()
    # {"saved_model": DIR or None, "receiver_fn": NAME or None}: also build the serving graph (serving/check.py)
    serving: Optional[dict] = None
    cache: bool = False  # reuse an unchanged model's report (run/cache.py); the command line's default
    cache_dir: Optional[str] = None  # None: GRAPHLINT_CACHE_DIR, else the user's cache folder


@dataclass
class Outcome:
    """One model's result: its Report with final findings, or the one-line error that stopped it."""

    model: str
    report: object = None  # report.document.Report
    error: Optional[str] = None


_SERVING_FLAGS = (("saved_model", "--saved-model"), ("receiver_fn", "--serving-input-fn"))


class Application:
    def __init__(self, request: Request):
        self.request = request
        self.programs = None  # `run`: program.models.ProgramModel per model_dir the program used
        self._program_run = contextlib.ExitStack()  # the program's state, kept until its models are built
        self.config = self._resolve_config()
        try:
            with tf1.forced(self.config.tf1):  # a program runs here, under the runtime if it is TF1 code
                self.models = self._models()
            self._refuse_combinations()
        except BaseException:
            self._program_run.close()  # a program that ran keeps its state until its models are built
            raise

    def _refuse_combinations(self) -> None:
        request = self.request
        asked = [flag for key, flag in _SERVING_FLAGS if (request.serving or {}).get(key)]
        if asked and self.several:
            # A SavedModel is one model's export, and which model it belongs to cannot be guessed;
            # the workers that check several models build no serving graph, so it would be ignored.
            n = len(self.models)
            what = f"{n} models" if n > 1 else ("--shard" if request.shard else "`models` in the config")
            raise UsageError(f"{asked[0]} works on one model at a time (a SavedModel is one model's export), "
                             f"not with {what}: check each model on its own")
        brief = [o for o in ("statistics", "quiet") if getattr(request.render, o)]
        if brief and self.config.format != "text":
            # a JSON/SARIF/GitHub consumer counts findings itself; a shortened document would be a lie
            raise UsageError(f"--{brief[0]} is for the text format, not --format {self.config.format}")

    # --- what to run ---------------------------------------------------------------------------

    def _resolve_config(self) -> config_lib.Config:
        req = self.request
        path = req.config or config_lib.find_config(self._config_start())
        conf = config_lib.load_config(path) if path else config_lib.Config()
        settings = dict(req.settings)
        if req.params is not None:
            settings["params"] = {**conf.params, **req.params}
        for mode, params in (req.per_mode_params or {}).items():
            settings[f"params_{mode}"] = {**getattr(conf, f"params_{mode}"), **params}
        conf = config_lib.merge(conf, settings)
        if req.command == "check" and not conf.checkpoint and not any((req.serving or {}).values()):
            raise UsageError("check needs --checkpoint PATH, --saved-model DIR or --serving-input-fn NAME "
                             "(or `checkpoint` in [tool.graphlint])")
        return conf

    def _config_start(self) -> str:
        req = self.request
        if req.program:
            return _program_file(req.program) or "."
        if req.loaded is not None:
            return req.loaded.sites.root
        first = req.models[0] if req.models else None
        return first if first and os.path.exists(first) else "."

    def _models(self) -> list:
        from graphlint.run import fleet

        if self.request.loaded is not None:
            return [self.request.loaded.target]
        if self.request.command == "run":
            return self._run_program()
        models = fleet.expand(self.request.models or self.config.models)
        if not models:
            raise UsageError("no model file given (pass FILE, or set `models` in [tool.graphlint])")
        if self.request.shard:
            models = fleet.shard(models, *fleet.parse_shard(self.request.shard))
        return models

    def _run_program(self) -> list:
        """Run the user's program with Estimator's entry points recording (graphlint.program)."""
        from graphlint.program import models, runner

        argv = self.request.program or _config_program(self.config)
        if not argv:
            raise UsageError("run needs a program: graphlint run [options] -- PROGRAM.py [args...] "
                             "(or `run` in [tool.graphlint])")
        program, calls, sites = self._program_run.enter_context(runner.running(argv))
        self.programs = models.program_models(program, calls, sites)
        return [p.model.target for p in self.programs]

    @property
    def several(self) -> bool:
        """Several models use the many-model output, whose shape does not depend on the count (so a
        config whose globs happen to match one file today keeps its output shape)."""
        req = self.request
        return len(self.models) > 1 or bool(req.shard) or (not req.models and len(self.config.models) > 1)

    # --- running -------------------------------------------------------------------------------

    def _build_options(self) -> dict:
        conf = self.config
        return dict(params=conf.params, per_mode_params=conf.per_mode_params(), timeout=self.request.timeout,
                    modes=tuple(conf.modes) if conf.modes else None, warm_start=conf.warm_start)

    def _checkpoint(self):
        return self.config.checkpoint if self.request.command == "check" else None

    def _jobs(self) -> int:
        from graphlint.model import parallel

        return self.request.jobs or parallel.default_jobs()

    def run(self) -> list:
        """[Outcome] in the models' order, with final findings. One model's bad input raises
        UsageError; with several, it is that model's Outcome and the others are still checked."""
        from graphlint.run.engine import each_warning_once

        with each_warning_once(), tf1.forced(self.config.tf1):
            return self._run()

    def _run(self) -> list:
        if self.programs is not None:
            with self._program_run:
                raw = [Outcome(p.model.target, self._report_program(p)) for p in self.programs]
            return self._finalized(raw)
        cache, keys = self._cache()
        hits = {m: cache.get(keys[m]) for m in self.models} if cache else {}
        todo = [m for m in self.models if hits.get(m) is None]  # only misses are built (or forked)
        if not todo:
            raw = []
        elif self.several:
            raw = self._run_several(todo)
        else:
            if self.request.loaded is None:
                loader.check_target(todo[0])  # a bad path is one line, before TensorFlow is imported
            raw = [Outcome(todo[0], self._report_one())]
        for o in raw if cache else ():
            if o.report is not None:
                cache.put(keys[o.model], o.report)
        built = {o.model: o for o in raw}
        return self._finalized([built[m] if m in built else Outcome(m, hits[m]) for m in self.models])

    def _finalized(self, raw) -> list:
        return [dataclasses.replace(o, report=self._final(o.report, o.model)) if o.report is not None else o
                for o in raw]

    def _run_several(self, models) -> list:
        """Paths that cannot be models are refused here, without TensorFlow; the rest are checked."""
        from graphlint.run import fleet

        refused = {m: error for m in models if (error := _refusal(m))}
        todo = [m for m in models if m not in refused]
        checked = iter(fleet.run_models(todo, self._jobs(), self._checkpoint(), **self._build_options())
                       if todo else ())
        return [Outcome(m, error=refused[m]) if m in refused else next(checked) for m in models]

    def _report_program(self, program):
        """One model_dir's modes, built as the program's Estimators would, checked against
        model_dir's latest checkpoint when it has one."""
        from graphlint.run import engine

        # The program's own warm start runs inside the TRAIN build, as Estimator.train runs it
        return engine.analyze_model(program.model, checkpoint=program.checkpoint, params=None,
                                     per_mode_params=program.params, modes=program.modes,
                                     timeout=self.request.timeout, jobs=self._jobs())

    def _cache(self):
        """(Cache, {model: key}), or (None, {}) when this run is not cached: the Python API with
        callables has no file to key on, and --no-cache / GRAPHLINT_NO_CACHE turn it off."""
        from graphlint.run import cache as cache_lib

        req = self.request
        in_production = (req.serving or {}).get("saved_model")  # a SavedModel is not part of the key
        if not req.cache or req.loaded is not None or in_production or not cache_lib.enabled():
            return None, {}
        conf = self.config
        options = dict(self._build_options(), model_fn=conf.model_fn, input_fn=conf.input_fn,
                       serial=self._jobs() == 1)  # -j1 is the faithful setting for module state
        if conf.tf1:  # the TF1 runtime builds other graphs (a TF1-looking model has it on either way)
            options["tf1"] = True
        options.pop("timeout")  # a report that was made was made in time
        return (cache_lib.Cache(cache_lib.directory(req.cache_dir)),
                {m: cache_lib.key(m, req.command, options, self._checkpoint()) for m in self.models})

    def _report_one(self):
        from graphlint.run import engine

        options = dict(self._build_options(), jobs=self._jobs())
        loaded = self.request.loaded
        if loaded is not None:  # callables the caller imported: the runtime is TF 1.x's switches, if asked
            with tf1.runtime() if self.config.tf1 else contextlib.nullcontext():
                return engine.analyze_model(loaded, checkpoint=self._checkpoint(), **options)
        conf, serving = self.config, self.request.serving
        if serving is not None and serving.get("saved_model"):  # a bad --saved-model fails before the builds
            from graphlint.serving.signatures import read_saved_model

            serving = dict(serving, saved_model=read_saved_model(serving["saved_model"]))
        return engine.analyze_file(self.models[0], model_fn=conf.model_fn, input_fn=conf.input_fn,
                          checkpoint=self._checkpoint(), serving=serving, **options)

    def _final(self, report, model: str):
        """The report with the findings this configuration reports: filtered, never changed."""
        from graphlint.run import selection

        conf = self.config
        if self.request.write_baseline:
            conf = dataclasses.replace(conf, baseline=None)
        files = [report.info.model_file] if report.info.model_file else []
        found = selection.apply_config(report.findings, conf, files, model, report.alternatives)
        return dataclasses.replace(report, findings=found)

    # --- results -------------------------------------------------------------------------------

    def render(self, outcomes) -> str:
        fmt = formatter(self.config.format)
        options = dataclasses.replace(self.request.render, table=self.config.table)
        if self.several:
            return fmt.render_many(outcomes, options)
        text = fmt.render(outcomes[0].report, options)
        serving = outcomes[0].report.serving
        if serving is not None and self.config.format == "text":
            from graphlint.serving.check import render_table

            text = f"{render_table(serving)}\n{text}"
        return text

    def render_fatal(self, message: str) -> str:
        model = self.models[0] if len(self.models) == 1 else ""
        return formatter(self.config.format).render_fatal(message, model)

    def exit_code(self, outcomes) -> ExitCode:
        from graphlint.run import selection

        if any(o.report is None for o in outcomes):
            return ExitCode.USAGE
        worst = max((selection.exit_code(o.report.findings, self.config.fail_on, self.request.exit_zero)
                     for o in outcomes), default=0)
        return ExitCode(worst)

    def write_baseline(self, outcomes) -> ExitCode:
        from graphlint.run import baseline

        path = self.request.write_baseline
        kept = 0
        for o in outcomes:
            if o.report is not None:
                baseline.write_baseline(path, o.report.findings, o.model)
                kept += len(o.report.findings)
        print(f"graphlint: wrote {count(kept, 'finding')} to {path}", file=sys.stderr)
        return ExitCode.OK


def _refusal(model: str):
    """The one-line error of a model path that cannot be checked at all, found without TensorFlow."""
    try:
        loader.check_target(model)
    except UsageError as exc:
        return str(exc)
    return None


def _program_file(argv: list):
    """The program's file in `run`'s argv (for finding the config), None for -m."""
    args = [a for a in argv if a != "--"]
    return args[0] if args and args[0] != "-m" and os.path.exists(args[0]) else None


def _config_program(conf) -> list:
    """The config's `run = ["python", "trainer/task.py", ...]`, without the interpreter: graphlint
    runs the program in its own."""
    argv = list(conf.run or [])
    if argv and os.path.basename(argv[0]).startswith("python"):
        argv = argv[1:]
    return argv
