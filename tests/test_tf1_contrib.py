"""The tf.contrib modules XLNet's code uses beyond bert's (zihangdai/xlnet at bbaa3a6: model_utils.py,
function_builder.py, run_classifier.py, tpu_estimator.py), each on a small model of our own written
the way that code uses it, under the TF1 runtime with real TensorFlow: framework's checkpoint
readers, summary's graph-mode writer (the TPU host call), distribute.MirroredStrategy with contrib's
num_gpus, training.HParams at both of its import paths; and importlib.import_module of a contrib
module, which gives what the import statement gives. (ELECTRA's code, google-research/electra at
8a46635, uses only contrib.layers.layer_norm: see test_tf1_runtime.py.)"""

import importlib
import textwrap

import numpy as np
import pytest

from graphlint import tf1
from graphlint.model import tfcompat

tf2 = tfcompat.tf()


def _tf1(source: str) -> dict:
    """Run `source` as a user's TF1 module under the runtime; its globals."""
    scope = {"__name__": "users_code"}
    with tf1.runtime():
        exec(textwrap.dedent(source), scope)
    return scope


def _save(path, values: dict) -> str:
    """A checkpoint of `values` written by a TF1 program's Saver (the runtime's graph mode)."""
    scope = _tf1("""
        import tensorflow as tf
        with tf.Graph().as_default():
            saved = [tf.get_variable(n, initializer=tf.constant(v)) for n, v in VALUES.items()]
            step = tf.train.get_or_create_global_step()
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                PATH = tf.train.Saver().save(sess, PREFIX, global_step=step)
    """.replace("VALUES", repr({k: v.tolist() for k, v in values.items()})).replace("PREFIX", repr(str(path))))
    return scope["PATH"]


def test_framework_reads_checkpoints_as_xlnets_avg_checkpoints_does(tmp_path):
    """model_utils.avg_checkpoints: list_variables for the names, load_checkpoint(..).get_tensor for values."""
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    first = _save(tmp_path / "a" / "model.ckpt", {"model/transformer/w": w, "model/b": np.ones(3, np.float32)})
    second = _save(tmp_path / "b" / "model.ckpt", {"model/transformer/w": 3 * w, "model/b": np.zeros(3, np.float32)})
    scope = _tf1("""
        import tensorflow as tf
        names = [n for n, _ in tf.contrib.framework.list_variables(FIRST) if not n.startswith("global_step")]
        readers = [tf.contrib.framework.load_checkpoint(c) for c in (FIRST, SECOND)]
        average = {n: sum(r.get_tensor(n) for r in readers) / len(readers) for n in names}
        from tensorflow.contrib import framework
        same = framework.list_variables is tf.contrib.framework.list_variables
    """.replace("FIRST", repr(first)).replace("SECOND", repr(second)))
    assert scope["names"] == ["model/b", "model/transformer/w"]  # what the Saver wrote, TF's order
    assert np.array_equal(scope["average"]["model/transformer/w"], 2 * w)
    assert np.array_equal(scope["average"]["model/b"], np.full(3, 0.5, np.float32))
    assert scope["same"] and scope["readers"][0].has_tensor("global_step")
    with tf1.runtime():
        from tensorflow.contrib import framework
    assert framework.load_checkpoint is tf2.compat.v1.train.load_checkpoint


def test_summary_writes_xlnets_host_call_scalars_in_graph_mode(tmp_path):
    """function_builder.construct_scalar_host_call's host_call_fn, run in a TF1 session: the event file
    it writes holds the scalar at the step, under the name given."""
    scope = _tf1("""
        import tensorflow as tf
        with tf.Graph().as_default():
            step = tf.train.get_or_create_global_step()
            loss = tf.constant(2.5)
            writer = tf.contrib.summary.create_file_writer(logdir=LOGDIR, filename_suffix=".host_call")
            with writer.as_default():
                with tf.contrib.summary.always_record_summaries():
                    with tf.contrib.summary.record_summaries_every_n_global_steps(100, global_step=step):
                        tf.contrib.summary.scalar("train/loss", loss, step=step)
                    ops = tf.contrib.summary.all_summary_ops()
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                sess.run(tf.contrib.summary.summary_writer_initializer_op())  # as XLNet's TPUEstimator does
                sess.run(ops)
                sess.run(tf.contrib.summary.flush(writer=writer))
    """.replace("LOGDIR", repr(str(tmp_path))))
    assert len(scope["ops"]) == 1
    (events,) = [p for p in tmp_path.iterdir() if p.name.endswith(".host_call")]
    written = [(e.step, v.tag, v.simple_value)  # write_scalar_summary: a simple_value, as TF 1.15 wrote
               for e in tf2.compat.v1.train.summary_iterator(str(events)) for v in e.summary.value]
    assert written == [(0, "train/loss", 2.5)]


def test_distribute_mirrored_strategy_takes_contribs_num_gpus():
    """model_utils.configure_tpu: MirroredStrategy(num_gpus=FLAGS.num_core_per_host), given to RunConfig."""
    with tfcompat.estimator_api():  # RunConfig: tensorflow-estimator's, or graphlint's stand-in on TF 2.16+
        scope = _tf1("""
            import tensorflow as tf
            on_cpu = tf.contrib.distribute.MirroredStrategy(num_gpus=0)
            two = tf.contrib.distribute.MirroredStrategy(num_gpus=2)
            config = tf.contrib.tpu.RunConfig(train_distribute=on_cpu)
        """)
    core = tf2.compat.v1.distribute.MirroredStrategy
    assert isinstance(scope["on_cpu"], core) and scope["on_cpu"].num_replicas_in_sync == 1
    assert [d.rsplit("/", 1)[1] for d in scope["on_cpu"].extended.worker_devices] == ["device:CPU:0"]
    assert [d.rsplit("/", 1)[1] for d in scope["two"].extended.worker_devices] == ["device:GPU:0", "device:GPU:1"]
    assert scope["config"].train_distribute is scope["on_cpu"]
    with tf1.runtime(), pytest.raises(ValueError):
        exec("import tensorflow as tf\ntf.contrib.distribute.MirroredStrategy(num_gpus=1, num_gpus_per_worker=1)",
             {"__name__": "users_code"})


def test_training_hparams_at_both_import_paths():
    scope = _tf1("""
        import tensorflow as tf
        from tensorflow.contrib.training.python.training import hparam
        import tensorflow.contrib.training.python.training.hparam as hparam_module
        hparams = tf.contrib.training.HParams(learning_rate=0.1, layers=[64, 32], cell="lstm", tied=True, depth=2)
        hparams.parse("learning_rate=1,layers=[8, 4],tied=false")
        hparams.override_from_dict({"depth": 3})
    """)
    assert scope["hparam"] is scope["hparam_module"] and scope["hparam"].HParams is scope["tf"].contrib.training.HParams
    h = scope["hparams"]
    assert h.values() == {"learning_rate": 1.0, "layers": [8, 4], "cell": "lstm", "tied": False, "depth": 3}
    assert isinstance(h.learning_rate, float) and "cell" in h and "dropout" not in h
    assert h.get("dropout", 0.5) == 0.5 and h.get("depth") == 3
    assert h.to_json(sort_keys=True) == ('{"cell": "lstm", "depth": 3, "layers": [8, 4], "learning_rate": 1.0, '
                                         '"tied": false}')
    assert h.parse_json('{"cell": "gru"}').cell == "gru"


@pytest.mark.parametrize("change", [
    lambda h: h.set_hparam("depth", 2.5),  # a float to an int: refused (the reverse is fine)
    lambda h: h.set_hparam("cell", 3),  # a number to a str
    lambda h: h.set_hparam("tied", 1),  # a number to a bool
    lambda h: h.set_hparam("depth", [1]),  # a list to a single value
    lambda h: h.parse("depth=x"),
    lambda h: h.parse("unknown=1"),
    lambda h: h.parse("depth=1,depth=2"),
    lambda h: h.add_hparam("values", 1),  # a method's name
    lambda h: h.get("depth", "deep"),  # a default of another type
])
def test_training_hparams_refuses_what_tf_1_15_refused(change):
    with tf1.runtime():
        from tensorflow.contrib.training import HParams
    h = HParams(depth=2, cell="lstm", tied=True)
    with pytest.raises(ValueError):
        change(h)


def test_import_module_gives_what_the_import_statement_gives():
    scope = _tf1("""
        import importlib
        import tensorflow as tf
        from tensorflow.contrib import tpu, summary
        modules = [importlib.import_module(n) for n in ("tensorflow.contrib.tpu", "tensorflow.contrib.summary",
                                                         "tensorflow.contrib", "tensorflow")]
    """)
    assert scope["modules"][:2] == [scope["tpu"], scope["summary"]]
    assert scope["modules"][2] is scope["tf"].contrib and scope["modules"][3] is scope["tf"]
    with tf1.runtime(), pytest.raises(tf1.MissingSymbol) as raised:
        exec("import importlib\nimportlib.import_module('tensorflow.contrib.slim')", {"__name__": "users_code"})
    assert raised.value.symbol == "tf.contrib.slim" and "\n" not in str(raised.value)
    # afterwards, importlib's own: a reference the code kept included
    kept = scope["importlib"].import_module
    assert importlib.import_module.__module__ == "importlib"
    for import_module in (importlib.import_module, kept):
        with pytest.raises(ModuleNotFoundError):
            import_module("tensorflow.contrib.tpu")


def test_a_program_importing_a_missing_contrib_module_by_name_is_one_line_and_exit_2(cli, tmp_path):
    program = tmp_path / "train.py"
    program.write_text("import importlib\nslim = importlib.import_module('tensorflow.contrib.slim')\n")
    code, out, err = cli("run", "--", str(program))
    assert code == 2
    (line,) = [ln for ln in err.splitlines() if ln.startswith("graphlint:")]
    assert "train.py:2: tf.contrib.slim is not provided by graphlint's TF1 runtime" in line
    assert "Traceback" not in err and not tf1.active()
