"""SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers.

One run; the driver lists every registered rule; each finding is a result at its file:line with
its related sites. `partialFingerprints` are derived from (model, rule, modes, name), never from
the line, so code scanning keeps tracking an alert when the code around it moves. Keys are
sorted and nothing time- or machine-dependent is written, so the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
from collections import Counter
from typing import Optional
from urllib.parse import quote

from graphlint import __version__
from graphlint.constants import ExitCode
from graphlint.rules import all_rules
from graphlint.rules import unused_suppression  # noqa: F401  (GL001 is reported by selection, not by a check)

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "graphlintFinding/v1"
_URL_KEYS = ("homepage", "repository", "source", "documentation")


def _information_uri() -> Optional[str]:
    """The project's URL from the installed package's metadata ([project.urls]), when it has one."""
    from importlib import metadata

    try:
        md = metadata.metadata("graphlint")
    except metadata.PackageNotFoundError:
        return None
    urls = dict(u.split(", ", 1) for u in md.get_all("Project-URL") or [] if ", " in u)
    found = [v for k, v in sorted(urls.items()) if k.lower() in _URL_KEYS]
    return found[0] if found else (md.get("Home-page") or None)


def _rule(rule) -> dict:
    sections = rule.sections()
    return {
        "id": rule.code,
        "name": rule.symbol,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": sections.get("What it does", rule.summary)},
        "help": {"text": rule.doc(), "markdown": rule.doc()},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }


def _artifact(path: str, root: str) -> dict:
    """A path relative to root under %SRCROOT%, forward slashes; outside root, an absolute file URI."""
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute, root)
    if rel.startswith(".."):
        return {"uri": pathlib.Path(absolute).as_uri()}
    return {"uri": quote(rel.replace(os.sep, "/")), "uriBaseId": SRCROOT}


def _location(site, root: str) -> dict:
    physical = {"artifactLocation": _artifact(site.file, root)}
    if site.line > 0:
        physical["region"] = {"startLine": site.line}
    return {"physicalLocation": physical}


def _fingerprint(finding, model: str) -> str:
    key = "\0".join([model, finding.code, ",".join(sorted(finding.modes)), finding.name])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _result(finding, index, fingerprint: str, root: str, fallback) -> dict:
    text = finding.message + (f" Fix: {finding.fix}" if finding.fix else "")
    site = finding.location or fallback
    result = {
        "ruleId": finding.code,
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": {"modes": list(finding.modes), "name": finding.name, "names": list(finding.all_names),
                       "symbol": finding.symbol},
    }
    if index is not None:
        result["ruleIndex"] = index
    # Code scanning drops results without a location: those fall back to the model file.
    if site is not None:
        result["locations"] = [_location(site, root)]
    related = [dict(_location(r.site, root), id=i, message={"text": r.message})
               for i, r in enumerate(finding.related) if r.site is not None]
    if related:
        result["relatedLocations"] = related
    return result


def _fallback_site(model: str):
    from graphlint.model.snapshot import Site

    return Site(model, 1) if model.endswith(".py") else None


def to_dict(report, root: Optional[str] = None) -> dict:
    root = os.path.abspath(root or os.getcwd())
    rules = all_rules()
    index = {r.code: i for i, r in enumerate(rules)}
    fallback = _fallback_site(report.info.model)
    # The model as a root-relative path, so fingerprints do not depend on the working directory.
    model_key = _artifact(fallback.file, root)["uri"] if fallback else report.info.model
    seen = Counter()
    results = []
    for f in sorted(report.findings, key=lambda f: f.sort_key()):
        base = _fingerprint(f, model_key)
        seen[base] += 1  # two findings with one key (rare) still get distinct fingerprints
        results.append(_result(f, index.get(f.code), f"{base}:{seen[base]}", root, fallback))
    driver = {"name": "graphlint", "version": __version__, "semanticVersion": __version__,
              "rules": [_rule(r) for r in rules]}
    uri = _information_uri()
    if uri:
        driver["informationUri"] = uri
    info = report.info
    return _document([{
            "tool": {"driver": driver},
            "results": results,
            "properties": {"model": info.model, "tensorflowVersion": info.tf_version,
                           "estimatorApi": info.estimator_api, "modes": list(info.modes)},
    }])


def _document(runs) -> dict:
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": runs}


def _dump(doc) -> str:
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def render(report, options=None, root: Optional[str] = None) -> str:
    return _dump(to_dict(report, root))


def render_many(outcomes, options=None) -> str:
    """One run per model; a model that could not be checked is a run that did not succeed."""
    runs = [to_dict(o.report)["runs"][0] if o.report is not None else _failed_run(o.error) for o in outcomes]
    return _dump(_document(runs))


def _failed_run(message: str) -> dict:
    return {
        "tool": {"driver": {"name": "graphlint", "version": __version__, "rules": []}},
        "invocations": [{
            "executionSuccessful": False, "exitCode": int(ExitCode.USAGE),
            "toolExecutionNotifications": [{"level": "error", "message": {"text": message}}],
        }],
        "results": [],
    }


def render_fatal(message: str, model: str) -> str:
    return _dump(_document([_failed_run(message)]))
