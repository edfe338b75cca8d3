"""Each file in tests/cases/ is a model plus the findings it must produce (EXPECT) and its CLI args."""

import ast
import glob
import os

import pytest

from conftest import CASES
from graphlint.run import engine
from graphlint.cli import _config, parser

CASE_FILES = sorted(p for p in glob.glob(os.path.join(CASES, "*.py")) if not p.endswith("case_common.py"))


def _literal(path, name, default):
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    return default


def _has_v1_layers() -> bool:
    from graphlint.model.tfcompat import tf

    try:
        tf().compat.v1.layers.dense
    except AttributeError:
        return False
    return True


@pytest.mark.parametrize("path", CASE_FILES, ids=os.path.basename)
def test_case_produces_exactly_its_expected_findings(path):
    if _literal(path, "REQUIRES", None) == "keras" and not _has_v1_layers():
        pytest.skip("tf.compat.v1.layers needs tf-keras on TensorFlow 2.16+ (pip install 'graphlint[keras]')")
    args = parser().parse_args(["diff", path] + _literal(path, "ARGS", []))
    conf, (model,) = _config(args)
    report = engine.diff(model, params=conf.params, per_mode_params=conf.per_mode_params(),
                         modes=tuple(conf.modes) if conf.modes else None)
    got = sorted((f.code, ",".join(f.modes), f.name) for f in report.findings)
    assert got == sorted(_literal(path, "EXPECT", None))
    for f in report.findings:
        assert f.location is None or os.path.exists(f.location.file), f
        assert f.message and f.fix
