"""Recognise known TensorFlow failures in the text of a log (the core of ``graphlint explain LOG``).

This module must stay importable without TensorFlow: it only reads text.

    errors = parse_log(open("train.log", encoding="utf-8", errors="replace").read())
    print(explain_text(errors))

Each message template below was taken from the TensorFlow sources (Python raise sites and the
C++ kernels' status strings) of TF 1.x and TF 2.x, and checked against logs of real failing runs
on TF 2.15 and 2.21. Log prefixes (``2021-03-04 10:11:12.123456: W tensorflow/...]``,
``E0304 10:11:12.123 ...``, ``INFO:tensorflow:``), tracebacks and exception chains around the
messages do not matter: the messages are searched for anywhere in a line.

Performance: every pattern starts with a fixed literal and every variable part has a bounded
length (no nested or unbounded quantifiers), and each line is only searched by the patterns whose
trigger substring it contains, so a line costs linear time even when it is megabytes long.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["LogError", "Explanation", "KINDS", "parse_log", "explain_text"]


@dataclass(frozen=True)
class LogError:
    """One known TensorFlow error found in a log."""

    kind: str  # stable id, a key of KINDS, e.g. "key-not-found-in-checkpoint"
    names: tuple  # graph/checkpoint names extracted from the message, e.g. ("class_0/sample_num_classid_0",)
    line: int  # 1-based line of the log where it was first found
    text: str  # the matched log line, trimmed (a window around the match when the line is long)
    details: dict = field(default_factory=dict, hash=False)  # kind-specific extras, all str values


@dataclass(frozen=True)
class Explanation:
    """Plain-English help for one kind of error."""

    title: str
    meaning: str  # what it means
    causes: str  # usual causes
    fix: str  # what to do


KINDS: dict[str, Explanation] = {
    "key-not-found-in-checkpoint": Explanation(
        title="A variable of the graph is missing from the checkpoint",
        meaning=(
            "The Saver of the graph being run asked the checkpoint for a variable by name, and the "
            "checkpoint has no entry of that name, so the restore (the save/RestoreV2 op) failed. "
            "TensorFlow names only the first missing key; there may be more."
        ),
        causes=(
            "In Estimator code the usual cause is a global variable (get_variable, tf.Variable) "
            "created only in some modes, for example inside `if mode != TRAIN:`. Training never "
            "created it, so the checkpoint lacks it, and evaluation or prediction fails at restore. "
            "Other causes are a variable or scope renamed since the checkpoint was written, a changed "
            "model or optimizer (new layers, Adam/Momentum slots), or a model_dir holding another "
            "model's checkpoint."
        ),
        fix=(
            "Build the same variables in every mode and make only the fetching of results depend on "
            "the mode. Counters that only evaluation needs belong in local variables "
            "(tf.compat.v1.metrics, or collections=[LOCAL_VARIABLES]), which the Saver does not "
            "restore. To see what the checkpoint holds, compare the graph's variable names with "
            "tf.train.list_variables(checkpoint)."
        ),
    ),
    "tensor-not-found-in-checkpoint-files": Explanation(
        title="A tensor is missing from a (V1-format) checkpoint",
        meaning=(
            "A restore or a checkpoint reader asked for a tensor by name and the checkpoint files do "
            "not contain it. This wording comes from the older V1 checkpoint format and from the "
            "checkpoint reader; it means the same as 'Key ... not found in checkpoint'."
        ),
        causes=(
            "The graph has a variable that the checkpoint does not. Usually it is created only in "
            "some modes, it was renamed (or its scope was), or the checkpoint was written by a "
            "different model."
        ),
        fix=(
            "Build the same variables in every mode, or restore only the variables the checkpoint "
            "has (a Saver with an explicit var_list, or warm-starting). List what the checkpoint "
            "holds with tf.train.list_variables(checkpoint)."
        ),
    ),
    "warm-start-tensor-not-in-checkpoint": Explanation(
        title="Warm-start asked for a tensor the checkpoint does not have",
        meaning=(
            "tf.compat.v1.train.init_from_checkpoint, which Estimator warm-starting uses, was given "
            "an assignment map that names a tensor missing from the checkpoint. Nothing was "
            "initialised from the checkpoint."
        ),
        causes=(
            "Most often a typo or a stale name in the assignment map or WarmStartSettings. It also "
            "happens when the scopes differ between the old and the new model, or when the path "
            "points at the wrong checkpoint."
        ),
        fix=(
            "Print the checkpoint's names with tf.train.list_variables(checkpoint). Then correct the "
            "map so that each checkpoint-side name is one of them."
        ),
    ),
    "shape-mismatch-on-restore": Explanation(
        title="A variable's shape differs from the checkpoint's",
        meaning=(
            "A value could not be assigned to a variable because the shapes differ. In the details, "
            "lhs_shape is the variable's shape in the current graph and rhs_shape is the shape of "
            "the value, on restore the value stored in the checkpoint. When the node is a "
            "save/Assign or save/AssignVariableOp node, this happened while restoring a checkpoint."
        ),
        causes=(
            "The model changed since the checkpoint was written: a different number of classes, "
            "features, vocabulary size or hidden units, or a model_dir shared by two "
            "configurations. Less often two variables swapped names, so each gets the other's value."
        ),
        fix=(
            "Use a fresh model_dir when the shapes are meant to change, or restore only the "
            "unchanged variables (warm-starting with vars_to_warm_start) and initialise the rest. "
            "If the shapes should not have changed, compare the params used for training with the "
            "ones used now."
        ),
    ),
    "dtype-mismatch-on-restore": Explanation(
        title="A variable's dtype differs from the checkpoint's",
        meaning=(
            "The restore expected a tensor of one dtype but the checkpoint stores it with another. "
            "In the details, graph_dtype is the variable's dtype in the current graph and "
            "checkpoint_dtype the stored one."
        ),
        causes=(
            "The variable is now created with a different dtype than when the checkpoint was "
            "written. Typical examples are global_step as int32 instead of int64, and float64 "
            "instead of float32 after a change of floatx or of an initializer's dtype."
        ),
        fix=(
            "Create the variable with the checkpoint's dtype; the checkpoint reader "
            "(tf.train.load_checkpoint(path).get_variable_to_dtype_map()) shows the stored ones. "
            "Cast where another dtype is needed instead of changing the variable."
        ),
    ),
    "checkpoint-not-found": Explanation(
        title="No checkpoint at the given path",
        meaning=(
            "The path given for a checkpoint, or the model_dir searched for one, matches no "
            "checkpoint files. Nothing could be read or restored from it."
        ),
        causes=(
            "A wrong or relative path, or a checkpoint prefix given with a file suffix (.index, "
            ".data-00000-of-00001, .meta). Also a model_dir whose training never saved a "
            "checkpoint, or a 'checkpoint' state file that points at deleted or moved files."
        ),
        fix=(
            "Pass the checkpoint prefix (for example model_dir/model.ckpt-1000), or use "
            "tf.train.latest_checkpoint(model_dir), and check that the .index and .data files exist "
            "there. For Estimator evaluation, train and save before evaluating."
        ),
    ),
    "restore-failed": Explanation(
        title="Restoring from the checkpoint failed",
        meaning=(
            "Saver.restore failed and wrapped the original error in this message. The original "
            "error is not in the log; it may have been cut off."
        ),
        causes=(
            "Reason missing-key: a variable of the graph is missing from the checkpoint. Reason "
            "graph-mismatch: the graph no longer matches the checkpoint, for example a changed shape "
            "or dtype."
        ),
        fix=(
            "Find the part of the message after 'Original error:' in the full log; it names the "
            "variable concerned. Then compare the graph's variables with "
            "tf.train.list_variables(checkpoint)."
        ),
    ),
    "tensor-not-in-graph": Explanation(
        title="A tensor was asked for by a name that the graph does not have",
        meaning=(
            "Code looked up a tensor by its name, as a hook's fetch, a feed_dict key or with "
            "get_tensor_by_name. No operation of that name exists in the graph being run, or it "
            "exists but has fewer outputs than the index asked for."
        ),
        causes=(
            "In Estimator code the op is often created only in some modes, or it got another name "
            "than expected. Re-entering tf.compat.v1.variable_scope('x') by its string name reuses "
            "the variable scope but opens a fresh, uniquified name scope ('x_1'), so its ops are "
            "named 'x_1/...'. A name scope or a layer created twice gets a '_1' suffix the same way."
        ),
        fix=(
            "Keep the tensor objects instead of their names: pass them to the hook, or put them in "
            "the EstimatorSpec (eval_metric_ops), rather than rebuilding names as strings. If a name "
            "must be used, print [op.name for op in graph.get_operations()] to see the real one. "
            "Build the same ops in every mode that fetches them."
        ),
    ),
    "operation-not-in-graph": Explanation(
        title="An operation was asked for by a name that the graph does not have",
        meaning=(
            "Code looked up an operation by its name, as a fetch or a run target without ':0'. The "
            "graph being run has no operation of that name."
        ),
        causes=(
            "The op is created only in some modes, or it was given another name. The name may also "
            "have got a uniquifying suffix ('_1') because a scope or op of that name already existed."
        ),
        fix=(
            "Pass the operation object instead of its name, or look up the real name with "
            "[op.name for op in graph.get_operations()]. Build the op in every mode that runs it."
        ),
    ),
    "not-an-element-of-graph": Explanation(
        title="A tensor or operation from another graph was used",
        meaning=(
            "A session was asked to run or feed a tensor (or an operation) that belongs to a "
            "different tf.Graph than the session's. Each graph only runs its own ops."
        ),
        causes=(
            "Objects kept across graphs: Estimator builds a new graph for each train, evaluate and "
            "predict call, so tensors captured from one model_fn call (in a hook's constructor, a "
            "global, a closure) are stale in the next. Other causes are a model loaded in one graph "
            "and used from another thread or web request, and tf.compat.v1.reset_default_graph() "
            "between building and running."
        ),
        fix=(
            "Create or look up the tensors in the graph that runs them: in a hook, do it in begin() "
            "rather than in __init__, or pass them through the EstimatorSpec. Keep a reference to "
            "the graph and enter it with graph.as_default() when running from other threads."
        ),
    ),
    "tensors-from-different-graphs": Explanation(
        title="An op was built from tensors of two different graphs",
        meaning=(
            "An operation was given inputs that belong to different tf.Graph objects. Every input of "
            "an op must come from the same graph as the op."
        ),
        causes=(
            "A tensor or variable created outside model_fn, or in an earlier Estimator call, was "
            "mixed with tensors of the graph Estimator is building now. A tensor kept across "
            "tf.compat.v1.reset_default_graph() does the same."
        ),
        fix=(
            "Create every tensor that model_fn uses inside model_fn (and data tensors inside "
            "input_fn). Pass plain Python or numpy values, not tensors, from one call to the next."
        ),
    ),
    "node-not-in-graph-def": Explanation(
        title="A node name is not in the GraphDef",
        meaning=(
            "A graph utility (convert_variables_to_constants or extract_sub_graph, used when freezing "
            "or exporting) was given a node name. The GraphDef has no node of that name."
        ),
        causes=(
            "A wrong output node name. Common slips are a tensor name with ':0' where a node name is "
            "wanted, a missing scope prefix, and an op that got a uniquifying suffix ('_1')."
        ),
        fix=(
            "Give node names without ':0', copied from [n.name for n in graph_def.node]. Name the "
            "output ops explicitly with tf.identity(x, name=...) when building the model."
        ),
    ),
    "variable-already-exists": Explanation(
        title="A variable was created twice",
        meaning=(
            "tf.compat.v1.get_variable was asked to create a variable whose full name already exists "
            "in the variable store. Reuse was not enabled, so TensorFlow refused."
        ),
        causes=(
            "model_fn or a network function called twice in the same graph, for example once for "
            "training and once for evaluation logits, or in a tower loop. It also happens when a "
            "layer is built twice under the same scope or two variables get the same name by mistake."
        ),
        fix=(
            "Share deliberately with tf.compat.v1.variable_scope(scope, "
            "reuse=tf.compat.v1.AUTO_REUSE) around the second use, or give the second variable a "
            "different name. The 'Originally defined at' part of the message shows where the first "
            "one was made."
        ),
    ),
    "variable-does-not-exist": Explanation(
        title="A variable was reused before it was created",
        meaning=(
            "tf.compat.v1.get_variable ran in a scope with reuse=True, and no variable of that name "
            "exists yet. A variable made with tf.Variable does not count: the store does not track it."
        ),
        causes=(
            "reuse=True set on the first call, or a scope name that differs between the creating and "
            "the reusing call (a uniquified 'x_1' scope, a missing prefix). The variable may also be "
            "made only in some modes or code paths."
        ),
        fix=(
            "Use reuse=tf.compat.v1.AUTO_REUSE, which creates on first use and reuses after. Create "
            "the variable with get_variable under the same scope name each time."
        ),
    ),
    "variable-share-mismatch": Explanation(
        title="A shared variable was asked for with another shape or dtype",
        meaning=(
            "tf.compat.v1.get_variable reused an existing variable, but the call asked for a "
            "different shape or dtype. The details say what differs, what was asked for and what "
            "exists."
        ),
        causes=(
            "Two different variables were given the same name under a reusing scope. Or the shape "
            "depends on the input or on params that differ between the two calls."
        ),
        fix=(
            "Give the two variables different names if they are different variables. If they are "
            "one variable, make both calls ask for the same shape and dtype."
        ),
    ),
    "invalid-fetch-type": Explanation(
        title="A session was asked to fetch something that is not a tensor or op",
        meaning=(
            "Session.run, called directly or with a SessionRunHook's SessionRunArgs, got a fetch "
            "that is neither a tensor, an operation nor a name of one. Most often the fetch was None."
        ),
        causes=(
            "A function that returns None by accident: a missing return, an op built only in some "
            "modes, or train_op=None in EVAL. A Python number or object put into the fetches does "
            "the same."
        ),
        fix=(
            "Check each value put into SessionRunArgs or Session.run before running. Leave out the "
            "fetches that do not exist in the current mode."
        ),
    ),
}

# ----------------------------------------------------------------------------------------------
# Patterns. Every one starts with a literal and has only bounded, non-nested quantifiers.


class _Pattern:
    """re.compile(pattern), compiled when first used: compiling all the patterns below costs half
    as much as scanning a 5,000-line log, and a log needs only those of the messages it holds."""

    def __init__(self, pattern: str):
        self.pattern = pattern

    def __getattr__(self, attr):  # called only until the first use: then the methods are attributes
        compiled = re.compile(self.pattern)
        for name in ("search", "match", "fullmatch", "finditer", "findall", "sub", "split"):
            setattr(self, name, getattr(compiled, name))
        return getattr(compiled, attr)


_N = "{1,1000}"  # bound on a name's length
_S = "{0,200}"  # bound on a shape's text

_KEY = _Pattern(r"\bKey ['\"`]?(?P<name>[^\s'\"`]" + _N + r")['\"`]? not found in checkpoint\b")
_TENSOR_V1 = _Pattern(
    r"Tensor name (?:\"(?P<q2>[^\"\n]" + _N + r")\"|'(?P<q1>[^'\n]" + _N + r")'|(?P<bare>\S" + _N + r"))"
    r" not found in checkpoint files?(?: (?P<path>\S{1,4000}))?"
)
_READER_MISSING = " not found in checkpoint file"  # "<name> not found in checkpoint file" (V1 reader)
_WARM_START = _Pattern(
    r"Tensor (?P<name>\S" + _N + r")(?: \((?P<var>[^\s()]" + _N + r") in (?P<prefix>[^\s()]" + _N + r")\))?"
    r" is not found in (?P<path>\S{1,4000}) checkpoint\b"
)
_ASSIGN = _Pattern(
    r"Assign requires shapes of both tensors to match\. ?lhs shape= ?(?P<lhs>\[[^\]\n]" + _S + r"\])"
    r" ?rhs shape= ?(?P<rhs>\[[^\]\n]" + _S + r"\])"
)
_SHAPE = r"(?:\[[^\]\n]" + _S + r"\]|\([^()\n]" + _S + r"\)|<unknown>)"
_ASSIGN_VAR = _Pattern(
    r"Trying to assign to variable with tensor with wrong shape\. Expected (?P<lhs>" + _SHAPE + r") got (?P<rhs>"
    + _SHAPE + r")"
)
_RECEIVED = _Pattern(
    r"Received incompatible tensor with shape (?P<rhs>" + _SHAPE + r") when attempting to restore variable "
    r"with shape (?P<lhs>" + _SHAPE + r") and name (?P<name>\S" + _N + r")"
)
_WARM_SHAPE = _Pattern(
    r"Shape of variable (?P<name>\S" + _N + r") \((?P<lhs>" + _SHAPE + r")\) doesn't match with shape of "
    r"tensor (?P<key>\S" + _N + r") \((?P<rhs>" + _SHAPE + r")\) from checkpoint reader"
)
_DTYPE_V2 = _Pattern(
    r"tensor_name = (?P<name>[^\s;]" + _N + r"); expected dtype (?P<graph>\w{1,40}) does not equal "
    r"original dtype (?P<ckpt>\w{1,40})"
)
_DTYPE_V1 = _Pattern(
    r"Expected to restore a tensor of type (?P<graph>\w{1,40}), got a tensor of type (?P<ckpt>\w{1,40}) "
    r"instead: tensor_name = (?P<name>\S" + _N + r")"
)
_CKPT_MISSING = _Pattern(
    r"(?:Unsuccessful TensorSliceReader constructor: Failed to (?:find any matching files for|get matching "
    r"files on)|The passed save_path is not a valid checkpoint:|Could not find trained model in model_dir:) "
    r"(?P<path>[^\s,]{1,4000})"
)
_RESTORE_WRAP = _Pattern(
    r"Restoring from checkpoint failed\. This is most likely due to (?P<why>a Variable name or other graph "
    r"key that is missing|a mismatch between the current graph and the graph)"
)
_TENSOR_MISSING = _Pattern(
    r"The name ['\"]?(?P<name>[^\s'\"]" + _N + r")['\"]? refers to a Tensor which does not exist\."
    r"(?: ?The operation, ['\"]?(?P<op>[^\s'\",]" + _N + r")['\"]?, (?:(?P<noop>does not exist in the graph)"
    r"|exists but only has (?P<outputs>\d{1,9}) outputs))?"
)
_OP_MISSING = _Pattern(
    r"The name ['\"]?(?P<name>[^\s'\"]" + _N + r")['\"]? refers to an Operation not in the graph"
)
_ELEMENT_TENSOR = _Pattern(r"Tensor Tensor\(\"(?P<name>[^\"\n]" + _N + r")\"")
_ELEMENT_TAIL = " is not an element of this graph"
_OP_NAME = _Pattern(r"Operation name: \"(?P<name>[^\"\n]" + _N + r")\"")
_SAME_GRAPH = " must be from the same graph as "
_TENSOR_REPR = _Pattern(r"Tensor\(\"(?P<name>[^\"\n]" + _N + r")\"")
_TF_REPR = _Pattern(r"<tf\.(?:Tensor|Operation) '(?P<name>[^'\n]" + _N + r")'")
_NOT_IN_GRAPH = " is not in graph"
_GRAPH_NAME = _Pattern(r"[\w./:\-]" + _N)
# Words that end up before " is not in graph" in prose rather than node names.
_STOPWORDS = frozenset({"it", "this", "that", "which", "what", "node", "tensor", "op", "operation", "name",
                        "variable", "is", "not", "and", "or", "but", "one", "something"})
_EXISTS = _Pattern(
    r"Variable (?P<name>\S" + _N + r") already exists, disallowed\. Did you mean to set reuse=True"
)
_NOT_EXIST = _Pattern(
    r"Variable (?P<name>\S" + _N + r") does not exist, or was not created with tf\.get_variable\(\)"
)
_SHARE = _Pattern(
    r"Trying to share variable (?P<name>[^\s,]" + _N + r"), but specified (?P<what>shape|dtype) "
    r"(?P<spec>" + _SHAPE + r"|\w{1,40}) and found (?:shape|dtype) (?P<found>" + _SHAPE + r"|\w{1,40})"
)
_FETCH_TAIL = " cannot be interpreted as a Tensor"
_FETCH_HEADS = ("Fetch argument ", "Argument `fetch` = ")  # TF 1.x, TF 2.x
_FEED_HEAD = "Cannot interpret feed_dict key as Tensor: "
_INVALID_FETCH = _Pattern(
    r"(?:Fetch argument|Argument `fetch` =) (?P<fetch>[^\s]{1,200}(?: of [^\s]{1,200})?) has invalid type "
    r"['\"<]?(?:class |type )?['\"]?(?P<type>[\w.]{1,200})"
)
_DEFINED_AT = _Pattern(r"File \"[^\"\n]{1,1000}\", line \d{1,9}(?:, in \S{1,200})?")
_TF_FRAME = _Pattern(r"[/\\](?:tensorflow|tensorflow_core|tensorflow_estimator|tf_keras|keras)[/\\]")
_RESTORING_FROM = _Pattern(r"Restoring parameters from (?P<path>\S{1,4000})")

# Node lines that follow (or, "Node: 'x'", precede) an op error.
_NODE_OLD = _Pattern(r"\[\[Node: (?P<node>[^\s=\]]" + _N + r") = (?P<op>\w{1,64})")  # TF <= 1.11
_NODE_BRACES = _Pattern(r"\[\[\{\{node (?P<node>[^\s}]" + _N + r")\}\}(?: = (?P<op>\w{1,64}))?")  # 1.12+
_NODE_PLAIN = _Pattern(r"\[\[node (?P<node>[^\s\]]" + _N + r")")  # 1.13+ "(defined at ...)"
_NODE_LABEL = _Pattern(r"^\s{0,40}Node: '(?P<node>[^'\n]" + _N + r")'\s{0,40}$")  # TF 2.9+ line before
_LOC_CLASS = _Pattern(r"_class=\[\"loc:@(?P<name>[^\"\]\n]" + _N + r")\"")
_FIRST_INPUT = _Pattern(r"\]\((?P<name>[^\s,()^]" + _N + r")[,)]")

# Traceback source lines show the templates themselves: "Tensor %s is not found in %s checkpoint".
_PLACEHOLDER = _Pattern(r"%[-#0 +]{0,3}\d{0,3}[srdi]|[{}]")
# Every message above contains one of these; a line with none of them is skipped.
_TRIGGER = _Pattern(
    r"checkpoint|shape|dtype|tensor of type|model_dir|TensorSliceReader|The name |is not an element|"
    r"must be from the same graph|is not in graph|Variable |has invalid type"
)
_ANSI = _Pattern(r"\x1b\[[0-9;]{0,20}[A-Za-z]")

# The checkpoint reader's probe for an object-based checkpoint fails with "Key
# _CHECKPOINTABLE_OBJECT_GRAPH not found in checkpoint" on every name-based checkpoint: noise.
_INTERNAL_KEYS = ("_CHECKPOINTABLE_OBJECT_GRAPH",)

_RESTORE_KINDS = frozenset({
    "key-not-found-in-checkpoint", "tensor-not-found-in-checkpoint-files", "shape-mismatch-on-restore",
    "dtype-mismatch-on-restore", "checkpoint-not-found",
})
# For errors that carry no name, which details tell two of them apart.
_IDENTITY = {
    "shape-mismatch-on-restore": ("lhs_shape", "rhs_shape"),
    "restore-failed": ("reason",),  # never named: it never takes a name either
    "invalid-fetch-type": ("fetch", "type"),  # never named
}
_FETCH_KINDS = ("tensor-not-in-graph", "operation-not-in-graph", "not-an-element-of-graph")

_MAX_TEXT = 400
_MAX_HITS_PER_LINE = 64
_AFTER = 2000  # characters after a message searched for its "[[node ...]]" on the same line
_NEARBY = 300  # lines apart within which two sightings can be one error (a traceback chain's length)
_RESTORE_WINDOW = 200  # lines after "Restoring parameters from X" in which a restore error is X's
_LOOKAHEAD = 3  # lines searched after an op error for its "[[node ...]]" line
_OP_LOOKBACK = 400  # lines between "Operation name: ..." and "... is not an element of this graph"


# ----------------------------------------------------------------------------------------------


def _clean(name: str) -> str:
    """A name without surrounding quotes/backticks and trailing sentence punctuation."""
    name = name.strip()
    while name and name[-1] in ".,;)":
        name = name[:-1]
    return name.strip("'\"`")


def _var_name(name: str) -> str:
    """A variable's name as a checkpoint key: 'dense/kernel:0' -> 'dense/kernel'."""
    name = _clean(name)
    return name[:-2] if name.endswith(":0") else name


def _shape(text: str) -> str:
    """'(10, 3)' or '[10,3]' -> '[10,3]'; 'None' dims -> '?'; '<unknown>' stays."""
    text = text.strip()
    if text == "<unknown>":
        return text
    dims = [d.strip() for d in text[1:-1].split(",")]
    dims = ["?" if d in ("None", "-1") else d for d in dims if d]
    return "[" + ",".join(dims) + "]"


def _snippet(line: str, start: int, end: int) -> str:
    """The line, trimmed; for a long line a window around [start, end) (never a copy of the whole line)."""
    if len(line) <= 2 * _MAX_TEXT:
        text = line.strip()
        if len(text) <= _MAX_TEXT:
            return text
    lo = max(0, start - 100)
    hi = min(len(line), max(end, lo + _MAX_TEXT - 100) + 100)
    out = line[lo:hi].strip()
    return ("…" if lo > 0 else "") + out + ("…" if hi < len(line) else "")


class _Hit:
    __slots__ = ("kind", "names", "line", "text", "details")

    def __init__(self, kind, names, line, text, details):
        self.kind, self.names, self.line, self.text, self.details = kind, names, line, text, details


class _Parser:
    def __init__(self, lines: list):
        self.lines = lines
        self.hits: list = []
        self.checkpoint: tuple | None = None  # (index, path) of the last "Restoring parameters from X"
        self.index = 0  # the line being scanned
        self.op_name: tuple | None = None  # (index, name) of the last "Operation name: "X""
        self.line_hits = 0

    # -- helpers ---------------------------------------------------------------------------------

    def add(self, kind, names, i, line, m_start, m_end, details=None):
        if self.line_hits >= _MAX_HITS_PER_LINE:
            return None  # no real line holds this many errors: a flood of repeats, or garbage
        self.line_hits += 1
        names = tuple(n for n in names if n)
        if any(_PLACEHOLDER.search(n) for n in names):
            return None  # a message template in a traceback's source line, not a message
        self.hits.append(_Hit(kind, names, i + 1, _snippet(line, m_start, m_end), dict(details or {})))
        return self.hits[-1]

    def node_info(self, i: int, after: str) -> dict:
        """The op node of an error at line i: from the rest of the line, the next lines, or 'Node:' before."""
        out: dict = {}
        candidates = [after]
        for j in range(i + 1, min(len(self.lines), i + 1 + _LOOKAHEAD)):
            nxt = self.lines[j][:_AFTER]
            if nxt.lstrip().startswith("[["):
                candidates.append(nxt)
            elif nxt.strip():
                break
        for text in candidates:
            if "[[" not in text:
                continue
            for pat in (_NODE_OLD, _NODE_BRACES, _NODE_PLAIN):
                m = pat.search(text)
                if m:
                    out["node"] = m.group("node")
                    op = m.groupdict().get("op")
                    if op and op.startswith("Assign"):
                        var = _FIRST_INPUT.search(text, m.end()) or _LOC_CLASS.search(text, m.end())
                        if var:
                            out["variable"] = _var_name(var.group("name"))
                    return out
        before = self.lines[i - 1][:_AFTER] if i > 0 else ""
        if "Node: '" in before:
            m = _NODE_LABEL.search(before)
            if m:
                out["node"] = m.group("node")
        return out

    def restore_context(self, details: dict) -> dict:
        """Note the checkpoint of a recent 'Restoring parameters from X' on a restore error."""
        if self.checkpoint and "checkpoint" not in details and self.index - self.checkpoint[0] <= _RESTORE_WINDOW:
            details["checkpoint"] = self.checkpoint[1]
        return details

    # -- the scan ----------------------------------------------------------------------------------

    def run(self) -> None:
        for i, line in enumerate(self.lines):
            if "Restoring parameters from " in line:
                m = _RESTORING_FROM.search(line)
                if m:
                    self.checkpoint = (i, _clean(m.group("path")))
            if "Operation name: \"" in line:
                m = _OP_NAME.search(line)
                if m:
                    self.op_name = (i, m.group("name"))
            first = len(self.hits)
            self.line_hits = 0
            self.index = i
            if _TRIGGER.search(line) is None:
                continue  # most lines of a log: nothing to look at
            self.scan_line(i, line)
            if len(self.hits) > first:
                self.fetch_wrapper(i, line, first)

    def scan_line(self, i: int, line: str) -> None:  # noqa: C901 - one branch per message family
        if "not found in checkpoint" in line:
            for m in _KEY.finditer(line):
                if self.line_hits >= _MAX_HITS_PER_LINE:
                    break
                name = _clean(m.group("name"))
                if name.startswith(_INTERNAL_KEYS):
                    continue
                d = self.restore_context(self.node_info(i, line[m.end():m.end() + _AFTER]))
                d.pop("variable", None)
                self.add("key-not-found-in-checkpoint", (name,), i, line, m.start(), m.end(), d)
            if "Tensor name " in line:
                for m in _TENSOR_V1.finditer(line):
                    if self.line_hits >= _MAX_HITS_PER_LINE:
                        break
                    name = _clean(m.group("q2") or m.group("q1") or m.group("bare") or "")
                    if not name or name.startswith(_INTERNAL_KEYS):
                        continue
                    d = self.node_info(i, line[m.end():m.end() + _AFTER])
                    d.pop("variable", None)
                    if m.group("path"):
                        d["checkpoint"] = _clean(m.group("path"))
                    self.add("tensor-not-found-in-checkpoint-files", (name,), i, line, m.start(), m.end(),
                             self.restore_context(d))
            self.reader_missing(i, line)
        if " is not found in " in line:
            for m in _WARM_START.finditer(line):
                if self.line_hits >= _MAX_HITS_PER_LINE:
                    break
                d = {"checkpoint": _clean(m.group("path"))}
                if m.group("var"):
                    d["variable"] = m.group("var")
                self.add("warm-start-tensor-not-in-checkpoint", (_clean(m.group("name")),), i, line,
                         m.start(), m.end(), d)
        if "shape" in line:
            self.shape_errors(i, line)
        if "dtype" in line or "tensor of type" in line:
            for pat in (_DTYPE_V2, _DTYPE_V1):
                for m in pat.finditer(line):
                    if self.line_hits >= _MAX_HITS_PER_LINE:
                        break
                    d = self.node_info(i, line[m.end():m.end() + _AFTER])
                    d.pop("variable", None)
                    d.update(graph_dtype=m.group("graph"), checkpoint_dtype=m.group("ckpt"))
                    self.add("dtype-mismatch-on-restore", (_clean(m.group("name")),), i, line, m.start(), m.end(),
                             self.restore_context(d))
        if "checkpoint" in line or "model_dir" in line or "TensorSliceReader" in line:
            for m in _CKPT_MISSING.finditer(line):
                if self.line_hits >= _MAX_HITS_PER_LINE:
                    break
                path = _clean(m.group("path"))
                self.add("checkpoint-not-found", (path,), i, line, m.start(), m.end())
            if "Restoring from checkpoint failed" in line:
                for m in _RESTORE_WRAP.finditer(line):
                    if self.line_hits >= _MAX_HITS_PER_LINE:
                        break
                    why = "missing-key" if m.group("why").startswith("a Variable") else "graph-mismatch"
                    self.add("restore-failed", (), i, line, m.start(), m.end(), self.restore_context({"reason": why}))
        if "The name " in line:
            for m in _TENSOR_MISSING.finditer(line):
                if self.line_hits >= _MAX_HITS_PER_LINE:
                    break
                d = {}
                if m.group("op"):
                    d["operation"] = _clean(m.group("op"))
                if m.group("outputs"):
                    d["outputs"] = m.group("outputs")
                self.add("tensor-not-in-graph", (_clean(m.group("name")),), i, line, m.start(), m.end(), d)
            for m in _OP_MISSING.finditer(line):
                if self.line_hits >= _MAX_HITS_PER_LINE:
                    break
                self.add("operation-not-in-graph", (_clean(m.group("name")),), i, line, m.start(), m.end())
        if _ELEMENT_TAIL in line:
            self.not_an_element(i, line)
        if _SAME_GRAPH in line:
            self.different_graphs(i, line)
        if _NOT_IN_GRAPH in line:
            self.not_in_graph_def(i, line)
        if "Variable " in line:
            for m in _EXISTS.finditer(line):
                if self.line_hits >= _MAX_HITS_PER_LINE:
                    break
                d = {}
                defined = self.defined_at(i)
                if defined:
                    d["originally_defined_at"] = defined
                self.add("variable-already-exists", (_clean(m.group("name")),), i, line, m.start(), m.end(), d)
            for m in _NOT_EXIST.finditer(line):
                if self.line_hits >= _MAX_HITS_PER_LINE:
                    break
                self.add("variable-does-not-exist", (_clean(m.group("name")),), i, line, m.start(), m.end())
        if "Trying to share variable " in line:
            for m in _SHARE.finditer(line):
                if self.line_hits >= _MAX_HITS_PER_LINE:
                    break
                what = m.group("what")
                conv = _shape if what == "shape" else (lambda s: s)
                d = {"what": what, "specified": conv(m.group("spec")), "found": conv(m.group("found"))}
                self.add("variable-share-mismatch", (_clean(m.group("name")),), i, line, m.start(), m.end(), d)
        if "has invalid type" in line:
            for m in _INVALID_FETCH.finditer(line):
                if self.line_hits >= _MAX_HITS_PER_LINE:
                    break
                d = {"fetch": m.group("fetch").split(" of ")[0], "type": m.group("type")}
                self.add("invalid-fetch-type", (), i, line, m.start(), m.end(), d)

    def reader_missing(self, i: int, line: str) -> None:
        """'<name> not found in checkpoint file' from the checkpoint reader (not '... files <path>')."""
        pos = line.find(_READER_MISSING)
        while pos >= 0 and self.line_hits < _MAX_HITS_PER_LINE:
            end = pos + len(_READER_MISSING)
            nxt = line[end:end + 1]
            if nxt != "s" and not nxt.isalnum():
                head = line[max(0, pos - 1000):pos]
                token = head.rsplit(None, 1)[-1] if head.strip() else ""
                name = _clean(token)
                if (name and not name.startswith(_INTERNAL_KEYS) and not token.endswith('"')
                        and _GRAPH_NAME.fullmatch(name) and not head.endswith("Key " + token)):
                    self.add("tensor-not-found-in-checkpoint-files", (name,), i, line, pos - len(token), end,
                             self.restore_context({}))
            pos = line.find(_READER_MISSING, end)

    def shape_errors(self, i: int, line: str) -> None:
        for trigger, pattern in (("Assign requires shapes", _ASSIGN), ("Trying to assign to variable", _ASSIGN_VAR)):
            if trigger not in line:
                continue
            for m in pattern.finditer(line):
                if self.line_hits >= _MAX_HITS_PER_LINE:
                    break
                d = self.node_info(i, line[m.end():m.end() + _AFTER])
                d.update(lhs_shape=_shape(m.group("lhs")), rhs_shape=_shape(m.group("rhs")))
                names = (d["variable"],) if "variable" in d else ()
                self.add("shape-mismatch-on-restore", names, i, line, m.start(), m.end(), self.restore_context(d))
        if "Received incompatible tensor" in line:
            for m in _RECEIVED.finditer(line):
                if self.line_hits >= _MAX_HITS_PER_LINE:
                    break
                name = _var_name(m.group("name"))
                d = {"lhs_shape": _shape(m.group("lhs")), "rhs_shape": _shape(m.group("rhs")), "variable": name}
                self.add("shape-mismatch-on-restore", (name,), i, line, m.start(), m.end(), self.restore_context(d))
        if "Shape of variable " in line:
            for m in _WARM_SHAPE.finditer(line):
                if self.line_hits >= _MAX_HITS_PER_LINE:
                    break
                name = _var_name(m.group("name"))
                d = {"lhs_shape": _shape(m.group("lhs")), "rhs_shape": _shape(m.group("rhs")), "variable": name,
                     "checkpoint_key": _clean(m.group("key")), "source": "warm-start"}
                self.add("shape-mismatch-on-restore", (name,), i, line, m.start(), m.end(), d)

    def not_an_element(self, i: int, line: str) -> None:
        found = False
        for m in _ELEMENT_TENSOR.finditer(line):
            if self.line_hits >= _MAX_HITS_PER_LINE:
                break
            tail = line.find(_ELEMENT_TAIL, m.end(), m.end() + 600)
            if tail >= 0:
                d = {"object": "tensor"}
                if "feed_dict" in line[:m.start()]:
                    d["context"] = "feed_dict"
                end = tail + len(_ELEMENT_TAIL)
                self.add("not-an-element-of-graph", (m.group("name"),), i, line, m.start(), end, d)
                found = True
        if found or "Tensor Tensor(" in line:
            return
        # "Operation name: "init"\nop: "NoOp"\n... is not an element of this graph." (a NodeDef, many lines)
        if self.op_name and i - self.op_name[0] <= _OP_LOOKBACK and not _PLACEHOLDER.search(self.op_name[1]):
            first = self.lines[self.op_name[0]].strip()[:_MAX_TEXT // 2]
            text = first if self.op_name[0] == i else first + " … " + line.strip()[:_MAX_TEXT // 2]
            self.hits.append(_Hit("not-an-element-of-graph", (self.op_name[1],), self.op_name[0] + 1, text,
                                  {"object": "operation"}))

    def different_graphs(self, i: int, line: str) -> None:
        pos = line.find(_SAME_GRAPH)
        while pos >= 0 and self.line_hits < _MAX_HITS_PER_LINE:
            at = line.rfind('Tensor("', max(0, pos - 1200), pos)
            before = _TENSOR_REPR.match(line, at) if at >= 0 else None
            after = _TENSOR_REPR.match(line, pos + len(_SAME_GRAPH))
            if before or after:
                names = (before.group("name") if before else "", after.group("name") if after else "")
                self.add("tensors-from-different-graphs", names, i, line, pos, pos + len(_SAME_GRAPH))
            pos = line.find(_SAME_GRAPH, pos + len(_SAME_GRAPH))

    def not_in_graph_def(self, i: int, line: str) -> None:
        pos = line.find(_NOT_IN_GRAPH)
        while pos >= 0 and self.line_hits < _MAX_HITS_PER_LINE:
            end = pos + len(_NOT_IN_GRAPH)
            nxt = line[end:end + 1]
            if not nxt or not (nxt.isalnum() or nxt in "_ "):  # not "... is not in graph network"
                head = line[max(0, pos - 1000):pos]
                token = head.rsplit(None, 1)[-1] if head.strip() else ""
                name = _clean(token)
                if name and _GRAPH_NAME.fullmatch(name) and name.lower() not in _STOPWORDS:
                    self.add("node-not-in-graph-def", (name,), i, line, pos - len(token), end)
            pos = line.find(_NOT_IN_GRAPH, end)

    def defined_at(self, i: int) -> str | None:
        """'File "x.py", line 12, in model_fn' after 'Originally defined at:': the first frame outside TF."""
        if "Originally defined at" not in self.lines[i]:
            return None
        frames = []
        for j in range(i + 1, min(len(self.lines), i + 16)):
            m = _DEFINED_AT.search(self.lines[j])
            if m:
                frames.append(m.group(0))
            elif self.lines[j].strip() and not self.lines[j].startswith((" ", "\t")):
                break  # the next message: the traceback excerpt is over
        for frame in frames:
            if not _TF_FRAME.search(frame):
                return frame
        return frames[0] if frames else None

    def fetch_wrapper(self, i: int, line: str, first: int) -> None:
        """'Fetch argument X cannot be interpreted as a Tensor. (<inner error>)': note X on the inner errors."""
        pos = line.find(_FETCH_TAIL)
        if pos < 0:
            if _FEED_HEAD in line:
                for hit in self.hits[first:]:
                    if hit.kind in _FETCH_KINDS:
                        hit.details.setdefault("context", "feed_dict")
            return
        head_at, head_len = -1, 0
        for head in _FETCH_HEADS:
            at = line.rfind(head, max(0, pos - 2000), pos)
            if at > head_at:
                head_at, head_len = at, len(head)
        if head_at < 0:
            return
        fetch = line[head_at + head_len:pos].strip()
        m = _TENSOR_REPR.match(fetch) or _TF_REPR.match(fetch)
        fetch = m.group("name") if m else _clean(fetch)
        for hit in self.hits[first:]:
            if hit.kind in _FETCH_KINDS:
                hit.details.setdefault("fetch", fetch)
                hit.details.setdefault("context", "fetch")


def _identity(h: "_Hit") -> tuple:
    return (h.kind,) + tuple(h.details.get(k, "") for k in _IDENTITY[h.kind])


def _merge(hits: list) -> list:
    """De-duplicate by (kind, names) keeping the first occurrence, filling in details from later ones."""
    # A nameless sighting of an error that is named nearby (same kind, same identity details: the
    # op-kernel warning before the exception, say) is the same error: it takes that name.
    named: dict = {}  # (kind, identity) -> [(line, names)] in line order
    for h in hits:
        if h.names and h.kind in _IDENTITY:
            named.setdefault(_identity(h), []).append((h.line, h.names))
    for h in hits:
        if not h.names and h.kind in _IDENTITY:
            sightings = named.get(_identity(h), ())
            at = bisect.bisect_left(sightings, (h.line - _NEARBY,))
            if at < len(sightings) and sightings[at][0] <= h.line + _NEARBY:
                h.names = sightings[at][1]
    # The generic restore wrapper only matters when the original error it wraps is not in the log
    # (it follows the wrapper, and earlier exceptions of the chain show it too).
    restore_lines = sorted(h.line for h in hits if h.kind in _RESTORE_KINDS)

    def wrapped_error_nearby(line: int) -> bool:
        at = bisect.bisect_left(restore_lines, line - _NEARBY)
        return at < len(restore_lines) and restore_lines[at] <= line + _NEARBY

    hits = [h for h in hits if h.kind != "restore-failed" or not wrapped_error_nearby(h.line)]
    merged: dict = {}
    for h in hits:
        key = (h.kind, h.names)
        if not h.names and h.kind in _IDENTITY:
            key += _identity(h)
        if key in merged:
            first = merged[key]
            for k, v in h.details.items():
                first.details.setdefault(k, v)
        else:
            merged[key] = h
    out = list(merged.values())
    out.sort(key=lambda h: (h.line, h.kind, h.names))
    return out


def parse_log(text: "str | bytes") -> list[LogError]:
    """The known TensorFlow errors in a log, in order of first appearance, one per (kind, names).

    ``text`` is the log's text (bytes are decoded as UTF-8 with replacement). Never raises on any
    input; the result is deterministic.
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str):
        raise TypeError("parse_log() wants the log's text as str or bytes, not %s" % type(text).__name__)
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if line.endswith("\r"):
            line = line[:-1]
        if "\x1b" in line:
            line = _ANSI.sub("", line)
        lines[n] = line
    parser = _Parser(lines)
    parser.run()
    return [LogError(h.kind, h.names, h.line, h.text, dict(sorted(h.details.items()))) for h in _merge(parser.hits)]


_DETAIL_LABELS = {
    "node": "node",
    "variable": "variable",
    "lhs_shape": "shape in the graph",
    "rhs_shape": "shape of the value (checkpoint)",
    "graph_dtype": "dtype in the graph",
    "checkpoint_dtype": "dtype in the checkpoint",
    "checkpoint": "checkpoint",
    "checkpoint_key": "checkpoint key",
    "operation": "operation",
    "outputs": "outputs the operation has",
    "fetch": "fetched as",
    "context": "used as",
    "object": "object",
    "reason": "reason",
    "what": "differs in",
    "specified": "asked for",
    "found": "existing",
    "type": "type",
    "originally_defined_at": "first created at",
    "source": "from",
}


_CONTEXTS = {"fetch": "a fetch (Session.run / SessionRunArgs of a hook)", "feed_dict": "a feed_dict key"}


def explain_text(errors: Iterable[LogError]) -> str:
    """Plain text for a person: each error found, then what it means, why, and what to do."""
    errors = list(errors)
    if not errors:
        return "no known TensorFlow error found"
    n = len(errors)
    out = ["Found %d known TensorFlow error%s." % (n, "" if n == 1 else "s")]
    explained: dict = {}
    for number, err in enumerate(errors, 1):
        info = KINDS.get(err.kind)
        title = info.title if info else err.kind
        out.append("")
        out.append("[%d] line %d: %s (%s)" % (number, err.line, title, err.kind))
        if err.names:
            out.append("    name%s: %s" % ("" if len(err.names) == 1 else "s", ", ".join(err.names)))
        for key, value in err.details.items():
            if key == "context":
                value = _CONTEXTS.get(value, value)
            if key in ("fetch", "variable") and value in err.names:
                continue
            out.append("    %s: %s" % (_DETAIL_LABELS.get(key, key.replace("_", " ")), value))
        out.append("    log: %s" % err.text)
        if info is None:
            continue
        if err.kind in explained:
            out.append("    (explained under [%d])" % explained[err.kind])
            continue
        explained[err.kind] = number
        for label, body in (("What it means", info.meaning), ("Usual causes", info.causes),
                            ("What to do", info.fix)):
            out.append("")
            out.extend(_wrap("    %s: %s" % (label, body), indent="      "))
    return "\n".join(out)


def _wrap(text: str, indent: str, width: int = 100) -> list:
    import textwrap

    return textwrap.wrap(text, width=width, subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False)
