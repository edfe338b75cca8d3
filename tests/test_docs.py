"""Docs show real output: every `<!-- output: graphlint ARGS -->` block must equal a fresh run.

Regenerate after a deliberate change: GRAPHLINT_UPDATE_DOCS=1 python -m pytest tests/test_docs.py
The blocks are written on the TensorFlow CI runs (2.21); other versions name ops differently.
"""

import os
import re
import shlex

import pytest

from conftest import ROOT

DOCS = [os.path.join(ROOT, "docs", "per_class_auc.md")]
BLOCK = re.compile(r"(<!-- output: graphlint (.+?) -->\n```text\n)(.*?)(```)", re.S)


def _tf_version():
    from graphlint.model.tfcompat import tf

    return tf().__version__


@pytest.mark.parametrize("path", DOCS, ids=os.path.basename)
def test_doc_output_blocks_are_current(cli, path, monkeypatch):
    if not _tf_version().startswith("2.21."):
        pytest.skip("doc outputs are recorded with TensorFlow 2.21")
    monkeypatch.chdir(ROOT)
    text = open(path, encoding="utf-8").read()

    def fresh(match):
        code, out, _ = cli(*shlex.split(match.group(2)))
        return f"{match.group(1)}{out}{match.group(4)}"

    updated = BLOCK.sub(fresh, text)
    assert BLOCK.search(text), "no output blocks found"
    if os.environ.get("GRAPHLINT_UPDATE_DOCS"):
        open(path, "w", encoding="utf-8").write(updated)
        return
    assert updated == text, f"{path} is out of date: GRAPHLINT_UPDATE_DOCS=1 python -m pytest tests/test_docs.py"
