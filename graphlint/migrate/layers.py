"""The two sides' weights grouped into layers, each described in TF1's layout (layouts.py)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

KINDS = ("dense", "conv", "depthwise", "norm", "embedding", "lstm", "gru", "other")


@dataclass(frozen=True)
class Weight:
    key: str  # the name in its own file (checkpoint key, state_dict key, Keras weight path)
    role: str  # layouts.ROLE_OF_LEAF's values, or the new framework's own part names (weight_ih, ...)
    shape: tuple
    dtype: str


@dataclass
class Layer:
    name: str  # scope (old) or module / layer path (new)
    kind: str  # one of KINDS
    weights: dict = field(default_factory=dict)  # role -> Weight
    main_shape: tuple = ()  # the shape that identifies the layer, in the old layout (see token)
    info: dict = field(default_factory=dict)  # what the transforms need: units, inputs, groups, ...
    # kind -> main shape, when names cannot tell the kind (a 2-D tensor alone: an embedding table, or
    # a kernel without bias); the other side's shape decides, or the alignment says it cannot.
    alternatives: dict = field(default_factory=dict)

    def tokens(self) -> dict:
        return self.alternatives or {self.kind: self.main_shape}

    def title(self) -> str:
        """The layer's name for people: with its class where the model says it (`0 (Linear)`)."""
        return f"{self.name} ({self.info['class']})" if "class" in self.info else self.name

    def leaf(self) -> str:
        return re.split(r"[/.]", self.name)[-1]

    def signature(self) -> str:
        return ", ".join(f"{w.key.rsplit('/', 1)[-1].rsplit('.', 1)[-1]} {show_shape(w.shape)}"
                         for w in self.weights.values())


def name_key(name: str) -> tuple:
    """A name's sort key: its path components ('/' or '.'), numbers compared as numbers, so that
    layer_2 < layer_10 and both sides' names sort alike when their components agree."""
    return tuple(tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", c) if p)
                 for c in re.split(r"[/.]", name))


@functools.lru_cache(maxsize=None)
def name_tokens(name: str) -> tuple:
    """A layer's name as lower-case words and numbers: bert/encoder/layer_0/output/LayerNorm and
    encoder.layer.0.output.LayerNorm are both (..., encoder, layer, 0, output, layernorm)."""
    return tuple(t.lower() for t in re.findall(r"[A-Za-z]+|\d+", name))


def name_similarity(a: str, b: str) -> int:
    """How many trailing words two names share (a scope prefix such as bert/ on one side only does
    not count against them); 0 unless a word, not only a number, is among them."""
    ta, tb = name_tokens(a), name_tokens(b)
    n = 0
    while n < min(len(ta), len(tb)) and ta[-1 - n] == tb[-1 - n]:
        n += 1
    return n if any(not t.isdigit() for t in ta[len(ta) - n:]) else 0


def show_shape(shape) -> str:
    return "[" + ", ".join(str(d) for d in shape) + "]"
