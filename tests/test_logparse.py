"""Tests for graphlint.explain (parser, kinds, rendering): known TensorFlow errors in the text of logs.

The files under tests/logs/ are real logs (TF 2.15 / 2.21 runs of failing code, with the paths made
generic) and hand-made ones in the wording of TF 1.x (taken from the TF 1.x sources and from real
logs quoted in public issues). Every test asserts the exact kinds, names and lines found.
"""

import os
import random
import re
import subprocess
import sys

import pytest

from graphlint.explain import LogError, explain_text, parse_log
from graphlint.explain.kinds import KINDS, Kind, all_kinds
from graphlint.explain.rendering import COMMON_LABELS

all_kinds()  # fills KINDS, for the parametrized tests below

LOGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "logs")


def read_log(name):
    with open(os.path.join(LOGS, name), "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def found(errors):
    return [(e.kind, e.names, e.line) for e in errors]


# ---------------------------------------------------------------------------------------------
# The log files: exact (kind, names, line) of everything found.

EXPECTED = {
    # TF 2.15 Estimator.evaluate of the blog's attempt 1: the eval-only counter is missing from the
    # checkpoint. The "Key _CHECKPOINTABLE_OBJECT_GRAPH not found" probe in the chain is noise.
    "tf215_estimator_eval_key_not_found.log": [
        ("key-not-found-in-checkpoint", ("class_0/sample_num_classid_0",), 49),
    ],
    # TF 2.15 attempt 2: the hook fetches a name that the re-entered scope renamed to class_0_1/...
    "tf215_estimator_hook_tensor_missing.log": [
        ("tensor-not-in-graph", ("class_0/auc_classid_0:0",), 66),
    ],
    # TF 2.15 Estimator.train: a hook fetches a name that does not exist, at step 50 only
    # (tf215_periodic_hook_fetch_missing.py is the model).
    "tf215_periodic_hook_fetch_missing.log": [
        ("tensor-not-in-graph", ("debug/norm:0",), 64),
    ],
    # TF 2.15 graph mode (Session.run), the four shape errors of tf215_shape_errors_graph.py: the op
    # error with "[[{{node X}}]]", then "Graph execution error: ... Node: 'X'" repeating it.
    "tf215_matmul_shape_mismatch.log": [("matmul-shape-mismatch", ("logits",), 15)],
    "tf215_broadcast_shape_mismatch.log": [("broadcast-shape-mismatch", ("scores",), 15)],
    "tf215_concat_shape_mismatch.log": [("concat-shape-mismatch", ("merged",), 15)],
    "tf215_reshape_size_mismatch.log": [("reshape-size-mismatch", ("flat",), 15)],
    # TF 2.15 eager (tf215_shape_errors_eager.py): the same four, "[Op:MatMul]" and no node.
    "tf215_eager_shape_errors.log": [
        ("matmul-shape-mismatch", (), 18),
        ("broadcast-shape-mismatch", (), 30),
        ("concat-shape-mismatch", (), 42),
        ("reshape-size-mismatch", (), 56),
    ],
    # TF 1.13 wording of attempt 1 (op_kernel warning, "[[{{node ...}}]]", "Caused by op",
    # "(see above for traceback)", the restore wrapper and "[[node ... (defined at ...) ]]").
    "tf1_estimator_eval_restore.log": [
        ("key-not-found-in-checkpoint", ("class_0/sample_num_classid_0",), 21),
    ],
    # TF 1.15 wording of attempt 2: KeyError, then the "Fetch argument '...'" wrapper.
    "tf1_hook_fetch_failure.log": [
        ("tensor-not-in-graph", ("class_1/auc_classid_1:0",), 23),
    ],
    # TF 1.8 slim fine-tuning: "[[Node: save/Assign_149 = Assign[...](<variable>, ...)]]".
    "tf1_slim_finetune_shape_mismatch.log": [
        ("shape-mismatch-on-restore", ("MobilenetV2/expanded_conv_2/expand/weights",), 7),
    ],
    # TF 2.21, graph mode, ref variables: the restore's Assign fails; the log never names the variable.
    "tf221_restore_shape_mismatch.log": [
        ("shape-mismatch-on-restore", (), 12),
    ],
    # TF 2.21 tf.train.Checkpoint restore: "Received incompatible tensor with shape ...".
    "tf221_checkpoint_incompatible_shape.log": [
        ("shape-mismatch-on-restore", ("dense/kernel",), 57),
    ],
    # TF 2.21 tf.train.load_variable of a missing name (the checkpoint reader's wording).
    "tf221_load_variable_missing_key.log": [
        ("key-not-found-in-checkpoint", ("net/bias",), 13),
    ],
    # TF 2.15, get_variable twice under one scope (ref variables: "Originally defined at:").
    "tf215_variable_already_exists.log": [
        ("variable-already-exists", ("net/weights",), 27),
    ],
    # TF 2.4 on a GPU: "2 root error(s) found. (0) Not found: Key ... (1) Not found: Key ...".
    "tf2_4_estimator_two_root_errors.log": [
        ("key-not-found-in-checkpoint", ("output_bias",), 6),
    ],
    # The restore wrapper whose original error was cut off.
    "restore_wrapper_truncated.log": [
        ("restore-failed", (), 9),
    ],
    # Several runs, several different errors.
    "several_errors.log": [
        ("variable-already-exists", ("tower/dense/kernel",), 12),
        ("variable-does-not-exist", ("tower/bias",), 20),
        ("key-not-found-in-checkpoint", ("tower/dense_1/bias",), 24),
        ("shape-mismatch-on-restore", ("tower/logits/kernel/Adam_1",), 27),
        ("dtype-mismatch-on-restore", ("global_step",), 29),
        ("tensor-not-found-in-checkpoint-files", ("tower/embedding",), 31),
        ("not-an-element-of-graph", ("dense_2/Softmax:0",), 36),
        ("not-an-element-of-graph", ("input_1:0",), 37),
        ("node-not-in-graph-def", ("ranker/scores",), 40),
        ("invalid-fetch-type", (), 41),
        ("checkpoint-not-found", ("/tmp/ranker_empty",), 44),
        ("key-not-found-in-checkpoint", ("tower/dense_2/kernel",), 47),
        ("key-not-found-in-checkpoint", ("tower/dense_3/kernel",), 48),
        ("warm-start-tensor-not-in-checkpoint", ("tower/emb",), 50),
    ],
    # Random bytes, random unicode and near-misses of every message: nothing.
    "garbage.log": [],
}


def test_every_log_file_has_expectations():
    assert sorted(f for f in os.listdir(LOGS) if f.endswith(".log")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_log_file(name):
    assert found(parse_log(read_log(name))) == EXPECTED[name]


def test_estimator_eval_restore_details_tf2():
    (err,) = parse_log(read_log("tf215_estimator_eval_key_not_found.log"))
    assert err.details == {"node": "save/RestoreV2"}
    assert err.text == (
        "2026-11-26 15:18:04.639411: W tensorflow/core/framework/op_kernel.cc:1839] OP_REQUIRES failed at "
        "save_restore_v2_ops.cc:233 : NOT_FOUND: Key class_0/sample_num_classid_0 not found in checkpoint"
    )


def test_estimator_eval_restore_details_tf1():
    (err,) = parse_log(read_log("tf1_estimator_eval_restore.log"))
    assert err.details == {"checkpoint": "/tmp/per_class_auc/model.ckpt-200", "node": "save/RestoreV2"}


def test_hook_fetch_details():
    (err,) = parse_log(read_log("tf215_estimator_hook_tensor_missing.log"))
    assert err.details == {
        "context": "fetch", "fetch": "class_0/auc_classid_0:0", "operation": "class_0/auc_classid_0",
    }
    (err,) = parse_log(read_log("tf1_hook_fetch_failure.log"))
    assert err.details == {
        "context": "fetch", "fetch": "class_1/auc_classid_1:0", "operation": "class_1/auc_classid_1",
    }


def test_shape_mismatch_details():
    (err,) = parse_log(read_log("tf1_slim_finetune_shape_mismatch.log"))
    assert err.details == {
        "checkpoint": "/data/checkpoints/mobilenet_v2_1.0_224.ckpt",
        "lhs_shape": "[1,1,24,144]",
        "node": "save/Assign_149",
        "rhs_shape": "[1,1,32,192]",
        "variable": "MobilenetV2/expanded_conv_2/expand/weights",
    }
    (err,) = parse_log(read_log("tf221_restore_shape_mismatch.log"))
    assert err.details == {"lhs_shape": "[10,4]", "node": "save/Assign", "rhs_shape": "[10,3]"}
    (err,) = parse_log(read_log("tf221_checkpoint_incompatible_shape.log"))
    assert err.details == {"lhs_shape": "[10,4]", "rhs_shape": "[10,3]", "variable": "dense/kernel"}


SHAPE_DETAILS = {
    "tf215_matmul_shape_mismatch.log": {"a_shape": "[2,3]", "b_shape": "[4,5]", "node": "logits"},
    "tf215_broadcast_shape_mismatch.log": {"node": "scores", "x_shape": "[2,3]", "y_shape": "[4,5]"},
    "tf215_concat_shape_mismatch.log": {"first_shape": "[2,3]", "mismatch": "dimension 0", "node": "merged",
                                        "other_input": "1", "other_shape": "[4,5]"},
    "tf215_reshape_size_mismatch.log": {"node": "flat", "requested": "20", "values": "6"},
}


@pytest.mark.parametrize("name", sorted(SHAPE_DETAILS))
def test_shape_error_details(name):
    (err,) = parse_log(read_log(name))
    assert err.details == SHAPE_DETAILS[name]


def test_eager_shape_errors_name_the_op_type():
    errors = parse_log(read_log("tf215_eager_shape_errors.log"))
    assert [e.details["op"] for e in errors] == ["MatMul", "AddV2", "ConcatV2", "Reshape"]
    assert [e.details.get("node") for e in errors] == [None] * 4
    assert errors[0].details == {"a_shape": "[2,3]", "b_shape": "[4,5]", "op": "MatMul"}


def test_several_errors_details():
    errors = {(e.kind, e.names): e.details for e in parse_log(read_log("several_errors.log"))}
    assert errors[("variable-already-exists", ("tower/dense/kernel",))] == {
        "originally_defined_at": 'File "train.py", line 40, in tower'}
    assert errors[("dtype-mismatch-on-restore", ("global_step",))] == {
        "checkpoint": "/tmp/ranker/model.ckpt-3000", "checkpoint_dtype": "int32", "graph_dtype": "float",
        "node": "save/RestoreV2_1"}
    assert errors[("tensor-not-found-in-checkpoint-files", ("tower/embedding",))] == {
        "checkpoint": "/tmp/ranker_v1/model.ckpt-100", "node": "save/RestoreV2_7"}
    assert errors[("not-an-element-of-graph", ("input_1:0",))] == {"context": "feed_dict", "object": "tensor"}
    assert errors[("invalid-fetch-type", ())] == {"fetch": "None", "type": "NoneType"}
    assert errors[("warm-start-tensor-not-in-checkpoint", ("tower/emb",))] == {"checkpoint": "/tmp/old_ranker"}


def test_restore_wrapper_details():
    (err,) = parse_log(read_log("restore_wrapper_truncated.log"))
    assert err.details == {"checkpoint": "/mnt/runs/ranker/model.ckpt-52000", "reason": "graph-mismatch"}


def test_garbage_as_bytes_too():
    with open(os.path.join(LOGS, "garbage.log"), "rb") as f:
        raw = f.read()
    assert parse_log(raw) == []
    # The same garbage with one real error in the middle: exactly that error, on its line.
    lines = raw.split(b"\n")
    lines.insert(60, b"\x00\xff errors_impl.NotFoundError: Key net/w not found in checkpoint")
    errors = parse_log(b"\n".join(lines))
    assert found(errors) == [("key-not-found-in-checkpoint", ("net/w",), 61)]


# ---------------------------------------------------------------------------------------------
# Single messages in the wordings of different TF versions.

ONE_ERROR = [
    # TF <= 1.11: "[[Node: save/RestoreV2 = RestoreV2[...](...)]]"
    (
        "NotFoundError (see above for traceback): Key BoxPredictor_0/BoxEncodingPredictor/biases/"
        "ExponentialMovingAverage not found in checkpoint\n"
        '\t [[Node: save/RestoreV2 = RestoreV2[dtypes=[DT_FLOAT, DT_FLOAT, DT_INT64], _device="/job:localhost/'
        'replica:0/task:0/device:CPU:0"](_arg_save/Const_0_0, save/RestoreV2/tensor_names, '
        "save/RestoreV2/shape_and_slices)]]\n",
        "key-not-found-in-checkpoint", ("BoxPredictor_0/BoxEncodingPredictor/biases/ExponentialMovingAverage",),
        {"node": "save/RestoreV2"},
    ),
    # TF 1.12: "[[{{node save/Assign_5}} = Assign[... _class=["loc:@V"] ...](V, save/RestoreV2/_11)]]"
    (
        "Assign requires shapes of both tensors to match. lhs shape= [2,1,512] rhs shape= [2,64,512]\n"
        '\t [[{{node save/Assign_5}} = Assign[T=DT_FLOAT, _class=["loc:@Generator/decoder_1/Variable"], '
        'use_locking=true, validate_shape=true, _device="/job:localhost/replica:0/task:0/device:GPU:0"]'
        "(Generator/decoder_1/Variable, save/RestoreV2/_11)]]\n",
        "shape-mismatch-on-restore", ("Generator/decoder_1/Variable",),
        {"lhs_shape": "[2,1,512]", "node": "save/Assign_5", "rhs_shape": "[2,64,512]",
         "variable": "Generator/decoder_1/Variable"},
    ),
    # TF 1.13-1.15: "[[node save/Assign_3 (defined at ...) ]]" names the node only.
    (
        "InvalidArgumentError (see above for traceback): Assign requires shapes of both tensors to match. "
        "lhs shape= [256] rhs shape= [128]\n"
        "\t [[node save/Assign_3 (defined at /home/ml/model.py:45) ]]\n",
        "shape-mismatch-on-restore", (), {"lhs_shape": "[256]", "node": "save/Assign_3", "rhs_shape": "[128]"},
    ),
    # Resource variable assign (AssignVariableOp) with the wrong shape.
    (
        "InvalidArgumentError: Trying to assign to variable with tensor with wrong shape. Expected [10,3] got "
        "[10,4]\n\t [[{{node save/AssignVariableOp_3}}]]\n",
        "shape-mismatch-on-restore", (),
        {"lhs_shape": "[10,3]", "node": "save/AssignVariableOp_3", "rhs_shape": "[10,4]"},
    ),
    # Warm start (init_from_checkpoint) with the wrong shape.
    (
        "ValueError: Shape of variable net/weights:0 ((2, 4)) doesn't match with shape of tensor net/weights "
        "([2, 3]) from checkpoint reader.\n",
        "shape-mismatch-on-restore", ("net/weights",),
        {"checkpoint_key": "net/weights", "lhs_shape": "[2,4]", "rhs_shape": "[2,3]", "source": "warm-start",
         "variable": "net/weights"},
    ),
    # TensorShape's str: "None" for an unknown dimension.
    (
        "ValueError: Received incompatible tensor with shape (5, 3) when attempting to restore variable with "
        "shape (None, 4) and name emb/table:0.\n",
        "shape-mismatch-on-restore", ("emb/table",),
        {"lhs_shape": "[?,4]", "rhs_shape": "[5,3]", "variable": "emb/table"},
    ),
    # The reader's "Key ... not found in checkpoint" never counts twice as the V1 "... checkpoint file".
    (
        "NotFoundError: Key net/w not found in checkpoint file\n",
        "key-not-found-in-checkpoint", ("net/w",), {},
    ),
    # TF 2.x bundle dtype check.
    (
        "W0000 00:00:1795706618.680617    7194 op_kernel.cc:1858] OP_REQUIRES failed at save_restore_v2_ops.cc:233 "
        ": INVALID_ARGUMENT: tensor_name = global_step; expected dtype int32 does not equal original dtype int64\n",
        "dtype-mismatch-on-restore", ("global_step",), {"checkpoint_dtype": "int64", "graph_dtype": "int32"},
    ),
    # Tensor and operation names that do not exist (TF 2.x fetch wrapper).
    (
        "ValueError: Argument `fetch` = other:3 cannot be interpreted as a Tensor. (\"The name 'other:3' refers "
        "to a Tensor which does not exist. The operation, 'other', exists but only has 1 outputs.\")\n",
        "tensor-not-in-graph", ("other:3",),
        {"context": "fetch", "fetch": "other:3", "operation": "other", "outputs": "1"},
    ),
    (
        "ValueError: Argument `fetch` = train_op cannot be interpreted as a Tensor. (\"The name 'train_op' "
        "refers to an Operation not in the graph.\")\n",
        "operation-not-in-graph", ("train_op",), {"context": "fetch", "fetch": "train_op"},
    ),
    (
        "ValueError: Fetch argument <tf.Tensor 'logits:0' shape=(?, 3) dtype=float32> cannot be interpreted as a "
        "Tensor. (Tensor Tensor(\"logits:0\", shape=(?, 3), dtype=float32) is not an element of this graph.)\n",
        "not-an-element-of-graph", ("logits:0",), {"context": "fetch", "fetch": "logits:0", "object": "tensor"},
    ),
    # An Operation's repr is its NodeDef, over several lines (TF 2.21, real).
    (
        'ValueError: Operation name: "init"\nop: "NoOp"\n is not an element of this graph.\n',
        "not-an-element-of-graph", ("init",), {"object": "operation"},
    ),
    (
        'ValueError: Tensor("a:0", shape=(), dtype=float32) must be from the same graph as Tensor("b:0", '
        "shape=(), dtype=float32) (graphs are <tensorflow.python.framework.ops.Graph object at 0x7f615839aa40> "
        "and <tensorflow.python.framework.ops.Graph object at 0x7f615839b5c0>).\n",
        "tensors-from-different-graphs", ("a:0", "b:0"), {},
    ),
    (
        "ValueError: Trying to share variable net/weights, but specified dtype int32 and found dtype float32.\n",
        "variable-share-mismatch", ("net/weights",), {"found": "float32", "specified": "int32", "what": "dtype"},
    ),
    (
        "ValueError: Trying to share variable net/weights, but specified shape (2, 4) and found shape (2, 3).\n",
        "variable-share-mismatch", ("net/weights",), {"found": "[2,3]", "specified": "[2,4]", "what": "shape"},
    ),
    # The V1-format checkpoint reader.
    (
        "tensorflow.python.framework.errors_impl.NotFoundError: net/bias not found in checkpoint file\n",
        "tensor-not-found-in-checkpoint-files", ("net/bias",), {},
    ),
    (
        "tensorflow.python.framework.errors_impl.NotFoundError: Unsuccessful TensorSliceReader constructor: "
        "Failed to find any matching files for /tmp/ck/nothere.ckpt\n",
        "checkpoint-not-found", ("/tmp/ck/nothere.ckpt",), {},
    ),
    (
        "ValueError: The passed save_path is not a valid checkpoint: /tmp/ck/nothere.ckpt\n",
        "checkpoint-not-found", ("/tmp/ck/nothere.ckpt",), {},
    ),
    (
        "ValueError: Tensor net/bias is not found in /tmp/ck/model.ckpt checkpoint {'net/weights': [2]}\n",
        "warm-start-tensor-not-in-checkpoint", ("net/bias",), {"checkpoint": "/tmp/ck/model.ckpt"},
    ),
    (
        "TypeError: Argument `fetch` = None has invalid type \"NoneType\". Cannot be None\n",
        "invalid-fetch-type", (), {"fetch": "None", "type": "NoneType"},
    ),
    # TF 1.x concat_op.cc's wording for a non-axis dimension ("Dimension N in both shapes must be
    # equal" since), with the TF <= 1.11 node line.
    (
        "InvalidArgumentError: ConcatOp : Dimensions of inputs should match: shape[0] = [10,12] vs. "
        "shape[1] = [1,128]\n"
        '\t [[Node: encoder/lstm_cell/concat = ConcatV2[N=2, T=DT_FLOAT, Tidx=DT_INT32, _device="/job:localhost/'
        'replica:0/task:0/device:CPU:0"](encoder/strided_slice, encoder/zeros, encoder/concat/axis)]]\n',
        "concat-shape-mismatch", ("encoder/lstm_cell/concat",),
        {"first_shape": "[10,12]", "mismatch": "a dimension other than the axis", "node": "encoder/lstm_cell/concat",
         "other_input": "1", "other_shape": "[1,128]"},
    ),
    # TF 2.15, a rank mismatch (a real run's message).
    (
        "InvalidArgumentError: ConcatOp : Ranks of all input tensors should match: shape[0] = [2,3] vs. "
        "shape[1] = [2,3,4]\n\t [[{{node concat}}]]\n",
        "concat-shape-mismatch", ("concat",),
        {"first_shape": "[2,3]", "mismatch": "rank", "node": "concat", "other_input": "1", "other_shape": "[2,3,4]"},
    ),
    # TF 2.15, tf.reshape(x, [-1, 4]) of 6 values (a real run's message).
    (
        "InvalidArgumentError: Input to reshape is a tensor with 6 values, but the requested shape requires a "
        "multiple of 4\n\t [[{{node Reshape}}]]\n",
        "reshape-size-mismatch", ("Reshape",), {"node": "Reshape", "requested": "a multiple of 4", "values": "6"},
    ),
    (
        "AssertionError: output_node is not in graph\n",
        "node-not-in-graph-def", ("output_node",), {},
    ),
]


@pytest.mark.parametrize("text,kind,names,details", ONE_ERROR,
                         ids=["%s-%d" % (case[1], i) for i, case in enumerate(ONE_ERROR)])
def test_one_error(text, kind, names, details):
    (err,) = parse_log(text)
    assert (err.kind, err.names, err.line, err.details) == (kind, names, 1, details)


def test_every_kind_is_exercised():
    kinds = {kind for _, kind, _, _ in ONE_ERROR}
    for expected in EXPECTED.values():
        kinds.update(kind for kind, _, _ in expected)
    assert kinds == set(KINDS)


@pytest.mark.parametrize("quoted", ["dense/bias", "'dense/bias'", '"dense/bias"', "`dense/bias`"])
def test_names_quoted_or_not(quoted):
    (err,) = parse_log("E0304 10:11:12.123456 1402 eval.py:9] Key %s not found in checkpoint\n" % quoted)
    assert (err.kind, err.names) == ("key-not-found-in-checkpoint", ("dense/bias",))
    (err,) = parse_log("KeyError: The name %s refers to an Operation not in the graph.\n" % quoted)
    assert (err.kind, err.names) == ("operation-not-in-graph", ("dense/bias",))


# ---------------------------------------------------------------------------------------------
# Noise, de-duplication, order.


def test_object_graph_probe_is_noise():
    text = (
        "RuntimeError: Key _CHECKPOINTABLE_OBJECT_GRAPH not found in checkpoint\n"
        "tensorflow.python.framework.errors_impl.NotFoundError: Key _CHECKPOINTABLE_OBJECT_GRAPH not found in "
        "checkpoint\n"
        "RuntimeError: _CHECKPOINTABLE_OBJECT_GRAPH not found in checkpoint file\n"
    )
    assert parse_log(text) == []


def test_message_templates_in_traceback_source_lines_are_ignored():
    text = (
        '  File "/usr/lib/python3/site-packages/tensorflow/python/training/checkpoint_utils.py", line 412, in x\n'
        '    raise ValueError("Tensor %s is not found in %s checkpoint %s" % (\n'
        '    assert d in name_to_node, "%s is not in graph" % d\n'
        "    err_msg = ('Variable %s already exists, disallowed. Did you mean to set reuse=True' % name)\n"
        "    raise KeyError(\"The name {} refers to an Operation not in the graph.\".format(name))\n"
    )
    assert parse_log(text) == []


def test_prose_is_not_an_error():
    text = (
        "WARNING: tf.print is not in graph mode here; using Python print\n"
        "INFO:tensorflow:Warm-starting from: /tmp/old_ranker\n"
        "INFO:tensorflow:Saving checkpoints for 200 into /tmp/ranker/model.ckpt.\n"
        "INFO:tensorflow:Restoring parameters from /tmp/ranker/model.ckpt-200\n"
        "INFO:tensorflow:Variable dense/kernel:0 (shape (8, 3)) restored\n"
        "The name of the tensor is set below.\n"
    )
    assert parse_log(text) == []


def test_duplicates_merge_and_keep_the_first_line():
    text = "\n".join([
        "INFO:tensorflow:Restoring parameters from /m/model.ckpt-9",
        "W op_kernel.cc:1] OP_REQUIRES failed at save_restore_v2_ops.cc:184 : Not found: Key a/b not found in "
        "checkpoint",
        "NotFoundError: Key a/b not found in checkpoint",
        "\t [[{{node save/RestoreV2}}]]",
        "During handling of the above exception, another exception occurred:",
        "NotFoundError: Key c not found in checkpoint",
        "NotFoundError: Restoring from checkpoint failed. This is most likely due to a Variable name or other graph "
        "key that is missing from the checkpoint. Please ensure that you have not altered the graph expected based "
        "on the checkpoint. Original error:",
        "",
        "Key a/b not found in checkpoint",
        "\t [[node save/RestoreV2 (defined at train.py:9) ]]",
    ])
    errors = parse_log(text)
    assert found(errors) == [
        ("key-not-found-in-checkpoint", ("a/b",), 2),
        ("key-not-found-in-checkpoint", ("c",), 6),
    ]
    # The first sighting had no node line; a later one did.
    assert errors[0].details == {"checkpoint": "/m/model.ckpt-9", "node": "save/RestoreV2"}
    assert errors[0].text.endswith("Not found: Key a/b not found in checkpoint")


def test_nameless_shape_error_is_merged_into_the_named_one():
    text = (
        "W assign_op.h:112] Invalid argument: Assign requires shapes of both tensors to match. lhs shape= [3] "
        "rhs shape= [4]\n"
        "InvalidArgumentError: Assign requires shapes of both tensors to match. lhs shape= [3] rhs shape= [4]\n"
        '\t [[Node: save/Assign_2 = Assign[T=DT_FLOAT, _class=["loc:@out/bias"], use_locking=true, '
        'validate_shape=true, _device="/job:localhost/replica:0/task:0/device:CPU:0"](out/bias, save/RestoreV2:2)]]\n'
        "InvalidArgumentError: Assign requires shapes of both tensors to match. lhs shape= [5] rhs shape= [6]\n"
    )
    assert found(parse_log(text)) == [
        ("shape-mismatch-on-restore", ("out/bias",), 1),
        ("shape-mismatch-on-restore", (), 4),
    ]


def test_several_errors_on_one_line_are_ordered():
    text = ("junk Key z not found in checkpoint; Key a not found in checkpoint; Variable v already exists, "
            "disallowed. Did you mean to set reuse=True or reuse=tf.AUTO_REUSE in VarScope?\n")
    assert found(parse_log(text)) == [
        ("key-not-found-in-checkpoint", ("a",), 1),
        ("key-not-found-in-checkpoint", ("z",), 1),
        ("variable-already-exists", ("v",), 1),
    ]


def test_line_endings_colours_and_bytes():
    text = "line one\r\n\x1b[31mE0304 10:11:12.123 1 x.py:1] Key q/r not found in checkpoint\x1b[0m\r\n"
    errors = parse_log(text)
    assert found(errors) == [("key-not-found-in-checkpoint", ("q/r",), 2)]
    assert errors[0].text == "E0304 10:11:12.123 1 x.py:1] Key q/r not found in checkpoint"
    assert parse_log(text.encode("utf-8")) == errors


def test_not_a_string():
    with pytest.raises(TypeError):
        parse_log(None)


def test_deterministic_and_logs_concatenate():
    names = sorted(EXPECTED)
    texts = [read_log(name) for name in names]
    gap = "\n" * 1000  # further apart than any traceback chain
    big = gap.join(texts)
    first = parse_log(big)
    assert first == parse_log(big)
    assert explain_text(first) == explain_text(parse_log(big))
    # The errors of the parts, each on its line shifted by the part's offset, once per (kind, names).
    expected, seen, offset = [], set(), 0
    for text in texts:
        for e in parse_log(text):
            key = (e.kind, e.names) if e.names else (e.kind, e.names, tuple(sorted(e.details.items())))
            if key not in seen:
                seen.add(key)
                expected.append((e.kind, e.names, e.line + offset))
        offset += text.count("\n") + 1000
    assert found(first) == sorted(expected, key=lambda t: (t[2], t[0], t[1]))


def test_log_error_is_frozen_and_hashable():
    (err,) = parse_log("Key k not found in checkpoint")
    (again,) = parse_log("INFO:tensorflow:start\nKey k not found in checkpoint")
    with pytest.raises(AttributeError):
        err.kind = "other"
    # Equal when all fields agree; hashed on kind, names, line and text (details are a dict).
    assert err == LogError("key-not-found-in-checkpoint", ("k",), 1, "Key k not found in checkpoint")
    assert len({err, parse_log("Key k not found in checkpoint")[0]}) == 1
    assert len({err, again}) == 2 and again.line == 2


# ---------------------------------------------------------------------------------------------
# explain_text, the kinds and their registry.


def test_explain_text_empty():
    assert explain_text([]) == "no known TensorFlow error found"
    assert explain_text(parse_log("all good\nINFO:tensorflow:Loss for final step: 0.1\n")) == (
        "no known TensorFlow error found")


def test_explain_text_names_the_error_and_says_what_to_do():
    errors = parse_log(read_log("tf215_estimator_eval_key_not_found.log"))
    text = explain_text(errors)
    lines = text.splitlines()
    assert lines[0] == "Found 1 known TensorFlow error."
    assert lines[2] == ("[1] line 49: A variable of the graph is missing from the checkpoint "
                        "(key-not-found-in-checkpoint)")
    assert "    name: class_0/sample_num_classid_0" in lines
    assert "    node: save/RestoreV2" in lines
    for label in ("What it means:", "Usual causes:", "What to do:"):
        assert sum(line.strip().startswith(label) for line in lines) == 1


def test_explain_text_explains_each_kind_once():
    text = explain_text(parse_log(read_log("several_errors.log")))
    assert text.startswith("Found 14 known TensorFlow errors.")
    assert text.count("[12] line 47:") == 1
    assert text.count("What to do:") == len({e.kind for e in parse_log(read_log("several_errors.log"))})
    assert "(explained under [3])" in text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_kind_explanations(kind):
    info = KINDS[kind]
    assert info.id == kind and info.triggers
    assert info.title and info.title[0].isupper() and not info.title.endswith(".")
    for body in (info.meaning, info.causes, info.fix):
        assert 40 <= len(body) <= 800
        assert body.endswith(".")
        # 2 to 4 sentences: a sentence ends with ". " before a capital letter (or at the end).
        assert 2 <= len(re.findall(r"[.!?](?=\s+[A-Z('\"]|\s*$)", body)) <= 4, body
    assert kind == kind.lower() and " " not in kind


def test_one_module_per_kind_named_after_it():
    modules = {type(kind).__module__.rsplit(".", 1)[-1]: kind.id for kind in all_kinds()}
    assert modules == {kind.replace("-", "_"): kind for kind in KINDS}
    assert [kind.id for kind in all_kinds()] == sorted(KINDS)  # the scan order, deterministic


def test_a_kind_id_is_registered_once():
    with pytest.raises(RuntimeError, match="defined twice"):
        type("Again", (Kind,), {"id": "restore-failed"})
    assert type(KINDS["restore-failed"]).__name__ == "RestoreFailed"


def details_found():
    """(kind, detail key) of every error in the logs and the one-message cases."""
    texts = [read_log(name) for name in sorted(EXPECTED)] + [case[0] for case in ONE_ERROR]
    return sorted({(e.kind, key) for text in texts for e in parse_log(text) for key in e.details})


def test_every_detail_has_a_label():
    """A kind labels its own detail keys and does not relabel the parser's."""
    for kind, key in details_found():
        assert key in COMMON_LABELS or key in KINDS[kind].labels, (kind, key)
    for kind in all_kinds():
        assert not set(kind.labels) & set(COMMON_LABELS), kind.id


def test_no_tensorflow_import():
    code = ("import sys\nfrom graphlint.explain import explain_text, parse_log\n"
            "explain_text(parse_log(open('tests/logs/several_errors.log').read()))\n"
            "sys.exit(1 if 'tensorflow' in sys.modules else 0)")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root)
    assert subprocess.run([sys.executable, "-c", code], env=env, cwd=root).returncode == 0


# ---------------------------------------------------------------------------------------------
# Robustness: arbitrary input never raises, and long lines stay linear.

FRAGMENTS = [
    "Key ", " not found in checkpoint", " not found in checkpoint file", "Tensor name \"",
    "\" not found in checkpoint files ", "The name '", "' refers to a Tensor which does not exist. The operation, '",
    "', does not exist in the graph.", " refers to an Operation not in the graph",
    "Assign requires shapes of both tensors to match. lhs shape= ", " rhs shape= ", "[10,3]", "(10, 3)",
    "[", "]", "(", ")", "'", "\"", "`", "\n", "\r\n", "\t [[{{node save/Assign}}]]",
    "[[Node: save/Assign_1 = Assign[_class=[\"loc:@v\"]](v, x)]]", "[[node save/RestoreV2 (defined at x.py:1) ]]",
    "Node: 'save/RestoreV2'", "Tensor Tensor(\"", "\", shape=(?, 3), dtype=float32)",
    " is not an element of this graph.", "Operation name: \"", " is not in graph", " must be from the same graph as ",
    "Tensor(\"a:0\")", "Variable ", " already exists, disallowed. Did you mean to set reuse=True",
    " does not exist, or was not created with tf.get_variable()", "Trying to share variable ",
    ", but specified shape ", " and found shape ", "Received incompatible tensor with shape ",
    " when attempting to restore variable with shape ", " and name ",
    "Trying to assign to variable with tensor with wrong shape. Expected ", " got ", "tensor_name = ",
    "; expected dtype int32 does not equal original dtype int64", "Expected to restore a tensor of type ",
    "Fetch argument ", "Argument `fetch` = ", " cannot be interpreted as a Tensor. (",
    " has invalid type <class 'NoneType'>", "Restoring parameters from ",
    "Restoring from checkpoint failed. This is most likely due to a Variable name or other graph key that is missing",
    "Unsuccessful TensorSliceReader constructor: Failed to find any matching files for ", " is not found in ",
    " checkpoint ", "Shape of variable ", "Originally defined at:", "  File \"x.py\", line 3, in f",
    "_CHECKPOINTABLE_OBJECT_GRAPH", "%s", "{}", "a/b", "x:0", " ", "é", "\x00", "\x1b[31m", "\u2028", "😀",
]

def check_invariants(text):
    errors = parse_log(text)
    assert errors == parse_log(text)  # deterministic
    n_lines = text.count("\n") + 1
    keys = set()
    for e in errors:
        assert e.kind in KINDS
        assert 1 <= e.line <= n_lines
        assert isinstance(e.names, tuple) and all(isinstance(n, str) and n for n in e.names)
        assert isinstance(e.text, str) and len(e.text) <= 1000
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in e.details.items())
        key = (e.kind, e.names) if e.names else (e.kind, e.names, tuple(sorted(e.details.items())))
        assert key not in keys
        keys.add(key)
    assert [(e.line, e.kind, e.names) for e in errors] == sorted((e.line, e.kind, e.names) for e in errors)
    text = explain_text(errors).split("\n")
    if not errors:
        assert text == ["no known TensorFlow error found"]
    else:
        assert text[0] == "Found %d known TensorFlow error%s." % (len(errors), "" if len(errors) == 1 else "s")
        headings = [ln for ln in text if re.match(r"\[\d+\] line \d+: ", ln)]
        assert headings == ["[%d] line %d: %s (%s)" % (n, e.line, KINDS[e.kind].title, e.kind)
                            for n, e in enumerate(errors, 1)]
    return errors


def random_log(rng, size):
    """Fragments of real messages, random unicode and random characters, glued at random."""
    parts = []
    for _ in range(size):
        r = rng.random()
        if r < 0.6:
            parts.append(rng.choice(FRAGMENTS))
        elif r < 0.8:
            parts.append("".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(1, 12))))
        else:
            parts.append("".join(chr(rng.randrange(0, 0x110000)) for _ in range(rng.randrange(1, 6))))
    return "".join(parts)


def test_random_logs_never_raise():
    """Runs with or without hypothesis: seeded random logs keep the invariants."""
    rng = random.Random(1234)
    for _ in range(400):
        check_invariants(random_log(rng, rng.randrange(0, 120)))
    for _ in range(20):
        check_invariants(rng.choice(FRAGMENTS) * rng.randrange(1000, 20000) + random_log(rng, 30))


try:  # hypothesis is a test extra; without it test_random_logs_never_raise still runs
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    pass
else:
    fragment_logs = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=80).map("".join)

    @settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.text())
    def test_arbitrary_text_never_raises(text):
        check_invariants(text)

    @settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(fragment_logs)
    def test_fragments_of_real_messages_never_raise(text):
        check_invariants(text)

    @settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.binary(max_size=2000))
    def test_arbitrary_bytes_never_raise(raw):
        assert parse_log(raw) == parse_log(raw.decode("utf-8", errors="replace"))

    @settings(max_examples=30, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.sampled_from(FRAGMENTS), st.integers(min_value=1000, max_value=20000), fragment_logs)
    def test_long_repeated_lines_never_raise(fragment, times, tail):
        check_invariants(fragment * times + tail)


# Repeated, a fragment's own words can read as a name: "... checkpoint file not found in checkpoint
# file" names "file". Garbage in; what matters is one error (merged), quoted briefly, quickly.
MEGABYTE_LINES = [(fragment, []) for fragment in [
    "a", " ", "[", "(", "'", "Key ", "Key a", "x" * 999 + " ", "Tensor name \"",
    "Assign requires shapes of both tensors to match. lhs shape= [", "Tensor Tensor(\"x\"",
    "x is not in graph ", " is not an element of this graph", " must be from the same graph as ", "Fetch argument ",
    " cannot be interpreted as a Tensor", "Trying to share variable x, but specified shape (",
    "Received incompatible tensor with shape (", "Restoring parameters from ", "Operation name: \"x\"",
    "[[Node: ", "[[{{node ", " is not found in ", "é", "\x00",
]] + [
    (" not found in checkpoint file", [("tensor-not-found-in-checkpoint-files", ("file",), 1)]),
    ("Key x not found in checkpoint ", [("key-not-found-in-checkpoint", ("x",), 1)]),
    ("The name 'x:0' refers to a Tensor which does not exist. ", [("tensor-not-in-graph", ("x:0",), 1)]),
    (" is not in graph", [("node-not-in-graph-def", ("graph",), 1)]),
    ("Unsuccessful TensorSliceReader constructor: Failed to find any matching files for ",
     [("checkpoint-not-found", ("Unsuccessful",), 1)]),
]


@pytest.mark.parametrize("fragment,expected", MEGABYTE_LINES, ids=[repr(f[0][:30]) for f in MEGABYTE_LINES])
def test_one_megabyte_line(fragment, expected):
    """A 1 MB line of one repeated fragment is parsed (linear patterns: this finishes quickly)."""
    line = fragment * (1_000_000 // len(fragment) + 1)
    errors = parse_log(line)
    assert found(errors) == expected
    assert all(len(e.text) <= 1000 for e in errors)


def test_error_in_the_middle_of_a_huge_line():
    line = "x" * 500_000 + " NotFoundError: Key big/one not found in checkpoint " + "y" * 500_000
    (err,) = parse_log("first line\n" + line)
    assert (err.kind, err.names, err.line) == ("key-not-found-in-checkpoint", ("big/one",), 2)
    assert "Key big/one not found in checkpoint" in err.text and len(err.text) < 700
