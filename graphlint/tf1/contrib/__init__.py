"""`tensorflow.contrib` for TF1 code: one module file here per contrib module.

Each file defines PROVIDES (the names it gives, as TF 1.15's tf.contrib.<module> had them; PATHS,
the module paths under it that TF1 code imports them by, such as training.python.training.hparam),
symbols() -> {name: object} (the names this TensorFlow can give; a file whose names may be absent
defines missing(name) -> why), resolved when first asked for (so TensorFlow's lazy modules load
only when the code uses them), from the maintained package that carries that code today. A name
not provided is one MissingSymbol naming it, never an AttributeError somewhere later.
"""

from __future__ import annotations

import importlib
import types

from graphlint.errors import UsageError

MODULES = ("cluster_resolver", "data", "distribute", "framework", "layers", "metrics", "summary", "tpu",
           "training")  # a new contrib module: its file, then here


class MissingSymbol(UsageError):
    """A tf.contrib name the runtime does not provide. Not an AttributeError on purpose: `from
    tensorflow.contrib import x` would turn one into ImportError's 'cannot import name' and lose
    which name and why."""

    def __init__(self, name: str, why: str = ""):
        module = name.split(".")[2] if name.count(".") > 2 else None  # tf.contrib.<module>.<name>
        names = _definition(module).PROVIDES if module in MODULES else MODULES
        owner = f"tf.contrib.{module}" if module in MODULES else "tf.contrib"
        why = why or f"tf.contrib is gone from TensorFlow 2; graphlint provides {owner}'s {', '.join(names)}; see docs/tf1.md"
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
        if name not in definition.PROVIDES + getattr(definition, "PATHS", ()):
            raise MissingSymbol(f"tf.contrib.{self._short}.{name}")
        found = definition.symbols()
        if name not in found:  # what carries it is missing from this TensorFlow: the file says why
            why = getattr(definition, "missing", lambda n: f"this TensorFlow has no {n}")(name)
            raise MissingSymbol(f"tf.contrib.{self._short}.{name}", why)
        return found[name]

    def __dir__(self):
        return list(_definition(self._short).PROVIDES)


class Namespace(types.ModuleType):
    """A module path under tensorflow.contrib that TF1 code imports a name by (contrib.x.python.y.z):
    its names, anything else MissingSymbol."""

    def __init__(self, dotted: str, names: dict):
        super().__init__(f"tensorflow.contrib.{dotted}")
        self.__dict__.update(names)
        self._dotted = dotted

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise MissingSymbol(f"tf.contrib.{self._dotted}.{name}")


def namespace(dotted: str, names: dict) -> Namespace:
    """tensorflow.contrib.<dotted> holding `names`, as its contrib module's attribute: for
    "training.python.training.hparam", the module tensorflow.contrib.training.python."""
    parts = dotted.split(".")
    module = Namespace(dotted, names)
    for i in range(len(parts) - 1, 1, -1):
        module = Namespace(".".join(parts[:i]), {parts[i]: module})
    return module


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
