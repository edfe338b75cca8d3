"""What the rules see: one Snapshot per mode, plus a GraphView per mode for the questions only the
live graph can answer (creation sites, update ops), asked when a finding needs them."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphlint.model.snapshot import MODES, RunInfo


@dataclass
class Context:
    info: RunInfo
    snapshots: dict  # mode -> Snapshot, for the modes asked for
    views: dict = field(default_factory=dict)  # mode -> model.graphview.Answers (the graph's answers, taken before it was dropped)
    mode_diff: list = field(default_factory=list)  # [DiffRow]
    checkpoint: object = None  # checkpoint.Checkpoint, for `check`
    object_names: dict = field(default_factory=dict)  # variable name -> key, object-based checkpoints
    renames: list = field(default_factory=list)  # [pairing.Pair]: a = missing key, b = checkpoint key
    unsure_renames: list = field(default_factory=list)  # [pairing.Unsure]: candidates, no map line
    claims: dict = field(default_factory=dict)  # code -> {name: modes} a superseding rule explained (run/supersede.py)
    memo: dict = field(default_factory=dict)  # what rules compute once per run and share (rules/_training.py)
    _site_cache: dict = field(default_factory=dict)

    def built(self, mode):
        snap = self.snapshots.get(mode)
        return snap if snap is not None and snap.built else None

    def built_modes(self):
        return [m for m in MODES if self.built(m)]

    def site(self, mode: str, name: str):
        """file:line of the user code that created op `name` in `mode` (read only when reported)."""
        if (mode, name) not in self._site_cache:
            view = self.views.get(mode)
            self._site_cache[(mode, name)] = view.sites([name])[0] if view is not None else None
        return self._site_cache[(mode, name)]

    def first_site(self, modes, name: str):
        for mode in modes:
            site = self.site(mode, name)
            if site is not None:
                return site
        return None

    def ckpt_key(self, key: str) -> str:
        """The checkpoint key restore will read for a graph key (object-based: via the object graph)."""
        return self.object_names.get(key, key)

    def restored_keys(self) -> set:
        return {self.ckpt_key(k) for m in self.built_modes() for k in self.snapshots[m].restore_keys}

    def unused_keys(self) -> list:
        if self.checkpoint is None:
            return []
        restored = self.restored_keys()
        return [k for k in self.checkpoint.entries if k not in restored]
