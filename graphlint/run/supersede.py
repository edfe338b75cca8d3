"""One finding per cause, across rules. A rule that names a cause (GL107: training never applies the
EMA) declares the codes that report its symptoms (GL101: a key TRAIN never creates) in `supersedes`.
Such a rule runs before those it supersedes; what its findings explain (Rule.explains: names and
modes) is claimed for every code it supersedes, directly or through another rule (GL107 > GL101 >
GL301), and those rules leave the claimed names out (Rule.unclaimed) before they group and word
their findings. A finding whose every name is claimed in every mode is dropped here too, so a rule
that does not ask still reports nothing twice."""

from __future__ import annotations


def run(ctx, rules) -> list:
    """Every finding of `rules` on `ctx`, superseded ones left out (in rule order, unsorted)."""
    below = _closure({r.code: set(r.supersedes) for r in rules})
    found = []
    for rule in _ordered(rules, below):
        mine = list(rule.check(ctx))
        for finding in mine:
            for name, modes in rule.explains(finding).items():
                for code in below[rule.code]:
                    ctx.claims.setdefault(code, {}).setdefault(name, set()).update(modes)
        found.extend(mine)
    return [f for f in found if not _claimed(ctx, f)]


def _claimed(ctx, finding) -> bool:
    claims = ctx.claims.get(finding.code)
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
