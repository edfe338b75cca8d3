"""Each file in tests/cases/ is a model plus the findings it must produce (EXPECT) and its CLI args."""

import os

import pytest

from corpus import CASE_FILES, lint_case, literal, skip_unless_runnable


@pytest.mark.parametrize("path", CASE_FILES, ids=os.path.basename)
def test_case_produces_exactly_its_expected_findings(path):
    skip_unless_runnable(path)
    report = lint_case(path)
    got = sorted((f.code, ",".join(f.modes), f.name) for f in report.findings)
    assert got == sorted(literal(path, "EXPECT", None))
    for f in report.findings:
        assert f.location is None or os.path.exists(f.location.file), f
        assert f.message and f.fix
