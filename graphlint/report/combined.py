"""Several models' reports in one output, in the list's order. One model keeps the one-model
formats; two or more (or a shard of them) use these, whose shape does not depend on the count:
text is the reports one after another plus a total line, JSON a list under "models", SARIF one
run per model, GitHub the commands of all of them. A model that could not be checked is an
error entry (JSON), a failed run (SARIF), an ::error command (GitHub), or a stderr line (text)."""

from __future__ import annotations

import json
from collections import Counter

from graphlint import __version__


def render(fmt: str, outcomes, color: bool = False) -> str:
    return {"text": _text, "json": _json, "sarif": _sarif, "github": _github}[fmt](outcomes, color)


def _text(outcomes, color):
    from graphlint.report import text

    parts = [text.render(o.report, color=color) for o in outcomes if o.report is not None]
    return "\n".join(parts) + ("\n" if parts else "") + total(outcomes) + "\n"


def total(outcomes) -> str:
    counts = Counter(f.severity for o in outcomes if o.report for f in o.report.findings)
    breaking = sum(1 for o in outcomes if o.report and any(f.severity == "error" for f in o.report.findings))
    failed = sum(1 for o in outcomes if o.report is None)
    n = len(outcomes)
    line = (f"{n} model{'s' if n != 1 else ''}: {breaking} will break, {counts['error']} errors, "
            f"{counts['warning']} warnings, {counts['info']} info")
    return line + (f"; {failed} could not be checked (errors on stderr)" if failed else "")


def _json(outcomes, color):
    from graphlint.report import json as json_report

    doc = {
        "schema_version": json_report.SCHEMA_VERSION,
        "graphlint_version": __version__,
        "models": [json_report.to_dict(o.report) for o in outcomes if o.report is not None],
        "errors": [{"model": o.model, "message": o.error, "exit_status": 2} for o in outcomes if o.report is None],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _sarif(outcomes, color):
    from graphlint.report import fatal, sarif

    runs = []
    for o in outcomes:
        doc = sarif.to_dict(o.report) if o.report is not None else json.loads(fatal.render("sarif", o.error, o.model))
        runs.extend(doc["runs"])
    doc = {"$schema": sarif.SCHEMA_URI, "version": "2.1.0", "runs": runs}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _github(outcomes, color):
    from graphlint.report import fatal, github

    return "".join(github.render(o.report) if o.report is not None else fatal.render("github", o.error, o.model)
                   for o in outcomes)
