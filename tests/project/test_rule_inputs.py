"""Each rule lists, as inputs, exactly the library modules its script imports (directly or
through other library modules). Snakemake tracks a script's own code but not what it
imports; these inputs are what makes editing a module re-run exactly the rules that use it
(README, "How re-runs are decided"), so a list that falls behind the imports breaks that
silently. Read from the source, without running anything."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from support.workflow import REPOSITORY

WORKFLOW = REPOSITORY / "workflow"
LIBRARY = WORKFLOW / "scripts/bikeflow"
RULE = re.compile(r"^rule (\w+):\n(.*?)(?=^rule |\Z)", re.MULTILINE | re.DOTALL)
SCRIPT = re.compile(r'script:\s*\n\s*"\.\./scripts/([^"]+)"')
DECLARED = re.compile(r"library\(([^)]*)\)")


def imported_modules(path: Path) -> set[str]:
    """Library modules a file imports: `from bikeflow.x import ...`, `from bikeflow import x`."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "bikeflow":
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bikeflow."):
            modules.add(node.module.split(".")[1])
    return modules


def used_modules(script: Path) -> set[str]:
    seen, pending = set(), list(imported_modules(script))
    while pending:
        module = pending.pop()
        if module not in seen:
            seen.add(module)
            pending += imported_modules(LIBRARY / f"{module}.py")
    return seen


def rules_with_scripts() -> list[tuple[str, list[Path], set[str]]]:
    """(rule, its script files, the modules its library() lists) of every script rule."""
    found = []
    for path in sorted((WORKFLOW / "rules").glob("*.smk")):
        for name, body in RULE.findall(path.read_text()):
            script = SCRIPT.search(body)
            if script is None:
                continue
            # One rule may run a script per wildcard value (figure_{figure}.py).
            pattern = re.sub(r"\{[^}]*\}", "*", script.group(1))
            scripts = sorted((WORKFLOW / "scripts").glob(pattern))
            declared = DECLARED.search(body)
            modules = set(re.findall(r'"(\w+)"', declared.group(1))) if declared else set()
            found.append((name, scripts, modules))
    return found


@pytest.mark.parametrize(
    ("rule", "scripts", "declared"),
    [pytest.param(*case, id=case[0]) for case in rules_with_scripts()],  # ids: rule names
)
def test_rule_declares_exactly_the_library_modules_its_script_uses(
    rule: str, scripts: list[Path], declared: set[str]
):
    assert scripts, f"rule {rule}: no script file found"
    used = set().union(*(used_modules(script) for script in scripts))
    assert declared == used, (
        f"rule {rule}: library() lists {sorted(declared)}, the script uses {sorted(used)}"
    )
