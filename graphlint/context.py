"""What the rules see: one Snapshot per mode, plus on-demand creation sites from the live graphs."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphlint.snapshot import MODES, RunInfo


@dataclass
class Context:
    info: RunInfo
    snapshots: dict  # mode -> Snapshot, for the modes asked for
    graphs: dict = field(default_factory=dict)  # mode -> live tf.Graph while rules run
    sites: object = None  # SiteFinder
    mode_diff: list = field(default_factory=list)  # [DiffRow]
    _site_cache: dict = field(default_factory=dict)

    def built(self, mode):
        snap = self.snapshots.get(mode)
        return snap if snap is not None and snap.built else None

    def built_modes(self):
        return [m for m in MODES if self.built(m)]

    def site(self, mode: str, name: str):
        """file:line of the user code that created op `name` in `mode` (read only when reported)."""
        key = (mode, name)
        if key not in self._site_cache:
            graph = self.graphs.get(mode)
            site = None
            if graph is not None and self.sites is not None:
                try:
                    site = self.sites.from_op(graph.get_operation_by_name(name.split(":")[0]))
                except (KeyError, ValueError):
                    site = None
            self._site_cache[key] = site
        return self._site_cache[key]

    def first_site(self, modes, name: str):
        for mode in modes:
            site = self.site(mode, name)
            if site is not None:
                return site
        return None
