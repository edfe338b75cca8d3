"""Rule documentation from the registry: docs/rules.md, the README's rules table, `graphlint rules`
and `graphlint rules CODE`.

The docstrings are the single source; docs/rules.md and the README table are generated from them
and a test keeps both current. Nothing here imports TensorFlow, so `graphlint rules` is instant.
"""

from __future__ import annotations

import ast
import functools
import os
import re

from graphlint.errors import UsageError
from graphlint.rules import all_rules

SECTIONS = ("What it does", "Why is this bad", "Example", "Fix")
REGENERATE = "GRAPHLINT_UPDATE_DOCS=1 python -m pytest tests/test_rules_docs.py"


def _title(rule) -> str:
    return rule.doc().splitlines()[0].strip() if rule.doc() else rule.summary


def _anchor(rule) -> str:
    # GitHub's heading anchors: lower case, spaces to dashes, punctuation dropped.
    return f"{rule.code.lower()}-{rule.symbol}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


# The README's rules table sits between these lines; everything between them is generated.
README_BEGIN = f"<!-- rules table: generated from the registry by graphlint.rules.docs; do not edit. Regenerate: {REGENERATE} -->"
README_END = "<!-- end of rules table -->"


def render_readme_table() -> str:
    lines = ["| code | symbol | severity | what |", "|---|---|---|---|"]
    lines += [f"| {r.code} | {r.symbol} | {r.severity} | {_cell(r.summary)} |" for r in all_rules()]
    return "\n".join(lines) + "\n\n"  # a blank line ends the table before README_END


def update_readme(text: str) -> str:
    """The README `text` with a fresh rules table between README_BEGIN and README_END."""
    head, begin, rest = text.partition(README_BEGIN + "\n")
    _, end, tail = rest.partition(README_END)
    if not begin or not end:
        raise ValueError(f"README has no rules table between {README_BEGIN!r} and {README_END!r}")
    return head + begin + render_readme_table() + end + tail


def render_table() -> str:
    rows = [(r.code, r.symbol, r.severity, r.summary) for r in all_rules()]
    return _simple_table(rows, ("code", "symbol", "severity", "summary")) + "\n"


def _simple_table(rows, headers) -> str:
    from tabulate import tabulate  # here, not at import: `rules CODE` and the docs need no table

    return tabulate(rows, headers=headers, tablefmt="simple")


def _find(code_or_symbol: str):
    key = code_or_symbol.strip()
    for rule in all_rules():
        if key.upper() == rule.code or key == rule.symbol:
            return rule
    raise UsageError(f"unknown rule {code_or_symbol!r} (`graphlint rules` lists them)")


# --- pasteable examples ------------------------------------------------------------------------
# The docstrings' examples import shared boilerplate from example_common so each shows only what
# matters to its rule; what users read must run on its own, so the helpers a block imports are
# inlined (their source, read as text: importing the module would import TensorFlow).
HELPERS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "example_common.py")
_HELPERS_IMPORT = re.compile(r"^from graphlint\.rules\.example_common import (.+)\n", re.M)
_PYTHON_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


@functools.lru_cache(maxsize=None)
def _helpers() -> tuple:
    """({name: (source, names it uses)} of example_common's top-level definitions in file order,
    {alias: import line} of its top-level imports)."""
    with open(HELPERS_FILE, encoding="utf-8") as fh:
        text = fh.read()
    defs, imports = {}, {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                imports[alias.asname or alias.name] = ast.get_source_segment(text, node)
            continue
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            name = node.name
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
        else:
            continue
        uses = frozenset(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
        defs[name] = (ast.get_source_segment(text, node), uses)
    return defs, imports


def _needed(names) -> list:
    """The helpers `names` and those they use, in example_common's order."""
    defs, _ = _helpers()
    unknown = [n for n in names if n not in defs]
    if unknown:
        raise ValueError(f"example_common has no {', '.join(unknown)}")
    todo, seen = list(names), set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(u for u in defs[name][1] if u in defs)
    return [n for n in defs if n in seen]


def _inline_block(source: str) -> str:
    match = _HELPERS_IMPORT.search(source)
    if not match:
        return source
    defs, imports = _helpers()
    chosen = _needed([n.strip() for n in match.group(1).split(",")])
    used = set().union(*(defs[n][1] for n in chosen))
    missing = [line for alias, line in imports.items()
               if alias in used and not re.search(rf"^{re.escape(line)}$", source, re.M)]
    body = "\n\n\n".join(defs[n][0] for n in chosen) + "\n"
    source = source[:match.start()] + body + source[match.end():]
    return "".join(line + "\n" for line in missing) + source


def pasteable(body: str) -> str:
    """A section's text with every ```python block made a complete file that imports no graphlint."""
    return _PYTHON_BLOCK.sub(lambda m: m.group(0).replace(m.group(1), _inline_block(m.group(1)), 1), body)


def rendered_sections(rule) -> dict:
    """The rule's docstring sections as users read them (`graphlint rules CODE`, docs/rules.md)."""
    return {name: pasteable(body) for name, body in rule.sections().items()}


def render_rule(code: str) -> str:
    """One rule in full, for the terminal: header, then its docstring sections."""
    rule = _find(code)
    parts = [f"{rule.code} {rule.symbol} ({rule.severity})", "", _title(rule) + _supersedes(rule)]
    for name, body in rendered_sections(rule).items():
        parts += ["", f"## {name}", body]
    return "\n".join(parts) + "\n"


def _supersedes(rule) -> str:
    """' It supersedes GL101: ...' when its findings stand for another rule's on the same names."""
    if not rule.supersedes:
        return ""
    return (f" One finding per cause: where it fires, {', '.join(rule.supersedes)} "
            f"{'does' if len(rule.supersedes) == 1 else 'do'} not report the same names (its symptoms).")


def _section_md(rule) -> list:
    out = [f"## {rule.code} {rule.symbol}", "",
           f"{_title(rule)} Default severity: **{rule.severity}**.{_supersedes(rule)}", ""]
    for name, body in rendered_sections(rule).items():
        out += [f"### {name}", "", body, ""]
    return out


def render_markdown() -> str:
    """docs/rules.md: a table of every rule, then one section per rule. Written by hand rather than
    by tabulate so the bytes do not change with tabulate's version."""
    rules = all_rules()
    lines = ["# Rules", "",
             f"<!-- Generated from the rule docstrings by graphlint.rules.docs; do not edit. "
             f"Regenerate: {REGENERATE} -->", "",
             "Select or ignore rules by code or prefix (`GL1`), silence one line with "
             "`# graphlint: ignore[GL101]`.", "",
             "| Code | Symbol | Severity | Summary |", "|---|---|---|---|"]
    lines += [f"| [{r.code}](#{_anchor(r)}) | `{r.symbol}` | {r.severity} | {_cell(r.summary)} |" for r in rules]
    lines.append("")
    for rule in rules:
        lines += _section_md(rule)
    return "\n".join(lines).rstrip("\n") + "\n"
