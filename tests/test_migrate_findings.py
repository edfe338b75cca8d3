"""`graphlint migrate`'s findings go through what every command's do: --select/--ignore, the config
file ([tool.graphlint]), --fail-on, a baseline, and every --format. A finding left out counts for
nothing: the converted weights are written."""

import json

import pytest

from migrate.harness import Checkpoints, migrate, need_torch, port

pytestmark = pytest.mark.realtf


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    return Checkpoints(tmp_path_factory.mktemp("old"))


def _missing_layer(checkpoints, *extra):
    """The port that leaves out dense_1: one GL602 error (raw weights on purpose: no GL606)."""
    return [checkpoints["mlp"], "--to", port("mlp_missing_layer_torch"), "--no-use-ema", *extra]


def test_ignored_finding_is_not_reported_and_does_not_stop_the_write(checkpoints, cli, tmp_path):
    need_torch()
    code, report = migrate(cli, *_missing_layer(checkpoints, "--write", tmp_path / "a.pt"))
    assert (code, [(f["code"], f["name"]) for f in report["findings"]]) == (1, [("GL602", "dense_1")])
    assert report["written"].startswith("not written")
    code, report = migrate(cli, *_missing_layer(checkpoints, "--ignore", "GL602", "--write", tmp_path / "b.pt"))
    assert (code, report["findings"]) == (0, [])
    assert report["written"].startswith("wrote") and (tmp_path / "b.pt").exists()


def test_select_and_fail_on(checkpoints, cli):
    need_torch()
    old = checkpoints["mlp"]
    code, report = migrate(cli, old, "--to", port("mlp_torch"), "--select", "GL606")
    assert (code, [f["code"] for f in report["findings"]]) == (0, ["GL606"])  # a warning
    code, _ = migrate(cli, old, "--to", port("mlp_torch"), "--select", "GL606", "--fail-on", "warning")
    assert code == 1
    code, report = migrate(cli, *_missing_layer(checkpoints, "--select", "GL601"))
    assert (code, report["findings"]) == (0, [])


def test_config_file_selects_as_for_any_command(checkpoints, cli, tmp_path):
    need_torch()
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.graphlint]\nignore = ["GL602"]\nformat = "json"\n')
    code, out, err = cli("migrate", *_missing_layer(checkpoints, "--config", config))
    assert (code, json.loads(out)["findings"]) == (0, []), err
    # the command line's list replaces the file's, as for every command
    code, out, _ = cli("migrate", *_missing_layer(checkpoints, "--config", config, "--ignore", "GL601"))
    assert code == 1 and [f["code"] for f in json.loads(out)["findings"]] == ["GL602"]


def test_baseline_keeps_only_new_findings(checkpoints, cli, tmp_path):
    need_torch()
    baseline = tmp_path / "baseline.json"
    code, out, err = cli("migrate", *_missing_layer(checkpoints, "--write-baseline", baseline))
    assert (code, out) == (0, "") and "1 finding" in err
    entries = json.loads(baseline.read_text())["findings"]
    # one entry per name the finding stands for: the layer and its keys
    assert {(e["code"], e["name"]) for e in entries} == {("GL602", n) for n in ("dense_1", "dense_1/kernel",
                                                                                  "dense_1/bias")}
    code, report = migrate(cli, *_missing_layer(checkpoints, "--baseline", baseline))
    assert (code, report["findings"]) == (0, [])
    # a finding the baseline does not hold is still reported
    code, report = migrate(cli, checkpoints["mlp"], "--to", port("mlp_swapped_torch"), "--no-use-ema",
                           "--baseline", baseline)
    assert code == 1 and report["findings"]


def test_sarif_and_github_formats(checkpoints, cli):
    need_torch()
    code, out, _ = cli("migrate", *_missing_layer(checkpoints, "--format", "sarif"))
    assert code == 1
    (run,) = json.loads(out)["runs"]
    assert [(r["ruleId"], r["properties"]["name"]) for r in run["results"]] == [("GL602", "dense_1")]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "mlp_missing_layer_torch.py")
    code, out, _ = cli("migrate", *_missing_layer(checkpoints, "--format", "github"))
    assert code == 1 and out.startswith("::error ") and "title=GL602 old-weight-unused" in out


def test_batch_without_old_model_is_a_usage_error(checkpoints, cli, tmp_path):
    need_torch()
    code, out, err = cli("migrate", checkpoints["mlp"], "--to", port("mlp_torch"), "--batch", tmp_path / "b.npz")
    assert (code, out) == (2, "") and "--old-model" in err


def test_bad_input_in_a_machine_format_is_that_format_too(cli, tmp_path):
    code, out, err = cli("migrate", tmp_path / "nothing", "--to", tmp_path / "new.py", "--format", "sarif")
    assert code == 2 and len(err.strip().splitlines()) == 1
    (run,) = json.loads(out)["runs"]
    assert run["invocations"][0]["executionSuccessful"] is False
