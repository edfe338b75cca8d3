"""Tensor name "<name>" not found in checkpoint files <path> (V1 checkpoints), and the checkpoint
reader's "<name> not found in checkpoint file"."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import GRAPH_NAME, INTERNAL_KEYS, N, Pattern, clean

_TENSOR_V1 = Pattern(
    r"Tensor name (?:\"(?P<q2>[^\"\n]" + N + r")\"|'(?P<q1>[^'\n]" + N + r")'|(?P<bare>\S" + N + r"))"
    r" not found in checkpoint files?(?: (?P<path>\S{1,4000}))?"
)
_READER_MISSING = " not found in checkpoint file"  # not followed by "s": "... files <path>" is _TENSOR_V1's


class TensorNotFoundInCheckpointFiles(Kind):
    id = "tensor-not-found-in-checkpoint-files"
    title = "A tensor is missing from a (V1-format) checkpoint"
    triggers = ("not found in checkpoint",)
    restore = True
    meaning = (
        "A restore or a checkpoint reader asked for a tensor by name and the checkpoint files do "
        "not contain it. This wording comes from the older V1 checkpoint format and from the "
        "checkpoint reader; it means the same as 'Key ... not found in checkpoint'."
    )
    causes = (
        "The graph has a variable that the checkpoint does not. Usually it is created only in "
        "some modes, it was renamed (or its scope was), or the checkpoint was written by a "
        "different model."
    )
    fix = (
        "Build the same variables in every mode, or restore only the variables the checkpoint "
        "has (a Saver with an explicit var_list, or warm-starting). List what the checkpoint "
        "holds with tf.train.list_variables(checkpoint)."
    )

    def scan(self, ctx, i, line):
        if "Tensor name " in line:
            self.scan_v1(ctx, i, line)
        self.scan_reader(ctx, i, line)

    def scan_v1(self, ctx, i, line):
        for m in ctx.matches(_TENSOR_V1, line):
            name = clean(m.group("q2") or m.group("q1") or m.group("bare") or "")
            if not name or name.startswith(INTERNAL_KEYS):
                continue
            d = ctx.node_after(i, line, m.end())
            d.pop("variable", None)
            if m.group("path"):
                d["checkpoint"] = clean(m.group("path"))
            self.add(ctx, (name,), i, line, m.start(), m.end(), ctx.restore_context(d))

    def scan_reader(self, ctx, i, line):
        """The name is the token before the message (a regex could not bound its start cheaply)."""
        pos = line.find(_READER_MISSING)
        while pos >= 0 and not ctx.full():
            end = pos + len(_READER_MISSING)
            nxt = line[end:end + 1]
            if nxt != "s" and not nxt.isalnum():
                head = line[max(0, pos - 1000):pos]
                token = head.rsplit(None, 1)[-1] if head.strip() else ""
                name = clean(token)
                # "Key X not found in checkpoint file" is the other kind's message, already counted.
                if (name and not name.startswith(INTERNAL_KEYS) and not token.endswith('"')
                        and GRAPH_NAME.fullmatch(name) and not head.endswith("Key " + token)):
                    self.add(ctx, (name,), i, line, pos - len(token), end, ctx.restore_context({}))
            pos = line.find(_READER_MISSING, end)
