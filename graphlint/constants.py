"""Names that mean the same everywhere: the modes, severities and exit statuses (sqlfluff names its
exit codes the same way). Output formats are the report registry's (graphlint.report.FORMATS)."""

from __future__ import annotations

import enum

MODES = ("train", "eval", "predict")
SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


class ExitCode(enum.IntEnum):
    OK = 0  # nothing at the --fail-on level
    FINDINGS = 1  # at least one finding at the --fail-on level
    USAGE = 2  # bad input or usage, or a model that could not be checked

# Distributions that install `import tensorflow` (a user has one of them): what --version reports
# and what the result cache's key reads, without importing TensorFlow.
TF_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-intel", "tensorflow-macos",
                    "tensorflow-aarch64", "intel-tensorflow", "tf-nightly", "tf-nightly-cpu")
