"""No checkpoint at a path: the TensorSliceReader, Saver.restore and Estimator.predict wordings."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import Pattern, clean

_CKPT_MISSING = Pattern(
    r"(?:Unsuccessful TensorSliceReader constructor: Failed to (?:find any matching files for|get matching "
    r"files on)|The passed save_path is not a valid checkpoint:|Could not find trained model in model_dir:) "
    r"(?P<path>[^\s,]{1,4000})"
)


class CheckpointNotFound(Kind):
    id = "checkpoint-not-found"
    title = "No checkpoint at the given path"
    triggers = ("checkpoint", "model_dir", "TensorSliceReader")
    restore = True
    meaning = (
        "The path given for a checkpoint, or the model_dir searched for one, matches no "
        "checkpoint files. Nothing could be read or restored from it."
    )
    causes = (
        "A wrong or relative path, or a checkpoint prefix given with a file suffix (.index, "
        ".data-00000-of-00001, .meta). Also a model_dir whose training never saved a "
        "checkpoint, or a 'checkpoint' state file that points at deleted or moved files."
    )
    fix = (
        "Pass the checkpoint prefix (for example model_dir/model.ckpt-1000), or use "
        "tf.train.latest_checkpoint(model_dir), and check that the .index and .data files exist "
        "there. For Estimator evaluation, train and save before evaluating."
    )

    def scan(self, ctx, i, line):
        for m in ctx.matches(_CKPT_MISSING, line):
            self.add(ctx, (clean(m.group("path")),), i, line, m.start(), m.end())
