"""Project configuration, read the way ruff reads its own.

Two forms hold the same keys: a `[tool.graphlint]` table (pyproject.toml) or top-level keys
(graphlint.toml, .graphlint.toml). Discovery walks up from the model; in one folder
.graphlint.toml wins over graphlint.toml over a pyproject.toml with the table (ruff's order, so a
dedicated file, the more deliberate choice, beats the shared one), and the nearest folder wins
outright (no merging). `--config FILE` takes either form, whatever the file is called: a `tool`
table is the pyproject form, since `tool` is no key of ours.

Keys are kebab-case in TOML (`model-fn`, `params-eval`, `extend-select`, `ignore-names`, `fail-on`)
and snake_case on `Config`. Relative paths (models, checkpoint, baseline) are relative to the
config file's folder, so the same file works from any working directory.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from typing import Optional

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib

from graphlint.constants import MODES, SEVERITIES
from graphlint.errors import UsageError
from graphlint.report import FORMATS
from graphlint.model.sites import display_path, names_a_file

# A full code (GL101), a prefix (GL1, GL), or ALL, as ruff's selectors.
SELECTOR_RE = re.compile(r"^(ALL|GL\d{0,3})$")


@dataclass
class Config:
    path: Optional[str] = None  # the file it was read from; None for defaults
    models: list = field(default_factory=list)
    model_fn: Optional[str] = None
    input_fn: Optional[str] = None
    params: dict = field(default_factory=dict)
    params_train: dict = field(default_factory=dict)
    params_eval: dict = field(default_factory=dict)
    params_predict: dict = field(default_factory=dict)
    modes: Optional[list] = None  # None: every mode, and PREDICT may be skipped with a note
    checkpoint: Optional[str] = None
    warm_start: Optional[str] = None  # TRAIN warm-starts every trainable variable from it (WarmStartSettings)
    select: Optional[list] = None  # None: every rule
    extend_select: list = field(default_factory=list)
    ignore: list = field(default_factory=list)
    ignore_names: dict = field(default_factory=dict)  # code or prefix -> [glob of names]
    fail_on: str = "error"
    format: str = "text"
    baseline: Optional[str] = None
    run: Optional[list] = None  # `graphlint run`'s program: ["python", "trainer/task.py", "--flag", "x"]
    table: bool = True  # the text report's mode-diff table, when it has something to read (--no-table)
    tf1: bool = False  # the TF1 runtime even where the source does not look like TF1 code (graphlint/tf1)

    def per_mode_params(self) -> dict:
        """The shape a ModelSession takes (per_mode_params): mode -> params, for the modes that have some."""
        return {m: p for m in MODES if (p := getattr(self, f"params_{m}"))}


def _str(v):
    return isinstance(v, str)


def _str_list(v):
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _bool(v):
    return isinstance(v, bool)


def _table(v):
    return isinstance(v, dict)


def _bool(v):
    return isinstance(v, bool)


def _selectors(v):
    return _str_list(v) and all(SELECTOR_RE.match(x) for x in v)


def _name_globs(v):
    return isinstance(v, dict) and all(SELECTOR_RE.match(k) and _str_list(g) for k, g in v.items())


# TOML key -> (Config field, check, what the check wants, allowed values or None)
_KEYS = {
    "models": ("models", _str_list, "a list of strings", None),
    "model-fn": ("model_fn", _str, "a string", None),
    "input-fn": ("input_fn", _str, "a string", None),
    "params": ("params", _table, "a table", None),
    "params-train": ("params_train", _table, "a table", None),
    "params-eval": ("params_eval", _table, "a table", None),
    "params-predict": ("params_predict", _table, "a table", None),
    "modes": ("modes", _str_list, "a list of strings", MODES),
    "checkpoint": ("checkpoint", _str, "a string", None),
    "warm-start": ("warm_start", _str, "a string", None),
    "select": ("select", _selectors, "a list of rule codes or prefixes (GL101, GL1)", None),
    "extend-select": ("extend_select", _selectors, "a list of rule codes or prefixes (GL101, GL1)", None),
    "ignore": ("ignore", _selectors, "a list of rule codes or prefixes (GL101, GL1)", None),
    "ignore-names": ("ignore_names", _name_globs,
                     "a table of rule code or prefix -> list of name globs", None),
    "fail-on": ("fail_on", _str, "a string", SEVERITIES),
    "format": ("format", _str, "a string", FORMATS),
    "baseline": ("baseline", _str, "a string", None),
    "run": ("run", _str_list, "a list of strings", None),
    "table": ("table", _bool, "true or false", None),
    "tf1": ("tf1", _bool, "true or false", None),
}
_PATH_FIELDS = ("checkpoint", "baseline", "warm_start")


def _read_toml(path: str) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}".splitlines()[0]) from None


# The files discovery looks for in each folder, the first found winning (ruff's order).
CONFIG_NAMES = (".graphlint.toml", "graphlint.toml", "pyproject.toml")
PYPROJECT = "pyproject.toml"


def _section(doc: dict, path: str):
    """(the graphlint keys of a parsed file, how messages name where they sit), or (None, ...) when
    the file is in the pyproject form without a graphlint table."""
    if "tool" in doc or os.path.basename(path) == PYPROJECT:
        ours = sorted(k for k in doc if k in _KEYS)
        if ours:  # a graphlint.toml that mixes both forms: which one is meant is a guess
            raise UsageError(f"{path}: has both top-level keys ({', '.join(ours)}) and a [tool] table; "
                             f"use one form")
        tool = doc.get("tool")
        return (tool.get("graphlint") if isinstance(tool, dict) else None), "[tool.graphlint] "
    return doc, ""


def find_config(start_path: str) -> Optional[str]:
    """The nearest config file from start_path's folder upwards (CONFIG_NAMES, in that order).

    A pyproject.toml without the table is passed over, as ruff does, so a monorepo's root config
    applies to sub-projects that have their own pyproject.toml for packaging only.
    """
    folder = os.path.abspath(start_path or ".")
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate) and _section(_read_toml(candidate), candidate)[0] is not None:
                return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _resolve(base: str, value: str) -> str:
    """A relative filesystem path against the config's folder; URLs (gs://...) stay as they are."""
    if "://" in value or os.path.isabs(value):
        return value
    return os.path.normpath(os.path.join(base, value))


def _resolve_model(base: str, value: str) -> str:
    # `package.module` targets are import names, not paths: only paths are resolved.
    if names_a_file(value):
        return _resolve(base, value)
    return value


def _check(key: str, value, where: str):
    """`where` is "FILE: [tool.graphlint] " or "FILE: ", the start of every message."""
    if key not in _KEYS:
        known = ", ".join(sorted(_KEYS))
        raise UsageError(f"{where}unknown key '{key}' (known: {known})")
    attr, ok, wants, allowed = _KEYS[key]
    if not ok(value):
        raise UsageError(f"{where}{key}: expected {wants}, got {value!r}")
    if allowed:
        items = value if isinstance(value, list) else [value]
        if not items:
            raise UsageError(f"{where}{key}: empty (choose from {', '.join(allowed)})")
        for item in items:
            if item not in allowed:
                raise UsageError(f"{where}{key}: {item!r} is not one of {', '.join(allowed)}")
    return attr


def load_config(path: str) -> Config:
    """Read and validate one config file; every problem is a one-line UsageError naming the file."""
    path = display_path(path)  # messages name the file as the user would
    section, table = _section(_read_toml(path), path)
    if section is None:
        return Config(path=os.path.abspath(path))
    if not isinstance(section, dict):
        raise UsageError(f"{path}: [tool.graphlint] must be a table")
    values = {_check(key, value, f"{path}: {table}"): value for key, value in section.items()}
    base = os.path.dirname(os.path.abspath(path))
    values["models"] = [_resolve_model(base, m) for m in values.get("models", [])]
    for attr in _PATH_FIELDS:
        if values.get(attr):
            values[attr] = _resolve(base, values[attr])
    return Config(path=os.path.abspath(path), **values)


def merge(config: Config, cli_values: dict) -> Config:
    """Command-line values that are not None replace the file's (lists are replaced, not extended)."""
    names = {f.name for f in dataclasses.fields(Config)}
    unknown = sorted(set(cli_values) - names)
    if unknown:
        raise TypeError(f"not Config fields: {', '.join(unknown)}")
    return dataclasses.replace(config, **{k: v for k, v in cli_values.items() if v is not None})
