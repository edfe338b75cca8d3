"""The commands that only read text (`rules`, `explain LOG` without --model) never import
TensorFlow, numpy or networkx; only the rules table imports tabulate. Their speed is measured in
benchmarks/run.py, not here."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOG = os.path.join(ROOT, "tests", "logs", "several_errors.log")
HEAVY = ("tensorflow", "tabulate", "numpy", "networkx")


@pytest.mark.parametrize("argv", [["rules"], ["rules", "GL101"], ["rules", "--format", "markdown"],
                                  ["explain", LOG]], ids=" ".join)
def test_text_only_commands_import_nothing_heavy(argv):
    heavy = tuple(m for m in HEAVY if not (m == "tabulate" and argv == ["rules"]))
    probe = ("import sys\nfrom graphlint.cli import main\n"
             f"code = main({argv!r})\n"
             f"print('HEAVY', sorted(m for m in {heavy!r} if m in sys.modules), code)\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": ROOT})
    assert result.stdout.splitlines()[-1] == "HEAVY [] 0", result.stdout[-2000:] + result.stderr
