"""graphlint: catch TensorFlow graph-mode mode/checkpoint mismatches before they cost a training run."""

__version__ = "0.1.0"
