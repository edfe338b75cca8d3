"""The rule registry is well-formed and docs/rules.md is generated from it.

Regenerate after changing a rule: GRAPHLINT_UPDATE_DOCS=1 python -m pytest tests/test_rules_docs.py
"""

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from graphlint.errors import UsageError
from graphlint.constants import SEVERITIES
from graphlint.rules import all_rules, docs

RULES_MD = os.path.join(ROOT, "docs", "rules.md")
RULES = all_rules()


def test_docs_rules_md_is_current():
    fresh = docs.render_markdown()
    if os.environ.get("GRAPHLINT_UPDATE_DOCS"):
        with open(RULES_MD, "w", encoding="utf-8") as fh:
            fh.write(fresh)
        return
    with open(RULES_MD, encoding="utf-8") as fh:
        assert fh.read() == fresh, f"{RULES_MD} is out of date: {docs.REGENERATE}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_is_well_formed(rule):
    assert re.fullmatch(r"GL\d{3}", rule.code)
    assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", rule.symbol), "symbols are kebab-case"
    assert rule.severity in SEVERITIES
    assert rule.summary and "\n" not in rule.summary
    first = rule.doc().splitlines()[0]
    assert first and not first.startswith("#"), "the docstring opens with a one-line title"
    sections = rule.sections()
    assert tuple(sections) == docs.SECTIONS
    assert all(sections.values()), "no empty section"


def test_codes_and_symbols_are_unique_and_meta_rules_are_registered():
    assert len({r.symbol for r in RULES}) == len(RULES)
    assert [r.code for r in RULES] == sorted({r.code for r in RULES})
    assert "GL001" in {r.code for r in RULES}


def test_markdown_has_a_table_row_and_a_section_per_rule():
    md = docs.render_markdown()
    for rule in RULES:
        assert f"| [{rule.code}](#{rule.code.lower()}-{rule.symbol}) | `{rule.symbol}` | {rule.severity} |" in md
        assert md.count(f"\n## {rule.code} {rule.symbol}\n") == 1
    assert md.count("\n### What it does\n") == len(RULES)


def test_render_rule_by_code_or_symbol():
    text = docs.render_rule("gl202")
    assert text.startswith("GL202 reentered-variable-scope (error)\n")
    assert all(f"## {name}\n" in text for name in docs.SECTIONS)
    assert docs.render_rule("reentered-variable-scope") == text
    with pytest.raises(UsageError, match="GL999"):
        docs.render_rule("GL999")


def test_printed_examples_inline_the_helpers_they_use_and_no_other():
    printed = docs.render_rule("GL305")  # its blocks import old_checkpoint, which uses _old_checkpoint
    assert "example_common" not in printed and "import graphlint" not in printed
    assert "def old_checkpoint(" in printed and "_old_checkpoint = []" in printed
    assert "def train_op(" in printed  # spec calls it, though the block does not import it
    assert printed.count("import numpy as np\n") == 2  # input_fn needs it: once per block
    block = "```python\nimport tensorflow as tf\n\nfrom graphlint.rules.example_common import linear\n\n\nx = 1\n```"
    inlined = docs.pasteable(block)
    assert "def linear(" in inlined and "def spec(" not in inlined and "numpy" not in inlined
    assert inlined.count("import tensorflow as tf") == 1
    with pytest.raises(ValueError, match="nonesuch"):
        docs.pasteable(block.replace("import linear", "import linear, nonesuch"))


def test_generated_docs_hold_no_graphlint_import():
    assert "from graphlint" not in docs.render_markdown()


def test_render_table_lists_every_rule():
    lines = docs.render_table().splitlines()
    assert lines[0].split() == ["code", "symbol", "severity", "summary"]
    assert [line.split()[0] for line in lines[2:]] == [r.code for r in RULES]


def test_rules_config_selection_and_reports_do_not_import_tensorflow():
    code = ("import sys\n"
            "from graphlint import config\n"
            "from graphlint.run import selection\n"
            "from graphlint.report import sarif, github\n"
            "from graphlint.rules import docs\n"
            "docs.render_markdown(); docs.render_table(); docs.render_rule('GL101')\n"
            "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'\n")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_readme_rules_table_is_current():
    readme = os.path.join(ROOT, "README.md")
    with open(readme, encoding="utf-8") as fh:
        text = fh.read()
    fresh = docs.update_readme(text)
    if os.environ.get("GRAPHLINT_UPDATE_DOCS"):
        with open(readme, "w", encoding="utf-8") as fh:
            fh.write(fresh)
        return
    assert fresh == text, f"the rules table in {readme} is out of date: {docs.REGENERATE}"
    for rule in RULES:
        assert f"| {rule.code} | {rule.symbol} | {rule.severity} | {rule.summary} |" in text, rule.code


def test_update_readme_replaces_the_whole_table_and_needs_its_markers():
    with pytest.raises(ValueError, match="no rules table"):
        docs.update_readme("# graphlint\n\n## Rules\n\n| code |\n")
    stale = f"{docs.README_BEGIN}\n| GL999 | gone | info | x |\n{docs.README_END}\n"
    assert "GL999" not in docs.update_readme(stale)
