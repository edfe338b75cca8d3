"""The rule registry. Each rule is a class with a code, a kebab-case symbol naming the bad pattern,
a default severity, a one-line summary, and a docstring in ruff's template:
What it does / Why is this bad / Example / Fix. Codes are never reused.

A rule is one module named for its symbol (GL202 reentered-variable-scope is
reentered_variable_scope.py); all_rules() finds it, and tests/test_rule_examples.py runs the
Example and Fix of its docstring. What several rules share lives in private modules (_shapes.py,
_training.py, ...). The codes by area:

 * GL0xx graphlint's own configuration and comments (GL001: its input is the suppression
   comments the run layer matched against the other findings, run/suppressions.py);
 * GL1xx the TRAIN, EVAL and PREDICT graphs disagree in ways that break restore; GL105 and GL107
   name the cause of a divergence that GL101 or GL102 reports as its symptom, and supersede them
   (one finding per cause: `supersedes`, run/supersede.py); GL106 names the params behind GL102;
 * GL2xx what hooks fetch does not exist in the graph they run in;
 * GL3xx a mode's graph against a real checkpoint (`check` only);
 * GL4xx state: saved variables whose role does not match how they are kept;
 * GL5xx the serving export (serving_input_receiver_fn) against a SavedModel in production
   (`check --saved-model`; graphlint/serving/ builds it and feeds these rules, see rules/_serving.py);
 * GL6xx `graphlint migrate`: a TF1 checkpoint mapped onto a rewrite of its model (Keras 3 or PyTorch)
   leaves a new weight without a source, an old variable unused, or a shape, dtype or choice that
   does not fit (graphlint/migrate/coverage.py states the facts, each rule decides its findings; see
   rules/_migrate.py);
 * GL9xx a mode's graph could not be built.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import re
from types import MappingProxyType

from graphlint.findings import Finding

RULES: dict = {}


class Rule:
    code = ""
    symbol = ""
    severity = "error"
    summary = ""
    needs_checkpoint = False  # run only by `check`
    on_graphs = True  # False: its findings come from the run layer, not from check(ctx)
    # Codes whose findings are symptoms of the cause this rule names: for the names (and modes) a
    # finding of this rule explains, those rules report nothing (run/supersede.py runs this rule
    # first, and each of them asks unclaimed()). One cause is one finding, with the fix for the cause.
    supersedes = ()
    # The documented Example and Fix, which tests/test_rule_examples.py runs (rules/example_common.py):
    example_also = ()  # codes the Example may also produce above info (a cause fires with its symptom)
    example_options = MappingProxyType({})  # graphlint.lint() keywords a model file cannot express
    example_needs = ""  # why the rule has no runnable Example and Fix yet: the test skips it, saying so

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.code:
            if cls.code in RULES:
                raise RuntimeError(f"rule code {cls.code} is used twice")
            RULES[cls.code] = cls()

    def check(self, ctx):
        raise NotImplementedError

    def finding(self, modes, name, message, fix="", location=None, related=(), severity=None, names=(),
                covers=()) -> Finding:
        names = tuple(names) if len(names) > 1 else ()  # a group of one is a plain finding
        return Finding(self.code, self.symbol, severity or self.severity, tuple(modes), names[0] if names else name,
                       message, fix, location, tuple(related), names, tuple(covers))

    def explains(self, finding) -> dict:
        """{name: modes} a finding of this rule accounts for, which the rules it supersedes leave out."""
        return {n: frozenset(finding.modes) for n in finding.all_names + finding.covers}

    def unclaimed(self, ctx, name, modes) -> tuple:
        """The modes of `modes` in which no finding of a superseding rule explains `name`."""
        claimed = ctx.claims.get(self.code, {}).get(name, frozenset())
        return tuple(m for m in modes if m not in claimed)

    @classmethod
    def doc(cls) -> str:
        import textwrap  # here: `graphlint rules` (the table) never needs it

        return textwrap.dedent(inspect.getdoc(cls) or "").strip()

    @classmethod
    def sections(cls) -> dict:
        """The docstring split at its '## Heading' lines."""
        parts = re.split(r"^## (.+)$", cls.doc(), flags=re.M)
        return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


# Modules of this package that hold no rule; private modules (`_shapes`) are skipped by their name.
NOT_RULES = frozenset({"docs", "example_common"})


def all_rules():
    """Every rule, by code. Importing a rule module registers its rules, so the modules are found
    here rather than listed: adding a rule is adding its file."""
    _import_rule_modules()
    return [RULES[c] for c in sorted(RULES)]


@functools.cache
def _import_rule_modules() -> None:
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_") and module.name not in NOT_RULES:
            importlib.import_module(f"{__name__}.{module.name}")
