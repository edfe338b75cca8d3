"""graphlint: catch TensorFlow graph-mode mode/checkpoint mismatches before they cost a training run."""

__version__ = "0.1.0"


def lint(*args, **kwargs):
    """See graphlint.api.lint. Imported lazily so `graphlint --help` never loads TensorFlow."""
    from graphlint.api import lint as _lint

    return _lint(*args, **kwargs)
