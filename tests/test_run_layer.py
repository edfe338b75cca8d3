"""Every front door gives the same findings: graphlint.lint() and `graphlint diff` go through one run
layer (graphlint.run.application), with the config file, name ignores, suppressions and baseline.

Without a config file, every case of tests/cases/ is checked by both doors in tests/test_cases.py
(the API serially, the command line with --jobs 3, byte for byte); here the founding fixtures are
checked by both with a config file (its name ignore drops one of attempt2's findings)."""

import json
import os

import pytest

import graphlint
from conftest import FIXTURES
from corpus import api_options, literal

MODELS = [os.path.join(FIXTURES, f"{name}.py") for name in ("attempt1", "attempt2", "fixed")]


def _config(tmp_path, baseline=None) -> str:
    path = tmp_path / "graphlint.toml"
    text = ('extend-select = ["GL1", "GL2"]\n'
            'ignore-names = { GL104 = ["gradients*", "*/Adam*", "class_0_1/*"], GL401 = ["class_1/*"] }\n')
    if baseline:
        text += f'baseline = "{baseline}"\n'
    path.write_text(text)
    return str(path)


def _cli_findings(cli, path, config, *extra):
    code, out, err = cli("diff", path, "--config", config, "--format", "json", "--jobs", "1",
                         *literal(path, "ARGS", []), *extra)
    assert code in (0, 1), err
    return json.loads(out)["findings"]


def _api_findings(path, config):
    from graphlint.report.json import finding_dict

    return [finding_dict(f) for f in graphlint.lint(path, **api_options(path, "--config", config)).findings]


@pytest.mark.parametrize("path", MODELS, ids=os.path.basename)
def test_api_and_cli_agree(cli, path, tmp_path):
    config = _config(tmp_path)
    assert _api_findings(path, config) == _cli_findings(cli, path, config)


def test_api_and_cli_agree_with_a_baseline(cli, tmp_path):
    path = os.path.join(FIXTURES, "attempt1.py")
    baseline = str(tmp_path / "baseline.json")
    config = _config(tmp_path, baseline=baseline)
    code, _, err = cli("diff", path, "--config", config, "--jobs", "1", "--write-baseline", baseline)
    assert code == 0, err
    assert _cli_findings(cli, path, config) == [] == _api_findings(path, config)
    # the baseline is what hides them: without it both report the same non-empty list
    plain = _config_without_baseline(tmp_path)
    found = _api_findings(path, plain)
    assert found and found == _cli_findings(cli, path, plain)


def _config_without_baseline(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    return _config(folder)


def test_selection_filters_and_never_changes_a_finding(tmp_path):
    """The run layer returns a new report whose findings are a subset of the rules' own."""
    from graphlint.run import engine

    path = os.path.join(FIXTURES, "attempt2.py")
    raw = engine.analyze_file(path)
    kept = graphlint.lint(path, config=_config(tmp_path), ignore=["GL401"])
    assert kept.findings and set(kept.findings) < set(raw.findings)
    assert not [f for f in kept.findings if f.code == "GL401"] and [f for f in raw.findings if f.code == "GL401"]
