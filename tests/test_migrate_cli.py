"""`graphlint migrate` on the command line: the mapping file (deterministic, read back, checked rather
than trusted), bad input as one line and exit status 2, and OLD and NEW never written."""

import json
import os

import pytest

from migrate.harness import Checkpoints, migrate, need_torch, port

pytestmark = pytest.mark.realtf


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    return Checkpoints(tmp_path_factory.mktemp("old"))


def _files(prefix):
    folder = os.path.dirname(prefix)
    return {n: open(os.path.join(folder, n), "rb").read() for n in sorted(os.listdir(folder))}


def test_mapping_file_is_deterministic_and_read_back_gives_the_same_conversion(checkpoints, cli, tmp_path):
    need_torch()
    old = checkpoints["lstm"]
    before = _files(old)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    migrate(cli, old, "--to", port("lstm_torch"), "--write-mapping", first, "--write", tmp_path / "auto.pt")
    migrate(cli, old, "--to", port("lstm_torch"), "--write-mapping", second)
    assert first.read_bytes() == second.read_bytes()
    doc = json.loads(first.read_text())
    assert [w["new"] for w in doc["weights"]] == ["lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0",
                                                  "lstm.bias_hh_l0", "head.weight", "head.bias"]
    code, report = migrate(cli, old, "--to", port("lstm_torch"), "--mapping", first, "--write", tmp_path / "read.pt")
    assert (code, report["findings"]) == (0, [])
    import torch

    auto, read = (torch.load(tmp_path / n, weights_only=True) for n in ("auto.pt", "read.pt"))
    assert list(auto) == list(read) and all(torch.equal(auto[k], read[k]) for k in auto)
    assert _files(old) == before, "OLD was written"


def test_an_edited_mapping_is_checked_not_trusted(checkpoints, cli, tmp_path):
    need_torch()
    old, path = checkpoints["mlp"], tmp_path / "mapping.json"
    migrate(cli, old, "--to", port("mlp_torch"), "--write-mapping", path, "--no-use-ema")
    doc = json.loads(path.read_text())
    doc["weights"][0]["transform"] = {"op": "identity"}  # 0.weight [16, 8] from dense/kernel [8, 16] untransposed
    dropped = doc["weights"].pop()  # 4.bias
    path.write_text(json.dumps(doc))
    code, report = migrate(cli, old, "--to", port("mlp_torch"), "--mapping", path, "--no-use-ema")
    assert code == 1
    found = sorted((f["code"], f["name"]) for f in report["findings"])
    assert found == [("GL601", dropped["new"]), ("GL602", dropped["old"]), ("GL603", "0")]
    gl603 = next(f for f in report["findings"] if f["code"] == "GL603")
    assert "fits OLD transposed" in gl603["message"]


@pytest.mark.parametrize("edit,words", [
    (lambda d: d["weights"][0].update(new="nonesuch.weight"), "not a weight of"),
    (lambda d: d["weights"][0].update(old="nonesuch/kernel"), "not a model variable of"),
    (lambda d: d["weights"].append(dict(d["weights"][0])), "twice"),
    (lambda d: d.update(schema_version=99), "not a graphlint mapping file"),
    (lambda d: d["weights"][0].update(transform={"op": "spin"}), "bad transform"),
])
def test_bad_mapping_file_is_one_line_and_exit_2(checkpoints, cli, tmp_path, edit, words):
    need_torch()
    old, path = checkpoints["mlp"], tmp_path / "mapping.json"
    migrate(cli, old, "--to", port("mlp_torch"), "--write-mapping", path)
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))
    code, out, err = cli("migrate", old, "--to", port("mlp_torch"), "--mapping", path)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and words in err


def test_bad_input_is_one_line_and_exit_2(checkpoints, cli, tmp_path):
    need_torch()
    old = checkpoints["mlp"]
    missing_package = tmp_path / "needs.py"
    missing_package.write_text("import nonesuch_package_xyz\n\ndef build_model():\n    return None\n")
    cases = [
        (["migrate", tmp_path / "nothing", "--to", port("mlp_torch")], "no such file"),
        (["migrate", old, "--to", tmp_path / "absent.py"], "no such file"),
        (["migrate", old, "--to", port("mlp_torch"), "--fn", "nonesuch"], "no function nonesuch()"),
        (["migrate", old, "--to", missing_package], "nonesuch_package_xyz"),
        (["migrate", old, "--to", port("mlp_torch"), "--no-use-ema", "--write", old + ".index"], "overwrite OLD"),
        (["migrate", old, "--to", port("mlp_torch"), "--no-use-ema", "--write", tmp_path / "x.h5"], ".pt"),
    ]
    for argv, words in cases:
        code, out, err = cli(*argv)
        assert (code, len(err.strip().splitlines())) == (2, 1), (argv, err)
        assert words in err, (argv, err)
