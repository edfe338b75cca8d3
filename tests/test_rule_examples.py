"""Every registered rule's documented Example really triggers it, and its Fix really does not.

Each rule's `## Example` and `## Fix` section holds one ```python block: a complete model file
(see graphlint/rules/example_common.py for the shared boilerplate and the rule attributes read
here). Both are written to a temporary folder and linted with graphlint.lint(). For the rules
that need a checkpoint (GL3xx), the Fix's TRAIN graph is first trained for a step and saved,
as Estimator would, and both files are checked against that checkpoint.

"Exactly that rule" means:
 * Example: at least one finding of the rule's code; every finding of another code is info
   (notes such as GL104 mode-only names or GL304 unused keys may come along), unless the rule
   lists that code in `example_also` (a cause rule fires together with its symptom rule).
 * Fix: no finding of the rule's code, and no finding of any code above info severity, so a
   documented fix never leaves the model failing or warning for another reason.

A rule without runnable examples fails here, unless its class says why with `example_needs`.
"""

import os
import re

import pytest

import graphlint
from graphlint.constants import SEVERITY_RANK
from graphlint.rules import all_rules
from graphlint.model.tfcompat import estimator_api, tf

RULES = all_rules()
_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


def _source(rule, section):
    body = rule.sections().get(section, "")
    blocks = _BLOCK.findall(body)
    assert len(blocks) == 1, (
        f"{rule.code}'s `## {section}` has {len(blocks)} ```python blocks; it needs exactly one, a complete "
        f"model file (params, input_fn, model_fn; see graphlint/rules/example_common.py), or the rule class "
        f"sets example_needs = '<why not>'")
    source = blocks[0]
    assert re.search(r"^def model_fn\(", source, re.M), \
        f"{rule.code}'s `## {section}` block defines no model_fn, so it is not a complete model file"
    compile(source, f"{rule.code} {section}", "exec")
    return source


def _write(folder, name, source):
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(source)
    return path


def _train_checkpoint(model_path, workdir):
    """Build the model's TRAIN graph as Estimator does, run one training step and save a checkpoint
    with the scaffold's Saver (Estimator's default, Saver(), when it has none)."""
    from tests.realtf import _build, _import_model

    t = tf()
    with estimator_api(), t.Graph().as_default():
        spec, input_hooks = _build(_import_model(model_path), t.estimator.ModeKeys.TRAIN, workdir)
        saver = spec.scaffold.saver or t.compat.v1.train.Saver()
        with t.compat.v1.Session() as session:
            session.run([t.compat.v1.global_variables_initializer(), t.compat.v1.local_variables_initializer()])
            for hook in input_hooks:  # the dataset iterator's initializer
                hook.begin()
                hook.after_create_session(session, None)
            session.run(spec.train_op)
            saver.save(session, os.path.join(workdir, "model.ckpt"), global_step=t.compat.v1.train.get_global_step(),
                       write_meta_graph=False)
    return workdir


def _shown(findings):
    return "\n".join(f"  {f.code} {f.severity} {','.join(f.modes) or '-'} {f.name}: {f.message}" for f in findings)


def _loud(findings, allowed=()):
    """Findings above info severity whose code is not in `allowed`."""
    return [f for f in findings if SEVERITY_RANK[f.severity] < SEVERITY_RANK["info"] and f.code not in allowed]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_documented_example_triggers_the_rule_and_fix_does_not(rule, tmp_path):
    if getattr(rule, "example_needs", None):
        pytest.skip(f"{rule.code} has no runnable example: {rule.example_needs}")
    code = rule.code.lower()
    example = _write(tmp_path, f"{code}_example.py", _source(rule, "Example"))
    fix = _write(tmp_path, f"{code}_fix.py", _source(rule, "Fix"))
    options = dict(getattr(rule, "example_options", None) or {})
    if rule.needs_checkpoint:
        options["checkpoint"] = _train_checkpoint(fix, str(tmp_path / "ckpt"))

    found = graphlint.lint(example, **options).findings
    assert any(f.code == rule.code for f in found), f"the Example does not trigger {rule.code}:\n{_shown(found)}"
    also = set(getattr(rule, "example_also", ()))
    others = _loud(found, {rule.code} | also)
    assert not others, (f"the Example of {rule.code} also triggers other rules above info severity (a rule that "
                        f"fires together with them lists them in example_also):\n{_shown(others)}")

    fixed = graphlint.lint(fix, **options).findings
    assert not [f for f in fixed if f.code == rule.code], f"the Fix still triggers {rule.code}:\n{_shown(fixed)}"
    assert not _loud(fixed), f"the Fix of {rule.code} triggers other rules above info severity:\n{_shown(fixed)}"
