"""Each rule with a script declares the library modules that script imports as inputs, through
`library(<its own script>)` (workflow/rules/common.smk), which reads the imports from the
code. Snakemake tracks a script's own code but not what it imports; these inputs are what
makes editing a module re-run exactly the rules that use it (README, "How re-runs are
decided"), so a rule that forgets them, or names another script, breaks that silently.
What the derivation gives is checked against Snakemake's own DAG."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from support.workflow import REPOSITORY, copy_repository

WORKFLOW = REPOSITORY / "workflow"
RULE = re.compile(r"^(?:rule|checkpoint) (\w+):\n(.*?)(?=^(?:rule|checkpoint) |\Z)", re.M | re.S)
SCRIPT = re.compile(r'script:\s*\n\s*"\.\./scripts/([^"]+)"')
DECLARED = re.compile(r'code=library\("([^"]+)"\)')


def rules_with_scripts() -> list[tuple[str, str, str | None]]:
    """(rule, its script, the script its library() names) of every script rule."""
    found = []
    for path in sorted((WORKFLOW / "rules").glob("*.smk")):
        for name, body in RULE.findall(path.read_text()):
            script = SCRIPT.search(body)
            if script is not None:
                declared = DECLARED.search(body)
                found.append((name, script.group(1), declared and declared.group(1)))
    return found


@pytest.mark.parametrize(
    ("rule", "script", "declared"),
    [pytest.param(*case, id=case[0]) for case in rules_with_scripts()],  # ids: rule names
)
def test_every_script_rule_declares_the_library_its_own_script_imports(
    rule: str, script: str, declared: str | None
):
    assert declared is not None, f"rule {rule}: no code=library(...) input"
    assert declared == script.replace("{wildcards.", "{"), (
        f"rule {rule} runs {script} but declares the library of {declared}"
    )


def test_the_derived_inputs_follow_imports_through_other_modules(tmp_path):
    """permutation_importance.py imports bikeflow.model, which imports bikeflow.publication:
    Snakemake's DAG lists publication.py among the rule's inputs although the script never
    names it, and no module the script does not reach."""
    script = (WORKFLOW / "scripts/permutation_importance.py").read_text()
    assert "bikeflow.publication" not in script
    workdir = copy_repository(tmp_path / "repository")
    listed = subprocess.run(
        [sys.executable, "-m", "snakemake", "results/model/permutation_importance.csv",
         "--dry-run", "--forceall", "--cores", "1"],
        cwd=workdir, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stdout + listed.stderr
    job = listed.stdout.split("rule permutation_importance:")[1].split("output:")[0]
    assert "workflow/scripts/bikeflow/publication.py" in job
    assert "workflow/scripts/bikeflow/plotting.py" not in job
