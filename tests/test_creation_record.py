"""graphlint notes where each op is created while the graph is built (model/build.py), instead of
reading TF's own record (op.traceback) afterwards, which costs more and holds memory as long as the
graph. The note must say what TF's record says: for every op of real models (Keras layers, an EMA,
dropout, hooks, the Scaffold's ops), the same user frames and the same EMA/dropout role. (graphlint's
builds skip TF's record, tfpatch/graph.py; these builds keep it, to compare.)"""

import os

import pytest

from conftest import CASES, ROOT
from corpus import lint_case, skip_unless_runnable

from graphlint.model.roles import _traceback_role
from graphlint.model import session as session_lib
from graphlint.tfpatch.graph import keeping_tf_traces

MODELS = [os.path.join(ROOT, "tests", "classes", n) for n in ("ema_restore.py", "bert_style.py")] + \
    [os.path.join(CASES, n) for n in ("keras_layers.py", "fetch_missing.py")]


@pytest.mark.parametrize("path", MODELS, ids=os.path.basename)
def test_the_note_of_every_op_agrees_with_tensorflows_traceback(path, monkeypatch):
    skip_unless_runnable(path)
    compared = {}
    build_mode = session_lib.build_mode

    def build_and_compare(model, mode, *args, **kwargs):
        snap, graph = build_mode(model, mode, *args, **kwargs)
        sites = model.sites
        ops = graph.get_operations()
        assert len(graph.gl_created) == len(ops)
        for op in ops:
            stack, role = graph.gl_created[op.name]
            assert sites.from_raw_stack(stack) == sites.stack_from_op(op), op.name
            assert role == _traceback_role(op), op.name
        compared[mode] = {role for _, role in graph.gl_created.values()}
        return snap, graph

    monkeypatch.setattr(session_lib, "build_mode", build_and_compare)
    with keeping_tf_traces():
        lint_case(path)
    assert set(compared) == {"train", "eval", "predict"}
    roles = set().union(*compared.values())
    name = os.path.basename(path)
    if name == "ema_restore.py":
        assert "moving-average" in roles
    if name == "bert_style.py":
        assert "dropout" in roles
