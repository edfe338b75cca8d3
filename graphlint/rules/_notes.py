"""Related notes that several rules attach to a finding."""

from __future__ import annotations

from graphlint.findings import Related
from graphlint.model.source import enclosing_if


def branch(site):
    """Related note for the Python `if` around a creation site, when there is one."""
    cond = enclosing_if(site)
    return (Related(cond, f"created under `{cond.code}`"),) if cond else ()
