"""Finding: one problem (or note) a rule reports, as a small immutable record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from graphlint.model.snapshot import Site

from graphlint.constants import SEVERITY_RANK


@dataclass(frozen=True)
class Related:
    site: Site
    message: str


@dataclass(frozen=True)
class Finding:
    code: str
    symbol: str
    severity: str
    modes: tuple
    name: str
    message: str
    fix: str = ""
    location: Optional[Site] = None
    related: tuple = field(default=())
    # Every name the finding stands for when one cause (an `if`, an EMA, a param) touches many;
    # `name` stays the first, so codes, sorting and fingerprints do not move when the group grows.
    names: tuple = field(default=())
    # Names of other rules' findings this one accounts for when its own `name` is not one of them
    # (GL105 names a scope, and explains the shifted keys under it): see run/supersede.py.
    covers: tuple = field(default=())

    @property
    def all_names(self) -> tuple:
        return self.names or (self.name,)

    def sort_key(self):
        loc = self.location or Site("", 0)
        return (SEVERITY_RANK[self.severity], self.code, loc.file, loc.line, self.name, self.modes)
