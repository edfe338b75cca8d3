"""Print one markdown table row per corpus model: today's `graphlint diff` verdict.

    PYTHONPATH=. python tests/realcode/before.py   (from the project root; one process per model)
"""

import glob
import json
import os
import subprocess
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
LIBRARY = ("_lib.py", "modeling.py", "optimization.py", "run_classifier.py", "make_pretrained.py",
           "tpu_run.py", "before.py")


def models():
    return sorted(p for p in glob.glob(os.path.join(HERE, "*", "*.py")) if not p.endswith(LIBRARY))


def verdict(path):
    rel = os.path.relpath(path)
    text = subprocess.run([sys.executable, "-m", "graphlint", "diff", rel], capture_output=True,
                          text=True)
    if text.returncode == 2:
        return f"| {rel} | 2 | - | - | - | - | {text.stderr.strip().splitlines()[-1]} |"
    data = json.loads(subprocess.run([sys.executable, "-m", "graphlint", "diff", rel, "--format",
                                      "json"], capture_output=True, text=True).stdout)
    findings = data["findings"]
    severity = Counter(f["severity"] for f in findings)
    codes = Counter(f["code"] for f in findings)
    code_list = ", ".join(f"{c}x{n}" if n > 1 else c for c, n in sorted(codes.items()))
    return (f"| {rel} | {text.returncode} | {severity['error']} | {severity['warning']} | "
            f"{severity['info']} | {len(text.stdout.splitlines())} | {code_list or '-'} |")


if __name__ == "__main__":
    print("| model | exit | errors | warnings | info | report lines | codes |")
    print("|---|---|---|---|---|---|---|")
    for path in models():
        print(verdict(path), flush=True)
