"""Every rule of `graphlint migrate` (GL6xx) is made to fire by a migrate test: the fast lane's
recordings are lint runs and never show them (tests/fast/test_recorded.py leaves them to these)."""

import glob
import os

from graphlint.rules import all_rules
from graphlint.rules._migrate import MigrateRule

HERE = os.path.dirname(os.path.abspath(__file__))


def test_every_migrate_rule_is_asserted_by_a_migrate_test():
    text = "".join(open(p, encoding="utf-8").read() for p in sorted(glob.glob(os.path.join(HERE, "test_migrate_*.py")))
                   if not p.endswith("test_migrate_rules_covered.py"))
    codes = [r.code for r in all_rules() if isinstance(r, MigrateRule)]
    assert codes, "no migrate rule is registered"
    missing = [c for c in codes if f'"{c}"' not in text and f"'{c}'" not in text]
    assert not missing, f"no tests/test_migrate_*.py asserts {', '.join(missing)}: add a broken port that makes it fire"
