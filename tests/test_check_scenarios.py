"""`graphlint check`'s verdict on a checkpoint equals what TensorFlow really does with it.

Each scenario is a writer, whose checkpoint is written for real (tests/scenarios/scenario_model.py
trained a few steps with the writer's params, or a TF2 object-based tf.train.Checkpoint; both by
tests/realtf/checkpoints.py), and a reader: the same model with the reader's params. graphlint
checks the reader against that checkpoint (tests/corpus.py's lint_case, as `graphlint check
--params` would); TensorFlow then restores the reader for real in every mode, as Estimator does
(tests/realtf/restore.py: fresh graph per mode, Scaffold.finalize, ChiefSessionCreator, one read
of every restored variable, the mode's first step).

Per mode, graphlint's keys must equal TensorFlow's: the keys it calls missing (GL301), of another
shape (GL302) or dtype (GL303) are exactly those TF's restore op cannot find, returns with another
shape, or refuses for their dtype; model_fn fails to build (GL901) exactly where TF's does. The
`tf` column pins where TF really stops in each mode; `restore_gap` lists the modes where graphlint's
claim about the restore (its messages say any mismatch makes restore fail) is not what TF does,
and `note` says why.
"""

from __future__ import annotations

import glob
import json
import os
import re
from dataclasses import dataclass, field

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from corpus import lint_case  # noqa: E402
from realtf import _import_model, checkpoints  # noqa: E402
from realtf.restore import MODES, restore_for_real, tf_message  # noqa: E402

pytestmark = pytest.mark.realtf  # every test here runs real TensorFlow (trains, evaluates or restores)

MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios", "scenario_model.py")

CKPT = "<checkpoint>"  # in reader params: replaced by the writer's checkpoint prefix
OK3, RESTORE3 = ("ok",) * 3, ("restore",) * 3
SHAPE_GAP = ("GL302 says restore fails; with resource variables (TF2's default) TF restores the "
             "checkpoint's tensor, shape and all, and the graph runs on with it")


@dataclass(frozen=True)
class Scenario:
    id: str
    reader: dict  # params graphlint checks and TensorFlow restores
    writer: dict = field(default_factory=dict)  # params trained to write the checkpoint
    object_scope: str = ""  # instead: a tf.train.Checkpoint of <object_scope>/w, /b, /emb, global_step
    cpus: int = 1  # CPU devices of the writer's session (a sharded save writes a data shard per device)
    tf: tuple = OK3  # where TensorFlow stops in train, eval, predict: build|restore|ready|use|ok
    codes: frozenset = frozenset()  # graphlint's finding codes
    note: str = ""  # what graphlint says that TF does not do, or the reverse (shown on failure)
    restore_gap: tuple = ()  # modes where graphlint's "restore fails" (or not) is not what TF does


S = Scenario
SCENARIOS = [
    S("same", {}),
    S("eval_only_variable", {"eval_only": True}, writer={"eval_only": True}, tf=("ok", "restore", "restore"),
      codes=frozenset({"GL101", "GL104"})),  # GL101 names the checkpoint: one finding for one cause
    S("renamed_scope", {"scope": "new"}, writer={"scope": "old"}, tf=RESTORE3,
      codes=frozenset({"GL301", "GL304"})),
    S("new_variable", {"extra": True}, tf=RESTORE3, codes=frozenset({"GL301"})),
    S("units_changed", {"units": 4}, tf=("use", "use", "ok"), codes=frozenset({"GL302"}), note=SHAPE_GAP,
      restore_gap=MODES),
    S("units_changed_ref_variables", {"units": 4, "use_resource": False}, writer={"use_resource": False},
      tf=RESTORE3, codes=frozenset({"GL302"})),
    S("vocab_grown", {"vocab": 12}, codes=frozenset({"GL302"}), note=SHAPE_GAP, restore_gap=MODES),
    S("dtype_changed", {"dtype": "float64"}, tf=RESTORE3, codes=frozenset({"GL303"})),
    S("partitioned_same", {"partitions": 2}, writer={"partitions": 2}),
    S("partitioned_resharded", {"partitions": 3}, writer={"partitions": 2}),
    S("partitioned_to_plain", {}, writer={"partitions": 2}),
    S("plain_to_partitioned", {"partitions": 2}),
    S("partitioned_vocab_grown", {"partitions": 2, "vocab": 12}, writer={"partitions": 2}, tf=RESTORE3,
      codes=frozenset({"GL302"})),
    # The table's insert ops exist in TRAIN only, by design of this model: the train op runs them and
    # the loss does not depend on them, so they are classed as training machinery (no GL104).
    S("table", {"table": "vocab"}, writer={"table": "vocab"}, codes=frozenset()),
    S("table_renamed", {"table": "vocab_v2"}, writer={"table": "vocab"}, tf=RESTORE3,
      codes=frozenset({"GL301", "GL304"})),
    S("table_value_dtype", {"table": "vocab", "table_dtype": "float32"}, writer={"table": "vocab"},
      tf=RESTORE3, codes=frozenset({"GL303"})),
    S("scaffold_saver_var_list", {"extra": True, "saver_skips_extra": True}, tf=("ready",) * 3,
      codes=frozenset({"GL308"}),
      note="the scaffold Saver restores without model/extra, as graphlint says; model/extra is then "
           "never initialized and session creation fails its ready check, as GL308 says"),
    S("object_based", {}, object_scope="model", tf=RESTORE3, codes=frozenset({"GL301", "GL307"}),
      note="a name-based Saver maps the keys through the object graph, as graphlint says, but it "
           "builds a new Saver to do so, and Estimator's graph is finalized: RuntimeError",
      restore_gap=("eval", "predict")),
    S("object_based_renamed", {}, object_scope="old", tf=RESTORE3, codes=frozenset({"GL301", "GL304", "GL307"})),
    S("sharded_save", {}, writer={"devices": True}, cpus=2),
    S("warm_start", {"scope": "new", "warm_start": {"path": CKPT, "map": {"old/": "new/"}}},
      writer={"scope": "old"}, tf=RESTORE3, codes=frozenset({"GL301", "GL304"})),
    S("warm_start_wrong_map", {"scope": "new", "warm_start": {"path": CKPT, "map": {"older/": "new/"}}},
      writer={"scope": "old"}, tf=("build",) * 3, codes=frozenset({"GL304", "GL305"})),
]
BY_ID = {s.id: s for s in SCENARIOS}


@dataclass
class Result:
    prefix: str
    report: object
    real: dict  # mode -> realtf.restore.Real


def _with_checkpoint(value, prefix):
    if value == CKPT:
        return prefix
    if isinstance(value, dict):
        return {k: _with_checkpoint(v, prefix) for k, v in value.items()}
    return value


def _object_checkpoint(directory, scope):
    """Variables named as the reader's graph names them (`<scope>/w`, ..., `global_step`), at
    object paths that are not those names."""
    rng = np.random.default_rng(0)
    return checkpoints.write_object_checkpoint(directory, {
        "kernel": (f"{scope}/w", rng.random((4, 3), dtype="float32")),
        "bias": (f"{scope}/b", rng.random(3, dtype="float32")),
        "table": (f"{scope}/emb", rng.random((10, 3), dtype="float32")),
        "step": ("global_step", np.int64(2))})


def check(params, checkpoint):
    """graphlint's Report on the scenario model with `params`, as `graphlint check` gives it."""
    return lint_case(MODEL, "--checkpoint", checkpoint, "--params", json.dumps(params), command="check")


@pytest.fixture(scope="module")
def scenario_result(tmp_path_factory):
    """Write each checkpoint once (scenarios share writers), then check and restore each reader."""
    prefixes, results = {}, {}

    def get(sc: Scenario) -> Result:
        if sc.id in results:
            return results[sc.id]
        key = (repr(sorted(sc.writer.items())), sc.object_scope, sc.cpus)
        if key not in prefixes:
            where = str(tmp_path_factory.mktemp("writer"))
            prefixes[key] = (_object_checkpoint(where, sc.object_scope) if sc.object_scope
                             else checkpoints.train_checkpoint(MODEL, where, steps=2, params=sc.writer, cpus=sc.cpus))
        prefix = prefixes[key]
        reader = _with_checkpoint(sc.reader, prefix)
        real = {m: restore_for_real(MODEL, reader, m, prefix) for m in MODES}
        results[sc.id] = Result(prefix, check(reader, prefix), real)
        return results[sc.id]

    return get


def _graphlint(report, mode):
    """graphlint's verdict for one mode, in the terms TF's outcome is recorded in. A key the checkpoint
    lacks because TRAIN never creates it is GL101's (it names the checkpoint), not GL301's too."""
    restored = set(report.snapshots[mode].restore_keys) if report.snapshots[mode].built else set()

    def names(*codes):  # a grouped finding's names in this mode (a variable's slots are TRAIN's only)
        return {n for f in report.findings if f.code in codes and mode in f.modes for n in f.all_names
                if n in restored or not f.names}

    lacking = {n for n in names("GL101", "GL107") if n not in report.checkpoint.entries}
    return {"builds": not (names("GL901") | names("GL305")), "missing": names("GL301") | lacking,
            "shape": names("GL302"), "dtype": names("GL303")}


def _tensorflow(real):
    return {"builds": real.stage != "build", "missing": real.missing, "shape": real.shape, "dtype": real.dtype}


@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda s: s.id)
def test_graphlint_verdict_equals_tensorflow(sc, scenario_result):
    result = scenario_result(sc)
    report, real = result.report, result.real
    table = [(m, real[m].stage, real[m].error) for m in MODES]
    assert tuple(real[m].stage for m in MODES) == sc.tf, table
    assert {f.code for f in report.findings} == sc.codes, [(f.code, f.modes, f.name) for f in report.findings]
    for mode in MODES:
        said, did = _graphlint(report, mode), _tensorflow(real[mode])
        assert said == did, (mode, real[mode])
        assert not real[mode].wrong_values, (mode, real[mode])  # what restores, restores the checkpoint's values
        claims_restore_fails = bool(said["missing"] or said["shape"] or said["dtype"])
        restore_failed = real[mode].stage == "restore"
        if mode in sc.restore_gap:
            assert claims_restore_fails != restore_failed, (mode, sc.note)
        else:
            assert claims_restore_fails == restore_failed, (mode, real[mode], sc.note)
        # When restore stops on a key, it is one graphlint named.
        named = set(re.findall(r"Key (\S+) not found|tensor_name = (\S+);", real[mode].error))
        assert {k for pair in named for k in pair if k} <= said["missing"] | said["dtype"] | said["shape"], \
            (mode, real[mode].error)


# --- the real behaviour, pinned where it matters --------------------------------------------

def test_shape_mismatch_of_resource_variables_restores_silently(scenario_result):
    """units 3 -> 4: TF restores the [*, 3] tensors into the [*, 4] variables without a word.

    The variables keep their declared static shape but hold the checkpoint's value; the graph
    runs on with it. The first op that checks shapes at run time fails (the one-hot labels of
    depth 4 against 3-wide logits, in TRAIN and EVAL); PREDICT never fails and returns 3 columns
    where the graph says 4.
    """
    real = scenario_result(BY_ID["units_changed"]).real
    for mode in MODES:
        got = real[mode].restored_shapes
        assert got["model/w"] == ((4, 4), (4, 3)) and got["model/b"] == ((4,), (3,)), got
        assert got["model/emb"] == ((10, 4), (10, 3)), got
    assert real["train"].restored_shapes["model/w/Momentum"] == ((4, 4), (4, 3))  # slots too
    for mode in ("train", "eval"):  # the loss's own shape check, at run time
        assert (real[mode].stage, real[mode].error_type) == ("use", "InvalidArgumentError"), real[mode].error
    assert real["predict"].outputs["logits"] == ((None, 4), (4, 3))


def test_shape_mismatch_that_nothing_checks_never_fails(scenario_result):
    """vocab 10 -> 12: emb comes back with 10 rows, and the ids fed (0..7) never notice."""
    real = scenario_result(BY_ID["vocab_grown"]).real
    for mode in MODES:
        assert real[mode].stage == "ok"
        assert real[mode].restored_shapes["model/emb"] == ((12, 3), (10, 3))


def test_shape_mismatch_fails_at_restore_for_ref_and_partitioned_variables(scenario_result):
    ref = scenario_result(BY_ID["units_changed_ref_variables"]).real
    part = scenario_result(BY_ID["partitioned_vocab_grown"]).real
    for real, keys in ((ref, {"model/w", "model/b", "model/emb"}), (part, {"model/emb"})):
        for mode in MODES:
            assert (real[mode].stage, real[mode].error_type) == ("restore", "InvalidArgumentError"), real[mode].error
            assert keys <= real[mode].shape, (mode, real[mode].shape)


def test_resource_variable_shape_mismatch_minimal(tmp_path):
    """The bare fact, without a model: a [10, 3] checkpoint restored into a [10, 4] variable."""
    from graphlint.model.tfcompat import tf

    t = tf()
    v1 = t.compat.v1
    prefix = checkpoints.write_variables(str(tmp_path), {"w": np.ones([10, 3], "float32")}, name="w")
    with t.Graph().as_default():
        w = v1.get_variable("w", [10, 4])  # a resource variable: TF2's default
        product = t.matmul(t.ones([2, 10]), w)
        total = w + t.ones([10, 4])
        saver = v1.train.Saver()
        with v1.Session() as sess:
            saver.restore(sess, prefix)  # no error
            assert w.shape.as_list() == [10, 4]
            assert sess.run(w).shape == (10, 3)
            assert product.shape.as_list() == [2, 4] and sess.run(product).shape == (2, 3)
            with pytest.raises(t.errors.InvalidArgumentError):  # [10, 3] + [10, 4]
                sess.run(total)
            saver.save(sess, str(tmp_path / "again"))  # and the next save writes the old shape
    assert dict(t.train.list_variables(str(tmp_path / "again")))["w"] == [10, 3]
    with t.Graph().as_default():
        w = v1.get_variable("w", [10, 4], use_resource=False)
        with v1.Session() as sess, pytest.raises(t.errors.InvalidArgumentError):  # a ref variable's Assign
            v1.train.Saver().restore(sess, prefix)


def test_object_based_checkpoint_maps_but_estimator_cannot_restore_it(scenario_result):
    """A name-based Saver finds every key of a tf.train.Checkpoint through its object graph
    (graphlint's keys agree), but only by building a new Saver, which a finalized graph refuses."""
    result = scenario_result(BY_ID["object_based"])
    for mode in ("eval", "predict"):
        assert not result.real[mode].missing
        assert not _graphlint(result.report, mode)["missing"]
        assert (result.real[mode].stage, result.real[mode].error_type) == ("restore", "RuntimeError"), \
            result.real[mode].error
    # ... which graphlint warns about (GL307), naming the modes that need the mapping.
    (warning,) = [f for f in result.report.findings if f.code == "GL307"]
    assert set(warning.modes) >= {"eval", "predict"} and "Graph is finalized" in warning.message
    # TRAIN also wants the optimizer's slots, which the eager checkpoint never had: that fails first.
    slots = {f"model/{v}/Momentum" for v in ("w", "b", "emb")}
    assert result.real["train"].missing == slots == _graphlint(result.report, "train")["missing"]
    assert result.real["train"].error_type == "NotFoundError", result.real["train"].error


def test_scaffold_saver_restores_only_its_var_list(scenario_result):
    result = scenario_result(BY_ID["scaffold_saver_var_list"])
    for mode in MODES:
        assert not result.real[mode].missing  # model/extra is not asked for
        assert result.real[mode].error_type == "RuntimeError" and "model/extra" in result.real[mode].error, \
            result.real[mode].error
    found = {f.name: f.modes for f in result.report.findings if f.code == "GL308"}
    assert found.get("model/extra") == MODES, found
    for name, modes in found.items():  # anything else it names, TF names too
        for mode in modes:
            assert name in result.real[mode].error, (name, mode, result.real[mode].error)


def test_sharded_save_wrote_one_data_shard_per_device(scenario_result):
    """/cpu:0 (w, b and their slots), /cpu:1 (emb and its slot), and no device (global_step)."""
    prefix = scenario_result(BY_ID["sharded_save"]).prefix
    assert len(glob.glob(prefix + ".data-*-of-00003")) == 3


def test_partitioned_restores_hold_the_checkpoint_values(scenario_result):
    for sid in ("partitioned_same", "partitioned_resharded", "partitioned_to_plain", "plain_to_partitioned"):
        for mode, real in scenario_result(BY_ID[sid]).real.items():
            assert real.stage == "ok" and not real.wrong_values and not real.restored_shapes, (sid, mode, real)


def test_warm_start_initializes_from_the_old_names(scenario_result):
    """init_from_checkpoint with the right map builds, and initializes new/* from old/*; only a
    Saver restore of that same checkpoint (which graphlint checks) fails, on the new names.
    The map is resolved when it is called, before the optimizer exists: TRAIN's slots are not
    warm-started (the checkpoint's old/*/Momentum are left behind)."""
    real = scenario_result(BY_ID["warm_start"]).real
    model = {"new/w": True, "new/b": True, "new/emb": True}
    for mode in ("eval", "predict"):
        assert real[mode].warm_started == model
    assert real["train"].warm_started == dict(model, **{f"{v}/Momentum": False for v in model})
    wrong = scenario_result(BY_ID["warm_start_wrong_map"]).real
    for mode in MODES:  # init_from_checkpoint refuses, while model_fn builds, a map naming no key
        assert (wrong[mode].stage, wrong[mode].error_type) == ("build", "ValueError"), wrong[mode].error
        assert "older/" in wrong[mode].error, wrong[mode].error


@pytest.mark.parametrize("sid", ["same", "units_changed", "scaffold_saver_var_list", "object_based"])
def test_harness_fails_where_the_real_estimator_fails(sid, scenario_result, tmp_path):
    """Where TF has tf.estimator (2.15), Estimator.evaluate on the scenario's checkpoint stops
    with the same error as the harness's EVAL (the init op's name aside)."""
    from graphlint.model.tfcompat import real_estimator

    est = real_estimator()
    if est is None:
        pytest.skip("this TensorFlow has no tf.estimator; the harness replays what it does")
    sc = BY_ID[sid]
    result = scenario_result(sc)
    model = _import_model(MODEL)
    params = dict(model.params, **_with_checkpoint(sc.reader, result.prefix))
    estimator = est.Estimator(model.model_fn, model_dir=str(tmp_path), params=params)
    try:
        estimator.evaluate(model.input_fn, steps=1, checkpoint_path=result.prefix)
        error = ""
    except Exception as exc:  # noqa: BLE001 - what TF raised is the point
        error = tf_message(exc)

    def same(text):
        return re.sub(r"Init op: \S+", "Init op: ...", text)

    assert same(error) == same(result.real["eval"].error)


# --- one finding per cause (issue 20) ------------------------------------------------------------

def test_one_changed_param_is_one_finding_naming_every_key_and_slot(scenario_result):
    """units 3 -> 4 changes w, b, emb and their Momentum slots: one GL302 whose names are every key
    TensorFlow really restores with another shape, in any mode, each variable before its slot."""
    for sid in ("units_changed", "units_changed_ref_variables"):
        result = scenario_result(BY_ID[sid])
        (finding,) = [f for f in result.report.findings if f.code == "GL302"]
        real = set().union(*(result.real[m].shape for m in MODES))
        if sid == "units_changed":  # restore goes on: every key's shape is known (restore stops at the first otherwise)
            assert set(finding.names) == real, (finding.names, real)
        assert real <= set(finding.names) and "model/w/Momentum" in finding.names
        assert finding.names.index("model/w") < finding.names.index("model/w/Momentum")
        assert "3 in the checkpoint, 4 in the graph" in finding.message


def test_a_key_train_never_creates_is_one_finding_naming_the_checkpoint(scenario_result):
    """model/eval_count: TRAIN never creates it, so the checkpoint TRAIN wrote lacks it. GL101 says
    both (with the checkpoint's path); GL301 does not say it again."""
    result = scenario_result(BY_ID["eval_only_variable"])
    errors = [f for f in result.report.findings if f.severity == "error"]
    assert [f.code for f in errors] == ["GL101"], errors
    assert result.prefix in errors[0].message
    for mode in ("eval", "predict"):
        assert result.real[mode].missing == {"model/eval_count"} <= set(errors[0].all_names)
