"""Config files as ruff reads its own: [tool.graphlint] in pyproject.toml or top-level keys in
(.)graphlint.toml; discovery and its precedence, kebab-case keys, validation, path resolution, merge."""

import os

import pytest

from graphlint.config import Config, find_config, load_config, merge
from graphlint.errors import UsageError

FULL = """
[project]
name = "x"

[tool.graphlint]
models = ["models/m.py", "pkg.module"]
model-fn = "my_model_fn"
input-fn = "my_input_fn"
params = { units = 8 }
params-train = { dropout = 0.5 }
params-eval = { dropout = 0.0 }
params-predict = {}
modes = ["train", "eval"]
checkpoint = "runs/ckpt"
select = ["GL1", "GL201"]
extend-select = ["GL9"]
ignore = ["GL104"]
ignore-names = { GL104 = ["debug/*"], GL2 = ["summaries/*", "x"] }
fail-on = "warning"
format = "sarif"
baseline = "graphlint-baseline.json"
"""


def _write(folder, text, name="pyproject.toml"):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def test_every_key_loads_into_its_field(tmp_path):
    path = _write(str(tmp_path), FULL)
    c = load_config(path)
    assert c.path == path
    assert c.models == [str(tmp_path / "models" / "m.py"), "pkg.module"]
    assert (c.model_fn, c.input_fn) == ("my_model_fn", "my_input_fn")
    assert c.params == {"units": 8}
    assert c.per_mode_params() == {"train": {"dropout": 0.5}, "eval": {"dropout": 0.0}}
    assert c.modes == ["train", "eval"]
    assert c.checkpoint == str(tmp_path / "runs" / "ckpt")
    assert (c.select, c.extend_select, c.ignore) == (["GL1", "GL201"], ["GL9"], ["GL104"])
    assert c.ignore_names == {"GL104": ["debug/*"], "GL2": ["summaries/*", "x"]}
    assert (c.fail_on, c.format) == ("warning", "sarif")
    assert c.baseline == str(tmp_path / "graphlint-baseline.json")


def test_paths_resolve_against_the_config_folder_not_the_cwd(tmp_path, monkeypatch):
    path = _write(str(tmp_path / "proj"), '[tool.graphlint]\nmodels = ["../m.py"]\ncheckpoint = "gs://b/ckpt"\n')
    monkeypatch.chdir(tmp_path / "proj")
    c = load_config("pyproject.toml")
    assert c.path == path
    assert c.models == [str(tmp_path / "m.py")]
    assert c.checkpoint == "gs://b/ckpt"  # URLs are not paths on this machine


def test_defaults_when_the_table_is_empty_or_missing(tmp_path):
    empty = load_config(_write(str(tmp_path / "a"), "[tool.graphlint]\n"))
    none = load_config(_write(str(tmp_path / "b"), "[project]\nname = 'x'\n"))
    for c in (empty, none):
        assert (c.select, c.ignore, c.modes, c.fail_on, c.format) == (None, [], None, "error", "text")


def test_other_file_names_hold_the_keys_at_top_level(tmp_path):
    c = load_config(_write(str(tmp_path), 'model-fn = "f"\n', name="graphlint.toml"))
    assert c.model_fn == "f"


@pytest.mark.parametrize("name", ["graphlint.toml", ".graphlint.toml", "ci-lint.toml"])
def test_config_takes_either_form_whatever_the_file_is_called(tmp_path, name):
    top = load_config(_write(str(tmp_path / "top"), 'fail-on = "info"\n', name=name))
    table = load_config(_write(str(tmp_path / "table"), '[tool.graphlint]\nfail-on = "info"\n', name=name))
    assert top.fail_on == table.fail_on == "info"
    other_tools = load_config(_write(str(tmp_path / "other"), '[tool.black]\nline-length = 1\n', name=name))
    assert other_tools.fail_on == "error"  # the pyproject form without our table: defaults


def test_the_command_line_config_takes_the_pyproject_form(tmp_path):
    """The issue's report: `--config FILE` with a [tool.graphlint] table failed with "unknown key 'tool'"."""
    from graphlint.cli import parser, request_from_args
    from graphlint.run.application import Application

    model = _write(str(tmp_path), "", name="m.py")
    conf = _write(str(tmp_path / "conf"), '[tool.graphlint]\nfail-on = "warning"\n', name="lint.toml")
    app = Application(request_from_args(parser().parse_args(["diff", model, "--config", conf])))
    assert (app.config.path, app.config.fail_on) == (conf, "warning")


def test_mixing_both_forms_in_one_file_is_a_usage_error(tmp_path):
    path = _write(str(tmp_path), 'fail-on = "info"\n[tool.graphlint]\nfail-on = "warning"\n', name="graphlint.toml")
    with pytest.raises(UsageError, match="use one form") as exc:
        load_config(path)
    assert path in str(exc.value) and "\n" not in str(exc.value)


def test_messages_name_the_table_only_for_the_pyproject_form(tmp_path):
    with pytest.raises(UsageError) as top:
        load_config(_write(str(tmp_path / "a"), "bogus = 1\n", name="graphlint.toml"))
    with pytest.raises(UsageError) as table:
        load_config(_write(str(tmp_path / "b"), "[tool.graphlint]\nbogus = 1\n"))
    assert "'bogus'" in str(top.value) and "[tool.graphlint]" not in str(top.value)
    assert "'bogus'" in str(table.value) and "[tool.graphlint]" in str(table.value)


def test_in_one_folder_dot_graphlint_wins_over_graphlint_over_pyproject(tmp_path):
    model = _write(str(tmp_path), "", name="m.py")
    pyproject = _write(str(tmp_path), "[tool.graphlint]\n")
    assert find_config(model) == pyproject
    plain = _write(str(tmp_path), "", name="graphlint.toml")  # an empty dedicated file still counts
    assert find_config(model) == plain
    dot = _write(str(tmp_path), "", name=".graphlint.toml")
    assert find_config(model) == dot


def test_the_nearest_folder_wins_whatever_its_file(tmp_path):
    _write(str(tmp_path), "", name=".graphlint.toml")
    nearer = _write(str(tmp_path / "sub"), "[tool.graphlint]\n")
    model = _write(str(tmp_path / "sub" / "models"), "", name="m.py")
    assert find_config(model) == nearer


def test_unknown_key_names_the_key_and_the_file_on_one_line(tmp_path):
    path = _write(str(tmp_path), "[tool.graphlint]\nmodel_fn = 'f'\n")
    with pytest.raises(UsageError) as exc:
        load_config(path)
    msg = str(exc.value)
    assert "'model_fn'" in msg and path in msg and "\n" not in msg


@pytest.mark.parametrize("line, words", [
    ("model-fn = 1", ["model-fn", "a string"]),
    ("params = 'a'", ["params", "a table"]),
    ("params-eval = [1]", ["params-eval", "a table"]),
    ("models = 'm.py'", ["models", "a list of strings"]),
    ("modes = ['train', 'serve']", ["modes", "'serve'"]),
    ("modes = []", ["modes", "empty"]),
    ("select = ['E501']", ["select", "rule codes"]),
    ("ignore = 'GL1'", ["ignore", "rule codes"]),
    ("extend-select = ['GL1000']", ["extend-select"]),
    ("ignore-names = { GL101 = 'x' }", ["ignore-names"]),
    ("ignore-names = { E1 = ['x'] }", ["ignore-names"]),
    ("fail-on = 'fatal'", ["fail-on", "'fatal'"]),
    ("format = 'xml'", ["format", "'xml'"]),
])
def test_wrong_types_and_values_are_usage_errors(tmp_path, line, words):
    path = _write(str(tmp_path), f"[tool.graphlint]\n{line}\n")
    with pytest.raises(UsageError) as exc:
        load_config(path)
    msg = str(exc.value)
    assert path in msg and "\n" not in msg
    for word in words:
        assert word in msg


def test_graphlint_not_a_table_and_invalid_toml_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="must be a table"):
        load_config(_write(str(tmp_path / "a"), "[tool]\ngraphlint = 1\n"))
    with pytest.raises(UsageError, match="invalid TOML") as exc:
        load_config(_write(str(tmp_path / "b"), "[tool.graphlint\n"))
    assert "\n" not in str(exc.value)
    with pytest.raises(UsageError, match="cannot read"):
        load_config(str(tmp_path / "missing.toml"))


def test_find_config_walks_up_past_pyprojects_without_the_table(tmp_path):
    root = _write(str(tmp_path), "[tool.graphlint]\nfail-on = 'info'\n")
    _write(str(tmp_path / "sub"), "[project]\nname = 'packaging-only'\n")
    model = _write(str(tmp_path / "sub" / "models"), "", name="m.py")
    assert find_config(model) == root
    assert find_config(os.path.dirname(model)) == root
    nearer = _write(str(tmp_path / "sub" / "models"), "[tool.graphlint]\n")
    assert find_config(model) == nearer


def test_find_config_returns_none_without_any(tmp_path):
    model = _write(str(tmp_path / "deep" / "er"), "", name="m.py")
    assert find_config(model) is None


def test_find_config_reports_a_broken_pyproject_on_the_way(tmp_path):
    model = _write(str(tmp_path / "sub"), "", name="m.py")
    _write(str(tmp_path / "sub"), "[tool.graphlint\n")
    with pytest.raises(UsageError, match="invalid TOML"):
        find_config(model)


def test_merge_cli_values_override_unless_none():
    base = Config(model_fn="f", select=["GL1"], ignore=["GL104"], fail_on="warning")
    merged = merge(base, {"model_fn": None, "select": ["GL2"], "ignore": None, "fail_on": "info"})
    assert merged.model_fn == "f"
    assert merged.select == ["GL2"]  # replaced, not extended
    assert merged.ignore == ["GL104"]
    assert merged.fail_on == "info"
    assert base.select == ["GL1"]  # the file's config is not changed
    with pytest.raises(TypeError, match="bogus"):
        merge(base, {"bogus": 1})


def test_the_readme_configuration_example_is_valid_in_both_forms(tmp_path):
    from conftest import ROOT

    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        section = fh.read().split("## Configuration\n", 1)[1].split("\n## ", 1)[0]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    table = load_config(_write(str(tmp_path / "a"), example))
    top = load_config(_write(str(tmp_path / "b"), example.split("\n", 1)[1], name="graphlint.toml"))
    assert table.checkpoint == top.checkpoint == "gs://bucket/run-7"
    assert table.ignore_names == top.ignore_names == {"GL304": ["legacy/*"]}
