"""Import TensorFlow lazily, check its version, and give model files an Estimator API on every
supported version: TensorFlow 2.15 and older ship `tf.estimator` (tensorflow-estimator), which is
used as it is; TensorFlow 2.16+ has none, so for the duration of a build `estimator_api()` installs
graphlint's stand-in (model/estimator_standin.py)."""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import sys
import tempfile

from graphlint.errors import UsageError

MIN_TF = (2, 15)
MAX_TF = (2, 21)

_tf = None
import_output = ""  # what TensorFlow printed on stderr while importing (kept for --debug and failures)
# The CLI's --debug: let TensorFlow's import chatter through (set by showing_import_output())
_show_import_output = contextvars.ContextVar("graphlint_show_import_output", default=False)


def tf():
    """The tensorflow module, imported on first use with its start-up chatter turned down."""
    global _tf, import_output
    if _tf is None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        use_legacy_keras()
        printed = []
        try:
            with _stderr_captured(printed):
                import tensorflow

                # The full wheel looks for a GPU when devices are first listed and logs a failed
                # cuInit on a machine without one: have that happen here, inside the capture.
                tensorflow.config.list_physical_devices()
        except ImportError as exc:
            _replay(printed)
            absent = isinstance(exc, ModuleNotFoundError) and exc.name == "tensorflow"
            raise UsageError("TensorFlow is not installed; install it, e.g. pip install 'tf-graphlint[cpu]'"
                             if absent else f"importing TensorFlow failed: {exc}") from None
        except BaseException:
            _replay(printed)
            raise
        import_output = "".join(printed)
        if _show_import_output.get():
            _replay(printed)
        check_version(tensorflow.__version__)
        tensorflow.get_logger().setLevel("ERROR")
        _tf = tensorflow
    return _tf


@contextlib.contextmanager
def showing_import_output(show: bool = True):
    """Within the block, what TensorFlow prints while it is imported (if it is imported here) is
    shown rather than kept quiet: the CLI's --debug."""
    token = _show_import_output.set(bool(show))
    try:
        yield
    finally:
        _show_import_output.reset(token)


@contextlib.contextmanager
def _stderr_captured(into: list):
    """Send file descriptor 2 to a temporary file for the block. TensorFlow 2.16+ prints absl and
    oneDNN notices from C++ on import, whatever TF_CPP_MIN_LOG_LEVEL says; at the descriptor level
    they would land before every report and every one-line error."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable fd 2 (a closed stderr): nothing to keep clean
        yield
        return
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield
        finally:
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            into.append(tmp.read().decode("utf-8", "replace"))


def _replay(printed: list) -> None:
    text = "".join(printed)
    if text:
        sys.stderr.write(text if text.endswith("\n") else text + "\n")
        sys.stderr.flush()


def check_version(version: str) -> None:
    """A clear one-line refusal outside the range graphlint is tested on (CI: 2.15 and 2.21)."""
    numbers = tuple(int(p) for p in re.findall(r"\d+", version)[:2])
    if not MIN_TF <= numbers <= MAX_TF:
        raise UsageError(f"TensorFlow {version} is not supported; graphlint supports TensorFlow "
                         f"{MIN_TF[0]}.{MIN_TF[1]} to {MAX_TF[0]}.{MAX_TF[1]} "
                         f"(pip install 'tensorflow-cpu>={MIN_TF[0]}.{MIN_TF[1]},<{MAX_TF[0]}.{MAX_TF[1] + 1}')")


def use_legacy_keras() -> None:
    """On TF 2.16+, tf.compat.v1.layers and Keras-2 code need tf-keras and TF_USE_LEGACY_KERAS=1,
    set before TensorFlow is imported. Estimator-era model code expects Keras 2, so when tf-keras
    is installed and the user has not chosen, choose it (as `pip install tf-keras` intends)."""
    import importlib.util

    if "TF_USE_LEGACY_KERAS" not in os.environ and importlib.util.find_spec("tf_keras") is not None:
        os.environ["TF_USE_LEGACY_KERAS"] = "1"


def missing_tf_keras(exc: BaseException):
    """The one-line fix when exc is TensorFlow refusing a Keras-2 API (tf.compat.v1.layers,
    tf.compat.v1.nn.rnn_cell, tf.compat.v1.keras) because tf-keras is not installed; None for any
    other exception. The fact is read from where it was raised, not from its wording: the raising
    frame is a method of TF's KerasLazyLoader, which raises AttributeError when it routes to Keras 3
    and ImportError when it finds no Keras at all."""
    import importlib.util

    if not isinstance(exc, (AttributeError, ImportError)) or importlib.util.find_spec("tf_keras") is not None:
        return None  # with tf-keras installed, TF_USE_LEGACY_KERAS decides: GL901 says so
    if isinstance(exc, ModuleNotFoundError) and exc.name == "tf_keras":  # e.g. tf_slim's layers on TF 2.15
        return f"ModuleNotFoundError: {_first_line(exc).rstrip('.')} (a Keras-2 API needs it): {keras2_fix()}"
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    loader = tb.tb_frame.f_locals.get("self") if tb is not None else None
    if type(loader).__name__ != "KerasLazyLoader" or not type(loader).__module__.startswith("tensorflow."):
        return None
    return f"{type(exc).__name__}: {_first_line(exc).rstrip('.')}: {keras2_fix()}"


def keras2_fix() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        full_wheel = bool(version("tensorflow"))
    except PackageNotFoundError:
        full_wheel = False
    return (f"tf-keras (Keras 2) is not installed; install the one matching TensorFlow {_minor(tf().__version__)}: "
            f"{tf_keras_install(tf().__version__, full_wheel)} (graphlint then sets TF_USE_LEGACY_KERAS=1; "
            f"your training job needs it too)")


def tf_keras_install(tf_version: str, full_wheel: bool) -> str:
    """The command that installs tf-keras next to this TensorFlow: the release of the same minor
    version (a newer one would upgrade TensorFlow), with --no-deps unless the `tensorflow` wheel
    itself is installed (tf-keras requires it, and would add it next to tensorflow-cpu or a vendor
    build)."""
    return f"pip install 'tf-keras=={_minor(tf_version)}.*'" + ("" if full_wheel else " --no-deps")


def _minor(version: str) -> str:
    """'2.21.0' -> '2.21': tf-keras's releases follow TensorFlow's minor versions."""
    return ".".join(re.findall(r"\d+", version)[:2])


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def real_estimator():
    """tf.estimator when this TensorFlow has it, else None."""
    t = tf()
    try:
        est = t.compat.v1.estimator
        est.EstimatorSpec  # noqa: B018 - the lazy loader raises here when tensorflow-estimator is absent
    except (AttributeError, ImportError):
        return None
    return None if getattr(est, "__graphlint_standin__", False) else est


def estimator_api_label() -> str:
    from graphlint import tf1

    label = _estimator_label()
    return f"{label}; {tf1.LABEL}" if tf1.active() else label


def _estimator_label() -> str:
    if real_estimator() is not None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"real tf.estimator (tensorflow-estimator {version('tensorflow-estimator')})"
        except PackageNotFoundError:
            return "real tf.estimator"
    return "graphlint stand-in (this TensorFlow has no tf.estimator)"


@contextlib.contextmanager
def estimator_api():
    """Yield the Estimator API module; on TF 2.16+ install the stand-in in the room (until the
    room's exit: graphlint/tfpatch/estimator_module.py)."""
    from graphlint.tfpatch import ROOM, estimator_module

    est = real_estimator()
    if est is not None:
        with ROOM:  # the module session's room (a front door's, when one is open)
            yield est
        return
    from graphlint.model.estimator_standin import standin_module

    # installed at the room's first block; a later block of the same room gets that one
    with estimator_module.installed(tf(), standin_module()) as mod:
        yield mod


def is_estimator_spec(obj) -> bool:
    from graphlint.model.estimator_standin import EstimatorSpec

    if isinstance(obj, EstimatorSpec):
        return True
    est = real_estimator()
    return est is not None and isinstance(obj, est.EstimatorSpec)
