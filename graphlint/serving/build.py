"""Build the PREDICT graph as Estimator.export_saved_model does: call serving_input_receiver_fn()
in a fresh graph, model_fn(receiver.features, labels=None, PREDICT), then TF's own
build_all_signature_defs over the receiver tensors and the spec's export_outputs (the default
`serving_default` from `predictions` when model_fn gives none). Nothing is exported or written."""

from __future__ import annotations

from graphlint.errors import UsageError, first_line
from graphlint.model import build as model_build
from graphlint.model.tpu_spec import to_estimator_spec
from graphlint.model.tfcompat import tf
from graphlint.serving.signatures import ServingBuild, from_signature_def
from graphlint.tfpatch import saved_model

RECEIVER_FN = "serving_input_receiver_fn"


def find_receiver_fn(model, name=None):
    """The model file's serving_input_receiver_fn (or `name`); None when it has none."""
    fn = getattr(model.module, name or RECEIVER_FN, None)
    if name and not callable(fn):
        raise UsageError(f"{model.target}: no callable named {name!r} (--serving-input-fn)")
    return fn if callable(fn) else None


def build_serving(model, receiver_fn, params: dict, est) -> ServingBuild:
    t = tf()
    name = getattr(receiver_fn, "__name__", RECEIVER_FN)
    result = ServingBuild(name)
    with t.Graph().as_default() as graph:
        t.compat.v1.train.get_or_create_global_step()  # Estimator creates it before the receiver
        try:
            receiver = receiver_fn()
            spec = to_estimator_spec(model_build.call_model_fn(
                model, receiver.features, None, est.ModeKeys.PREDICT, params))
            export_outputs = saved_model.export_outputs(spec.export_outputs, spec.predictions)
            # TF looks each signature tensor up by name in this graph, and a KeyError fails the whole
            # export: each such output is a finding, and the other signatures are still built.
            result.missing = _missing_tensors(graph, receiver.receiver_tensors, export_outputs)
            broken = {sig for sig, *_ in result.missing}
            export_outputs = {k: v for k, v in export_outputs.items() if k not in broken}
            defs = saved_model.signature_defs(receiver.receiver_tensors, export_outputs,
                                              getattr(receiver, "receiver_tensors_alternatives", None))
        except UsageError:
            raise
        except Exception as exc:  # noqa: BLE001 - the user's code: say where, in one line
            site = model.sites.from_traceback(exc.__traceback__)
            where = f"{site}: " if site else ""
            raise UsageError(f"{where}building the serving graph ({name}, PREDICT) failed: "
                             f"{type(exc).__name__}: {first_line(exc)}") from None
        result.signatures = {k: from_signature_def(v) for k, v in sorted(defs.items())}
        result.dropped = {k: _why_dropped(out) for k, out in sorted(export_outputs.items()) if k not in defs}
        keys = model_build.restore_keys(graph, spec)
        result.restore_keys = {k: (rk.shape, rk.dtype) for k, rk in sorted(keys.items())}
    return result


def _why_dropped(output) -> str:
    """build_all_signature_defs keeps only signatures TF's is_valid_signature accepts, silently."""
    kind = type(output).__name__
    if kind == "ClassificationOutput":
        return ("a ClassificationOutput needs one string input named 'inputs' and string classes / float scores "
                "(serving_input_receiver_fn must feed serialized tf.Example)")
    if kind == "RegressionOutput":
        return "a RegressionOutput needs one string input named 'inputs' and a float output"
    return f"TensorFlow's is_valid_signature rejects this {kind}"


def _missing_tensors(graph, receiver_tensors, export_outputs) -> list:
    """[(export_outputs key, io, key, tensor name)] that this graph has no tensor of that name for
    (a tensor built in another graph): build_all_signature_defs raises KeyError on the first one."""
    if not isinstance(receiver_tensors, dict):
        receiver_tensors = {"input": receiver_tensors}
    out = []
    for key, output in sorted(export_outputs.items()):
        try:
            sig = output.as_signature_def(receiver_tensors)
        except ValueError:  # an invalid output: the export drops it (GL510), it does not fail
            continue
        for io, infos in (("inputs", sig.inputs), ("outputs", sig.outputs)):
            for k, info in sorted(infos.items()):
                for name in _names(info):
                    try:
                        graph.as_graph_element(name)
                    except (KeyError, ValueError):
                        out.append((key, io, k, name))
    return out


def _names(info) -> list:
    if info.name:
        return [info.name]
    if info.HasField("coo_sparse"):
        sparse = info.coo_sparse
        return [sparse.values_tensor_name, sparse.indices_tensor_name, sparse.dense_shape_tensor_name]
    return []  # a composite tensor: its components are not named here
