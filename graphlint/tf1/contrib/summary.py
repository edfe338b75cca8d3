"""tf.contrib.summary: TF 1.15's module re-exported tensorflow/python/ops/summary_ops_v2, which
TensorFlow 2 still has (tf.summary's V2 ops, graph mode included): the same functions, under the names
contrib gave them. XLNet's TPU host call writes its scalars with these."""

PROVIDES = ("SummaryWriter", "all_summary_ops", "always_record_summaries", "audio", "create_file_writer",
            "create_summary_file_writer", "eval_dir", "flush", "generic", "graph", "histogram", "image",
            "import_event", "initialize", "never_record_summaries", "record_summaries_every_n_global_steps",
            "scalar", "should_record_summaries", "summary_writer_initializer_op")
# contrib's name -> summary_ops_v2's, where TensorFlow renamed it (the function is the same)
_RENAMED = {"all_summary_ops": "all_v2_summary_ops"}


def symbols() -> dict:
    from tensorflow.python.ops import summary_ops_v2

    found = {name: getattr(summary_ops_v2, _RENAMED.get(name, name), None) for name in PROVIDES}
    return {name: value for name, value in found.items() if value is not None}


def missing(name: str) -> str:
    return f"this TensorFlow's summary_ops_v2 has no {_RENAMED.get(name, name)}"
