"""What the rules read (RunInfo, a Snapshot and the graph's Answers per mode) as deterministic,
reviewable JSON, so that rules and reporters can be tested without TensorFlow (tests/fast/).

JSON rather than pickle: a pickle of a renamed class or field fails (or loads wrong) far from its
cause and cannot be reviewed in a diff; here every object names its class, every field is written
by name, and a value of a type this module does not know fails when it is recorded, not later.

Encoding: JSON arrays are tuples; {"@list": [...]} a list, {"@frozenset": [...]} a frozenset (sorted,
so the bytes do not depend on hash seeds), {"@dict": [[k, v], ...]} a dict whose keys are not all
plain strings, {"@": "Class", field: value, ...} a dataclass of graphlint.model (or an Answers: its
attributes; one that *is* a field of its mode's Snapshot, like the op types, is written as
{"@snapshot": field}, one computed from its _stacks as {"@derived": true}). A Site is
{"@site": "basename:line"}, a key into the table "sites" at the end, which lists each Site once
(a few lines of user code create most of the ops). Paths under the recorded tree are written from
the mark ROOT, so a recording made in one checkout loads in another. A caller may name dataclasses
of other packages it records (`classes`: a checkpoint's keys, a serving comparison); they are
written the same way, and must be named again to read them back."""

from __future__ import annotations

import dataclasses
import json
import os

from graphlint.model import graphview, snapshot

FORMAT = 1  # bump when the encoding changes: every recording then says it must be made again
ROOT = "$ROOT"
_LINE = 110  # a container whose compact form fits stays on one line (reviewable, short diffs)
CLASSES = {c.__name__: c for c in vars(snapshot).values() if isinstance(c, type) and dataclasses.is_dataclass(c)}
CLASSES["_Updates"] = graphview._Updates
# Answers attributes that are functions of its _stacks, written as {"@derived": true} and computed
# again when read; an attribute is written out in full whenever it is not equal to this (a changed
# Answers then costs bytes, never a wrong recording).
_DERIVED = {
    "_sites": lambda stacks: {n: (s[-1] if s else None) for n, s in stacks.items()},
    "_user_lines": lambda stacks: frozenset((s.file, s.line) for stack in stacks.values() for s in stack),
}


def _known(classes) -> dict:
    return {**CLASSES, **{c.__name__: c for c in classes}}


class _Encoder:
    def __init__(self, root: str, classes=()):
        self.root = root
        self.classes = _known(classes)
        self.sites = {}  # Site -> its key in the table, in the order first met (deterministic)
        self.keys = set()

    def text(self, s: str) -> str:
        return s.replace(self.root, ROOT) if self.root else s

    def __call__(self, obj, snap=None):
        if obj is None or isinstance(obj, (bool, int, float)):
            return obj
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, tuple):
            return [self(x) for x in obj]
        if isinstance(obj, list):
            return {"@list": [self(x) for x in obj]}
        if isinstance(obj, (set, frozenset)):
            items = [self(x) for x in obj]
            return {"@frozenset": sorted(items, key=lambda x: json.dumps(x, sort_keys=True))}
        if isinstance(obj, dict):
            if all(isinstance(k, str) and not k.startswith("@") for k in obj):
                return {self.text(k): self(v) for k, v in obj.items()}
            return {"@dict": [[self(k), self(v)] for k, v in obj.items()]}
        if isinstance(obj, graphview.Answers):
            return self.answers(obj, snap)
        if isinstance(obj, snapshot.Site):
            return {"@site": self.site(obj)}
        name = type(obj).__name__
        if self.classes.get(name) is type(obj):
            return {"@": name, **{f.name: self(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.init}}
        raise TypeError(f"cannot record a {type(obj).__module__}.{name}: teach graphlint/model/record.py its form")

    def site(self, site) -> str:
        if site not in self.sites:
            key = base = f"{os.path.basename(site.file)}:{site.line}"  # short: the table has the path
            n = 1
            while key in self.keys:  # the same line seen with another function or code text
                n += 1
                key = f"{base}#{n}"
            self.sites[site] = key
            self.keys.add(key)
        return self.sites[site]

    def table(self) -> dict:
        return {key: [self.text(s.file), s.line, self.text(s.func), self.text(s.code)] for s, key in self.sites.items()}

    def answers(self, answers, snap) -> dict:
        # only containers: an immutable value (an empty frozenset, a small int) may be shared by chance
        shared = {id(v): f.name for f in dataclasses.fields(snap) if isinstance(v := getattr(snap, f.name), (dict, list))}
        out = {"@": "Answers"}
        stacks = vars(answers).get("_stacks")
        for attr, value in vars(answers).items():
            if id(value) in shared:
                out[attr] = {"@snapshot": shared[id(value)]}
            elif attr in _DERIVED and stacks is not None and value == _DERIVED[attr](stacks):
                out[attr] = {"@derived": True}
            else:
                out[attr] = self(value)
        return out


class _Decoder:
    def __init__(self, root: str, sites: dict, classes=()):
        self.root = root
        self.classes = _known(classes)
        self.sites = {k: snapshot.Site(self.text(f), line, self.text(func), self.text(code))
                      for k, (f, line, func, code) in sites.items()}

    def text(self, s: str) -> str:
        return s.replace(ROOT, self.root)

    def __call__(self, data, snap=None):
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, list):
            return tuple(self(x) for x in data)
        if not isinstance(data, dict):
            return data
        if "@site" in data:
            return self.sites[data["@site"]]
        if "@list" in data:
            return [self(x) for x in data["@list"]]
        if "@frozenset" in data:
            return frozenset(self(x) for x in data["@frozenset"])
        if "@dict" in data:
            return {self(k): self(v) for k, v in data["@dict"]}
        if "@" not in data:
            return {self.text(k): self(v) for k, v in data.items()}
        fields = {k: v for k, v in data.items() if k != "@"}
        if data["@"] == "Answers":
            return self.answers(fields, snap)
        cls = self.classes.get(data["@"])
        if cls is None:
            raise ValueError(f"a recording names class {data['@']!r}, which graphlint.model does not have "
                             "and the reader did not name")
        return cls(**{k: self(v) for k, v in fields.items()})

    def answers(self, fields: dict, snap):
        answers = graphview.Answers.__new__(graphview.Answers)
        stacks = self(fields["_stacks"]) if "_stacks" in fields else None
        for attr, value in fields.items():
            tag = value if isinstance(value, dict) else {}
            if "@snapshot" in tag:
                value = getattr(snap, tag["@snapshot"])
            elif "@derived" in tag:
                value = _DERIVED[attr](stacks)
            else:
                value = self(value)
            setattr(answers, attr, value)
        return answers


def dumps(info, snapshots: dict, views: dict, meta: dict, root: str = "", classes=()) -> str:
    """The recording as text: the same run gives the same bytes. `classes`: dataclasses outside
    graphlint.model that `meta` holds."""
    enc = _Encoder(root, classes)
    doc = {"format": FORMAT, **{k: enc(v) for k, v in meta.items()}, "info": enc(info),
           "modes": {m: {"snapshot": enc(s), "answers": enc(views.get(m), s)} for m, s in snapshots.items()}}
    doc["sites"] = enc.table()
    return _pretty(doc) + "\n"


def loads(text: str, root: str = "", classes=()) -> tuple:
    """(meta, RunInfo, {mode: Snapshot}, {mode: Answers or None}) from dumps' text, given the
    `classes` it was written with."""
    doc = json.loads(text)
    dec = _Decoder(root, doc.get("sites", {}), classes)
    if doc.get("format") != FORMAT:
        raise ValueError(f"recording format {doc.get('format')!r}, this graphlint reads {FORMAT}")
    snapshots = {m: dec(d["snapshot"]) for m, d in doc["modes"].items()}
    views = {m: dec(d["answers"], snapshots[m]) for m, d in doc["modes"].items()}
    meta = {k: dec(v) for k, v in doc.items() if k not in ("info", "modes", "sites")}
    return meta, dec(doc["info"]), snapshots, views


def _pretty(value, indent: str = "") -> str:
    compact = json.dumps(value, ensure_ascii=False)
    if len(indent) + len(compact) <= _LINE or not isinstance(value, (list, dict)) or not value:
        return compact
    inner = indent + " "
    if isinstance(value, list):
        items = [inner + _pretty(v, inner) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    items = [inner + json.dumps(k, ensure_ascii=False) + ": " + _pretty(v, inner) for k, v in value.items()]
    return "{\n" + ",\n".join(items) + "\n" + indent + "}"
