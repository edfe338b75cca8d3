"""Every registered rule's documented Example really triggers it, and its Fix really does not, as a
user who pastes them gets them.

Each rule's `## Example` and `## Fix` section holds one ```python block: a complete model file
(see graphlint/rules/example_common.py for the shared boilerplate and the rule attributes read
here). The blocks are taken from what `graphlint rules CODE` prints (the helpers inlined), each is
written to a fresh folder, must import no graphlint module, and is run through the run layer as
`graphlint diff` would run it (tests/corpus.py's write_model and lint_case, like every case). For
the rules that need a checkpoint (GL3xx), the Fix's TRAIN graph is first trained for a step and
saved, as Estimator would (tests/realtf/checkpoints.py), and both files are run as `graphlint
check --checkpoint` against that checkpoint.

"Exactly that rule" means:
 * Example: at least one finding of the rule's code; every finding of another code is info
   (notes such as GL104 mode-only names or GL304 unused keys may come along), unless the rule
   lists that code in `example_also` (a cause rule fires together with its symptom rule).
 * Fix: no finding of the rule's code, and no finding of any code above info severity, so a
   documented fix never leaves the model failing or warning for another reason.

A rule without runnable examples fails here, unless its class says why with `example_needs`.
"""

import ast
import json
import re

import pytest

from corpus import lint_case, write_model
from graphlint import cli
from graphlint.constants import SEVERITY_RANK
from graphlint.rules import all_rules
from realtf.checkpoints import train_checkpoint

RULES = all_rules()
_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


def _printed_sections(rule, capsys):
    """The sections of what `graphlint rules CODE` prints."""
    capsys.readouterr()
    assert cli.main(["rules", rule.code]) == 0
    parts = re.split(r"^## (.+)$", capsys.readouterr().out, flags=re.M)
    return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def _imported_modules(source):
    tree = ast.parse(source)
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    return names + [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]


def _source(rule, sections, section):
    body = sections.get(section, "")
    blocks = _BLOCK.findall(body)
    assert len(blocks) == 1, (
        f"{rule.code}'s `## {section}` has {len(blocks)} ```python blocks; it needs exactly one, a complete "
        f"model file (params, input_fn, model_fn; see graphlint/rules/example_common.py), or the rule class "
        f"sets example_needs = '<why not>'")
    source = blocks[0]
    assert re.search(r"^def model_fn\(", source, re.M), \
        f"{rule.code}'s `## {section}` block defines no model_fn, so it is not a complete model file"
    compile(source, f"{rule.code} {section}", "exec")
    ours = [m for m in _imported_modules(source) if m.split(".")[0] == "graphlint"]
    assert not ours, f"{rule.code}'s printed `## {section}` imports {ours}: a user cannot paste and run it"
    return source


def _shown(findings):
    return "\n".join(f"  {f.code} {f.severity} {','.join(f.modes) or '-'} {f.name}: {f.message}" for f in findings)


def _loud(findings, allowed=()):
    """Findings above info severity whose code is not in `allowed`."""
    return [f for f in findings if SEVERITY_RANK[f.severity] < SEVERITY_RANK["info"] and f.code not in allowed]


def _graphlint(path, args):
    """The findings of `graphlint ARGS... path`, as the command line computes them."""
    return lint_case(path, *args[1:], command=args[0]).findings


def _cli_args(rule, checkpoint):
    """The command line for the rule's examples: `example_options` (graphlint.lint() keywords) as options."""
    args = ["check", "--checkpoint", checkpoint] if checkpoint else ["diff"]
    for key, value in rule.example_options.items():
        assert key == "per_mode_params", f"{rule.code}: no command-line form for example_options[{key!r}] here"
        args += [a for mode, params in value.items() for a in (f"--params-{mode}", json.dumps(params))]
    return args


# A rule that needs a checkpoint has its Fix trained for real to make one: those are `realtf`.
@pytest.mark.parametrize("rule", [pytest.param(r, marks=pytest.mark.realtf) if r.needs_checkpoint else r
                                  for r in RULES], ids=lambda r: r.code)
def test_documented_example_triggers_the_rule_and_fix_does_not(rule, tmp_path, capsys):
    if rule.example_needs:
        pytest.skip(f"{rule.code} has no runnable example: {rule.example_needs}")
    sections = _printed_sections(rule, capsys)
    example = write_model(tmp_path / "example", _source(rule, sections, "Example"))
    fix = write_model(tmp_path / "fix", _source(rule, sections, "Fix"))
    checkpoint = None
    if rule.needs_checkpoint:
        checkpoint = str(tmp_path / "ckpt")
        train_checkpoint(fix, checkpoint)
    args = _cli_args(rule, checkpoint)

    found = _graphlint(example, args)
    assert any(f.code == rule.code for f in found), f"the Example does not trigger {rule.code}:\n{_shown(found)}"
    also = set(rule.example_also)
    others = _loud(found, {rule.code} | also)
    assert not others, (f"the Example of {rule.code} also triggers other rules above info severity (a rule that "
                        f"fires together with them lists them in example_also):\n{_shown(others)}")

    fixed = _graphlint(fix, args)
    assert not [f for f in fixed if f.code == rule.code], f"the Fix still triggers {rule.code}:\n{_shown(fixed)}"
    assert not _loud(fixed), f"the Fix of {rule.code} triggers other rules above info severity:\n{_shown(fixed)}"
