import os

import pytest

from graphlint.model.tfcompat import use_legacy_keras

use_legacy_keras()  # before any test module imports TensorFlow, as graphlint itself does
# Tests run the command line many times with patched internals: a cached report would hide what
# they test, and the user's cache folder is not the suite's to fill. test_cache.py turns it on.
os.environ.setdefault("GRAPHLINT_NO_CACHE", "1")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "fixtures", "per_class_auc")
CASES = os.path.join(ROOT, "tests", "cases")


@pytest.fixture
def cli(capsys):
    """Run graphlint in-process: returns (exit code, stdout, stderr)."""
    from graphlint.cli import main

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
