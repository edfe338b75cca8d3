"""The rules package is one module per rule, named for the rule's symbol, found without a list."""

import ast
import importlib
import inspect
import os
import pkgutil

import pytest

import graphlint.rules as package
from graphlint.analysis.context import Context
from graphlint.rules import NOT_RULES, RULES, Rule, all_rules
from graphlint.rules import _training

def _modules():
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__))


def _rules_defined_in(name):
    module = importlib.import_module(f"graphlint.rules.{name}")
    return {obj.code for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, Rule) and obj.code and obj.__module__ == module.__name__}


def test_every_registered_rule_comes_from_a_discovered_module():
    discovered = {code for name in _modules() if not name.startswith("_") and name not in NOT_RULES
                  for code in _rules_defined_in(name)}
    assert discovered == {r.code for r in all_rules()} == set(RULES)


@pytest.mark.parametrize("name", [n for n in _modules() if not n.startswith("_") and n not in NOT_RULES])
def test_a_rule_module_holds_one_rule_named_like_it(name):
    (code,) = _rules_defined_in(name)
    assert RULES[code].symbol.replace("-", "_") == name


# example_common is left out: it imports TensorFlow and defines no class at all.
@pytest.mark.parametrize("name", [n for n in _modules() if (n.startswith("_") or n in NOT_RULES) and n != "example_common"])
def test_helper_modules_hold_no_rule(name):
    assert not _rules_defined_in(name)


def _imports(name):
    path = os.path.join(package.__path__[0], name + ".py")
    tree = ast.parse(open(path, encoding="utf-8").read())
    return [(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            for alias in node.names]


@pytest.mark.parametrize("name", _modules())
def test_no_module_imports_another_modules_private_names(name):
    """Shared helpers are public names of private modules (_shapes.show), never _names of others."""
    for module, imported in _imports(name):
        if module and module.startswith("graphlint"):
            assert not imported.startswith("_"), f"{name} imports {module}.{imported}"


@pytest.mark.parametrize("name", [n for n in _modules() if not n.startswith("_") and n not in NOT_RULES])
def test_rule_modules_do_not_import_each_other(name):
    rule_modules = {f"graphlint.rules.{n}" for n in _modules() if not n.startswith("_") and n not in NOT_RULES}
    assert not [m for m, _ in _imports(name) if m in rule_modules]


def test_training_state_is_kept_by_its_context():
    """GL401 and GL402 share one TrainingState per Context, and a new Context starts afresh."""
    one, other = Context(info=None, snapshots={}), Context(info=None, snapshots={})
    assert _training.state(one) is _training.state(one)
    assert _training.state(other) is not _training.state(one)
    assert list(one.memo.values()) == [_training.state(one)]
