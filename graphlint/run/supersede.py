"""One finding per cause, across rules. A rule that names a cause (GL107: training never applies the
EMA) declares the codes that report its symptoms (GL101: a key TRAIN never creates) in `supersedes`.
Such a rule runs before those it supersedes; what its findings explain (Rule.explains: names and
modes) is claimed for every code it supersedes, directly or through another rule (GL107 > GL101 >
GL301), and those rules leave the claimed names out (Rule.unclaimed) before they group and word
their findings. A finding whose every name is claimed in every mode is dropped here too, so a rule
that does not ask still reports nothing twice.

Supersession depends on selection: a cause that is not selected explains nothing, so `--ignore
GL107` must show the GL101 that GL107 stood for, as if GL107 did not exist. The report is made
before selection (the cache stores it for every selection), so each rule with rules above it is
run once per set of those rules that could be selected, and the findings of every set that differ
from the default (everything selected) are kept beside the report (`Alternatives`); the run layer
picks the set its selection gives (run/selection.py). A marker on the default findings could not say
this: the rule groups and words its findings after leaving the claimed names out, so what GL101
reports without GL107 may be another grouping (a finding with three names instead of two), not a
copy of one it reports now. A run costs little more: a rule runs once per distinct claim it is
given, and a model with no cause findings gives every set the same, empty, claim.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Alternatives:
    """What each superseded rule reports when only some of the rules above it are selected.
    above: {code: the codes that supersede it, directly or through others, among the rules run};
    variants: {code: {frozenset(the codes of `above[code]` selected): tuple of its findings}}, only
    for the sets whose findings differ from the default (all of `above[code]` selected)."""

    above: dict = field(default_factory=dict)
    variants: dict = field(default_factory=dict)

    def resolve(self, findings, selected) -> list:
        """`findings` (the default) with each rule's findings replaced by those it reports when only
        the rules above it for which `selected(code)` is true are selected."""
        replaced = {}
        for code, sets in self.variants.items():
            chosen = frozenset(c for c in self.above[code] if selected(c))
            if chosen in sets:
                replaced[code] = sets[chosen]
        if not replaced:
            return list(findings)
        kept = [f for f in findings if f.code not in replaced]
        return kept + [f for code in sorted(replaced) for f in replaced[code]]


@dataclass(frozen=True)
class Result:
    findings: list  # every rule selected: in rule order, unsorted
    alternatives: Alternatives


def run(ctx, rules) -> list:
    """Every finding of `rules` on `ctx`, superseded ones left out (in rule order, unsorted)."""
    return run_all(ctx, rules).findings


def run_all(ctx, rules) -> Result:
    """The findings with every rule selected, and what the superseded rules report under every
    other selection of the rules above them. ctx.claims is left as the default run set it."""
    below = _closure({r.code: set(r.supersedes) for r in rules})
    runner = _Runner(ctx, {r.code: r for r in rules}, below)
    order = _ordered(rules, below)
    for rule in order:
        runner.run(rule)
    full = {r.code: runner.found[r.code][runner.above[r.code]] for r in order}
    ctx.claims = {r.code: claims for r in order if (claims := runner.claims(r.code, runner.above[r.code]))}
    variants = {}
    for code, sets in runner.found.items():
        differ = {chosen: fs for chosen, fs in sets.items() if fs != full[code]}
        if differ:
            variants[code] = differ
    return Result([f for r in order for f in full[r.code]],
                  Alternatives({c: runner.above[c] for c in variants}, variants))


class _Runner:
    """Each rule's findings under every selection of the rules above it (run() in _ordered order,
    so the rules above one have run when it does)."""

    def __init__(self, ctx, rules: dict, below: dict):
        self.ctx, self.rules = ctx, rules
        self.above = {code: frozenset(c for c in rules if code in below[c]) for code in rules}
        self.found = {}  # code -> {frozenset(selected codes above it): tuple of its findings}

    def run(self, rule) -> None:
        """The rule run once per distinct claim its selections give (usually one: no cause found)."""
        by_claim, out = {}, {}
        for chosen in _subsets(self.above[rule.code]):
            claims = self.claims(rule.code, chosen)
            key = frozenset((name, frozenset(modes)) for name, modes in claims.items())
            if key not in by_claim:
                self.ctx.claims = {rule.code: claims} if claims else {}
                by_claim[key] = tuple(f for f in rule.check(self.ctx) if not _claimed(claims, f))
            out[chosen] = by_claim[key]
        self.found[rule.code] = out

    def claims(self, code: str, chosen: frozenset) -> dict:
        """{name: modes} that the findings of the `chosen` rules above `code` explain, each of those
        reporting as it does when only the chosen rules above it are selected."""
        claims = {}
        for above in sorted(chosen):
            explainer = self.rules[above]
            for finding in self.found[above][chosen & self.above[above]]:
                for name, modes in explainer.explains(finding).items():
                    claims.setdefault(name, set()).update(modes)
        return claims


def _subsets(codes: frozenset):
    """Every subset of `codes`, the whole set first."""
    items = sorted(codes)
    for size in range(len(items), -1, -1):
        for combo in itertools.combinations(items, size):
            yield frozenset(combo)


def _claimed(claims: dict, finding) -> bool:
    return bool(claims) and all(set(finding.modes) <= claims.get(n, set()) for n in finding.all_names)


def _closure(direct) -> dict:
    """{code: every code it supersedes, directly or through others}."""
    out = {}

    def reach(code, path):
        if code in path:
            raise RuntimeError(f"rules supersede each other in a cycle: {' > '.join(path + (code,))}")
        if code not in out:
            out[code] = set()
            for sub in direct.get(code, ()):
                out[code] |= {sub} | reach(sub, path + (code,))
        return out[code]
    for code in direct:
        reach(code, ())
    return out


def _ordered(rules, below) -> list:
    """The rules, each after every rule that supersedes it, else in their own order."""
    above = {r.code: {c for c, subs in below.items() if r.code in subs} for r in rules}
    done, out = set(), []
    pending = list(rules)
    while pending:
        ready = [r for r in pending if above[r.code] <= done]  # never empty: _closure refuses a cycle
        for r in ready:
            done.add(r.code)
            out.append(r)
        pending = [r for r in pending if r.code not in done]
    return out
