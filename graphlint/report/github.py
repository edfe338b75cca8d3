"""GitHub Actions workflow commands: one `::error file=...,line=...,title=...::message` per finding,
which the runner turns into annotations on the pull request's diff.

Escaping follows @actions/core (toolkit's command.ts): in the message, `%`, CR and LF; in
property values also `:` and `,`, which would otherwise end the value or the property list.
"""

from __future__ import annotations

import os

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    # `%` first, or the `%` of the escapes themselves would be escaped again.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _path(file: str) -> str:
    """Relative to the workspace (the cwd, where actions check out), with forward slashes."""
    rel = os.path.relpath(os.path.abspath(file))
    return (os.path.abspath(file) if rel.startswith("..") else rel).replace(os.sep, "/")


def _message(f) -> str:
    lines = [f"[{','.join(f.modes)}] {f.name}: {f.message}" if f.modes else f"{f.name}: {f.message}"]
    lines += [f"{r.site}: {r.message}" for r in f.related if r.site is not None]
    if f.fix:
        lines.append(f"fix: {f.fix}")
    return "\n".join(lines)


def command(f) -> str:
    props = []
    if f.location is not None:
        props.append(f"file={escape_property(_path(f.location.file))}")
        if f.location.line > 0:
            props.append(f"line={f.location.line}")
    props.append(f"title={escape_property(f'{f.code} {f.symbol}')}")
    return f"::{COMMANDS[f.severity]} {','.join(props)}::{escape_data(_message(f))}"


def render(report, options=None) -> str:
    return "".join(command(f) + "\n" for f in sorted(report.findings, key=lambda f: f.sort_key()))


def render_many(outcomes, options=None) -> str:
    return "".join(render(o.report) if o.report is not None else render_fatal(o.error, o.model) for o in outcomes)


def render_fatal(message: str, model: str) -> str:
    return f"::error title=graphlint::{escape_data(message)}\n"
