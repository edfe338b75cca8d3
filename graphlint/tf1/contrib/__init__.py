"""`tensorflow.contrib` for TF1 code: one module file here per contrib module.

Each file defines PROVIDES (the names it gives, as TF 1.15's tf.contrib.<module> had them),
symbols() -> {name: object} (the names this TensorFlow can give; a file whose names may be absent
defines missing(name) -> why), resolved when first asked for (so TensorFlow's lazy modules load
only when the code uses them), from the maintained package that carries that code today. A name
not provided is one MissingSymbol naming it, never an AttributeError somewhere later.
"""

from __future__ import annotations

import importlib
import types

from graphlint.errors import UsageError

MODULES = ("cluster_resolver", "data", "layers", "metrics", "tpu")  # a new contrib module: its file, then here


class MissingSymbol(UsageError):
    """A tf.contrib name the runtime does not provide. Not an AttributeError on purpose: `from
    tensorflow.contrib import x` would turn one into ImportError's 'cannot import name' and lose
    which name and why."""

    def __init__(self, name: str, why: str = ""):
        why = why or (f"tf.contrib is gone from TensorFlow 2; provided: {', '.join(provided())}; "
                      "see docs/tf1.md")
        super().__init__(f"{name} is not provided by graphlint's TF1 runtime ({why})")
        self.symbol = name


def provided() -> list:
    """tf.contrib.<module>.<name> of everything the runtime gives, sorted."""
    return sorted(f"{m}.{n}" for m in MODULES for n in _definition(m).PROVIDES)


def _definition(module: str):
    return importlib.import_module(f"{__name__}.{module}")


class ContribModule(types.ModuleType):
    """tensorflow.contrib.<module>: its names from its definition file, anything else MissingSymbol."""

    def __init__(self, module: str):
        super().__init__(f"tensorflow.contrib.{module}")
        self._short = module

    def __getattr__(self, name: str):
        if name.startswith("__"):  # the import machinery's and copy's probes
            raise AttributeError(name)
        definition = _definition(self._short)
        if name not in definition.PROVIDES:
            raise MissingSymbol(f"tf.contrib.{self._short}.{name}")
        found = definition.symbols()
        if name not in found:  # what carries it is missing from this TensorFlow: the file says why
            why = getattr(definition, "missing", lambda n: f"this TensorFlow has no {n}")(name)
            raise MissingSymbol(f"tf.contrib.{self._short}.{name}", why)
        return found[name]

    def __dir__(self):
        return list(_definition(self._short).PROVIDES)


class Contrib(types.ModuleType):
    """tensorflow.contrib itself."""

    def __init__(self):
        super().__init__("tensorflow.contrib")
        self.__path__ = []  # a package, so `import tensorflow.contrib.tpu` is well formed
        self._modules = {m: ContribModule(m) for m in MODULES}

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if name not in self._modules:
            raise MissingSymbol(f"tf.contrib.{name}")
        return self._modules[name]

    def __dir__(self):
        return list(MODULES)

    def submodule(self, dotted: str):
        """tensorflow.contrib.<dotted> as an import statement names it; MissingSymbol if not provided."""
        module = self
        for part in dotted.split("."):
            module = getattr(module, part)
            if not isinstance(module, types.ModuleType):
                raise MissingSymbol(f"tensorflow.contrib.{dotted} (not a module)")
        return module
