"""XLNet's run_classifier (xlnet-tensorflow 1.1.2 from PyPI, zihangdai/xlnet's code with package
imports; unedited) driven by a user's entry point, on STS-B-format data written here.

That package ships run_classifier.main() without its flag definitions (on GitHub they sit in the same
file), so the entry point written here defines the flags main() reads with `tf.flags`, with the
defaults the GitHub file gives them, and calls `tf.app.run(main)`. XLNet's modules do `import
tensorflow as tf` with the 1.x API; run_classifier uses tf.contrib's data.map_and_batch,
metrics.streaming_pearson_correlation (STS-B is a regression: the eval metric) and tpu's Estimator
classes, model_utils cluster_resolver, tpu.CrossShardOptimizer, distribute.MirroredStrategy and
framework's checkpoint readers, modeling layers.layer_norm. The package is copied into the test's
tmp folder, never committed; its sentencepiece model is trained here on a few sentences.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil

import pytest

DISTRIBUTION = "xlnet-tensorflow==1.1.2"
SENTENCES = [("the cat sat on the mat", "a cat sat on a mat", "4.5"),
             ("the dog ran in the park", "it was a good day", "0.5"),
             ("we saw one bird", "we saw a bird in the tree", "3.8"),
             ("the sun was good", "the dog was bad", "1.0")]
CONFIG = {"d_head": 8, "d_inner": 64, "d_model": 32, "ff_activation": "gelu", "n_head": 4, "n_layer": 2,
          "untie_r": True}
STEPS = 2
# name -> (tf.flags definer, default): what run_classifier.main() and the modules it calls read
_FLAGS = {
    "model_config_path": ("string", None), "dropout": ("float", 0.1), "dropatt": ("float", 0.1),
    "clamp_len": ("integer", -1), "summary_type": ("string", "last"), "use_summ_proj": ("bool", True),
    "use_bfloat16": ("bool", False), "init": ("string", "normal"), "init_std": ("float", 0.02),
    "init_range": ("float", 0.1), "overwrite_data": ("bool", False), "init_checkpoint": ("string", None),
    "output_dir": ("string", ""), "spiece_model_file": ("string", ""), "model_dir": ("string", ""),
    "data_dir": ("string", ""), "use_tpu": ("bool", False), "num_hosts": ("integer", 1),
    "num_core_per_host": ("integer", 8), "tpu_job_name": ("string", None), "tpu": ("string", None),
    "tpu_zone": ("string", None), "gcp_project": ("string", None), "master": ("string", None),
    "iterations": ("integer", 1000), "do_train": ("bool", False), "train_steps": ("integer", 1000),
    "warmup_steps": ("integer", 0), "learning_rate": ("float", 1e-5), "lr_layer_decay_rate": ("float", 1.0),
    "min_lr_ratio": ("float", 0.0), "clip": ("float", 1.0), "max_save": ("integer", 0),
    "save_steps": ("integer", None), "train_batch_size": ("integer", 8), "weight_decay": ("float", 0.0),
    "adam_epsilon": ("float", 1e-8), "decay_method": ("string", "poly"), "do_eval": ("bool", False),
    "do_predict": ("bool", False), "predict_threshold": ("float", 0.0), "eval_split": ("string", "dev"),
    "eval_batch_size": ("integer", 128), "predict_batch_size": ("integer", 128), "predict_dir": ("string", None),
    "eval_all_ckpt": ("bool", False), "predict_ckpt": ("string", None), "task_name": ("string", None),
    "max_seq_length": ("integer", 128), "shuffle_buffer": ("integer", 2048), "num_passes": ("integer", 1),
    "uncased": ("bool", False), "cls_scope": ("string", None), "is_regression": ("bool", False),
}

DRIVER = f'''"""A user's entry point for XLNet's run_classifier.main."""
import tensorflow as tf

from xlnet import run_classifier

for name, (kind, default) in {_FLAGS!r}.items():
    getattr(tf.flags, "DEFINE_" + kind)(name, default, name)

if __name__ == "__main__":
    tf.app.run(run_classifier.main)
'''


def checkout(base) -> dict:
    """xlnet/ copied from the installed package, the driver, a sentencepiece model, config and data."""
    spec = importlib.util.find_spec("xlnet")
    folder = os.path.dirname(spec.origin) if spec and spec.origin else None
    if not folder or not os.path.isfile(os.path.join(folder, "run_classifier.py")):
        pytest.skip(f"XLNet's code is not installed (pip install --no-deps {DISTRIBUTION} absl-py sentencepiece)")
    if importlib.util.find_spec("sentencepiece") is None:
        pytest.skip("XLNet's preprocessing imports sentencepiece (pip install sentencepiece)")
    import sentencepiece

    base = str(base)
    shutil.copytree(folder, os.path.join(base, "xlnet"), ignore=shutil.ignore_patterns("__pycache__"))
    corpus = os.path.join(base, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as fh:
        fh.write("\n".join(s for pair in SENTENCES for s in pair[:2] for _ in range(10)) + "\n")
    prefix = os.path.join(base, "spiece")
    sentencepiece.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, vocab_size=40, hard_vocab_limit=False, minloglevel=2,
                                             user_defined_symbols=["<cls>", "<sep>", "<pad>", "<mask>"])
    processor = sentencepiece.SentencePieceProcessor(model_file=prefix + ".model")
    config = os.path.join(base, "xlnet_config.json")
    with open(config, "w", encoding="utf-8") as fh:
        json.dump(dict(CONFIG, n_token=processor.get_piece_size()), fh)
    data = os.path.join(base, "sts-b")
    os.makedirs(data)
    header = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore"
    rows = [header] + [f"{i}\tg\tf\t2012\t{i}\ts\ts\t{a}\t{b}\t{score}" for i, (a, b, score) in enumerate(SENTENCES)]
    for name in ("train.tsv", "dev.tsv"):
        with open(os.path.join(data, name), "w", encoding="utf-8") as fh:
            fh.write("\n".join(rows) + "\n")
    program = os.path.join(base, "xlnet_main.py")
    with open(program, "w", encoding="utf-8") as fh:
        fh.write(DRIVER)
    return {"base": base, "program": program, "data": data, "spiece": prefix + ".model", "config": config}


def flags(files: dict, output_dir, model_dir, *extra) -> list:
    """STS-B as a regression, train then evaluate, a few steps on the CPU."""
    return ["--task_name=sts-b", "--is_regression=True", "--do_train=True", "--do_eval=True", "--uncased=True",
            f"--data_dir={files['data']}", f"--spiece_model_file={files['spiece']}",
            f"--model_config_path={files['config']}", f"--output_dir={output_dir}", f"--model_dir={model_dir}",
            "--max_seq_length=16", "--train_batch_size=2", "--eval_batch_size=2", f"--train_steps={STEPS}",
            f"--save_steps={STEPS}", "--iterations=1", "--num_core_per_host=1", "--use_tpu=False", *map(str, extra)]
