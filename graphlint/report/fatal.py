"""A run that could not happen (bad input), in the machine-readable formats."""

from __future__ import annotations

import json

from graphlint import __version__
from graphlint.report import github


def render(fmt: str, message: str, model: str) -> str:
    if fmt == "json":
        doc = {"schema_version": 1, "graphlint_version": __version__, "model": model,
               "error": {"message": message, "exit_status": 2}, "findings": []}
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"
    if fmt == "sarif":
        run = {
            "tool": {"driver": {"name": "graphlint", "version": __version__, "rules": []}},
            "invocations": [{
                "executionSuccessful": False, "exitCode": 2,
                "toolExecutionNotifications": [{"level": "error", "message": {"text": message}}],
            }],
            "results": [],
        }
        doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
        return json.dumps(doc, indent=2, sort_keys=True) + "\n"
    return f"::error title=graphlint::{github.escape_data(message)}\n"
