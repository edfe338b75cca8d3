"""`import tensorflow` as TF1 code means it: the 1.x API (tf.compat.v1) with tf.contrib.

While the runtime is active, Python's __import__ and importlib.import_module are wrapped: an
import of `tensorflow` made by code outside TensorFlow's own libraries (and graphlint) gets
Tf1Module, a module object whose names are tf.compat.v1's plus `contrib`; `tensorflow.contrib[.x]`
in any form gets contrib.Contrib. Everything else (`tensorflow.compat.v1`, `tensorflow.python...`)
is TF's own. Nothing enters sys.modules: TensorFlow, tensorflow-estimator, tf_slim and graphlint
keep seeing the real `tensorflow`, and after the run both wrappers are gone (a reference the code
kept to the import_module wrapper then does what importlib's does).
"""

from __future__ import annotations

import builtins
import importlib
import sys
import types

from graphlint.tf1.contrib import Contrib

CONTRIB = "tensorflow.contrib"
# Importers that get the real `tensorflow`: libraries written for TF 2's API (their own `import
# tensorflow as tf` must stay what they were written against), and graphlint itself.
_TF2_LIBRARIES = frozenset({"tensorflow", "tensorflow_estimator", "tf_slim", "keras", "tf_keras", "tensorboard",
                            "graphlint", "tensorflow_probability", "tensorflow_hub", "tensorflow_io"})


class Tf1Module(types.ModuleType):
    """`tensorflow` for TF1 code: tf.compat.v1's names, plus contrib."""

    def __init__(self, real, contrib: Contrib):
        super().__init__("tensorflow", getattr(real.compat.v1, "__doc__", None))
        self.__dict__.update(__version__=real.__version__, __file__=getattr(real, "__file__", None),
                             __path__=list(getattr(real, "__path__", [])), contrib=contrib)
        self._v1 = real.compat.v1

    def __getattr__(self, name: str):
        try:
            return getattr(self._v1, name)
        except AttributeError:
            raise AttributeError(f"module 'tensorflow' has no attribute '{name}' (the TF 1.x API: "
                                 "tf.compat.v1)") from None

    def __dir__(self):
        return sorted(set(dir(self._v1)) | {"contrib"})


class ImportHook:
    """The __import__ wrapper; install() and uninstall() put it in and take it out."""

    def __init__(self, real_tf):
        self.contrib = Contrib()
        self.tf = Tf1Module(real_tf, self.contrib)
        self._original = None
        self._original_import_module = importlib.import_module
        self._installed = False

    def install(self) -> None:
        self._original = builtins.__import__
        self._original_import_module = importlib.import_module
        builtins.__import__ = self._import
        importlib.import_module = self._import_module
        self._installed = True

    def uninstall(self) -> None:
        if builtins.__import__ == self._import:
            builtins.__import__ = self._original
        if importlib.import_module == self._import_module:
            importlib.import_module = self._original_import_module
        self._installed = False

    def _import_module(self, name, package=None):
        """importlib.import_module: the module itself, as `from tensorflow.contrib import x` gives x."""
        if self._installed and (name == "tensorflow" or name.startswith(CONTRIB)):
            found = self._tf1(name, sys._getframe(1).f_globals, ("*",))  # noqa: SLF001 - the caller's module
            if found is not None:
                return found
        return self._original_import_module(name, package)

    def _import(self, name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002 - __import__'s own
        if level == 0 and (name == "tensorflow" or name.startswith(CONTRIB)):
            found = self._tf1(name, globals, fromlist)
            if found is not None:
                return found
        return self._original(name, globals, locals, fromlist, level)

    def _tf1(self, name, importer_globals, fromlist):
        if name == "tensorflow":
            return None if _tf2_library(importer_globals) else self.tf
        if name == CONTRIB:
            return self.contrib if fromlist else self.tf
        if name[len(CONTRIB)] != ".":  # tensorflow.contribution: not ours
            return None
        module = self.contrib.submodule(name[len(CONTRIB) + 1:])
        return module if fromlist else self.tf


def _tf2_library(importer_globals) -> bool:
    module = (importer_globals or {}).get("__name__") or ""
    return module.split(".", 1)[0] in _TF2_LIBRARIES
