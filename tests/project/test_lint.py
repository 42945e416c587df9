"""Lint is part of the tests: Snakemake's linter, snakefmt and ruff report nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.workflow import REPOSITORY, copy_repository

BIN = Path(sys.executable).parent
WORKFLOWS = sorted(str(path) for path in (REPOSITORY / ".github/workflows").glob("*.yml"))


def run(*command: str, cwd: Path = REPOSITORY) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )


def test_snakemake_lint_has_no_findings(tmp_path: Path):
    # In a copy: the linter parses the workflow and leaves .snakemake/ behind.
    workdir = copy_repository(tmp_path / "repository")
    result = run(sys.executable, "-m", "snakemake", "--lint", cwd=workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Congratulations, your workflow is in a good condition!" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["snakefmt", "--check", "workflow"], id="snakefmt"),
        pytest.param(["ruff", "check", "--no-cache", "."], id="ruff-check"),
        pytest.param(["ruff", "format", "--check", "--no-cache", "."], id="ruff-format"),
        pytest.param(["actionlint"], id="actionlint"),
        pytest.param(["zizmor", "--offline", "--persona", "pedantic", ".github"], id="zizmor"),
        pytest.param(
            ["check-jsonschema", "--builtin-schema", "vendor.github-workflows", *WORKFLOWS],
            id="github-workflow-schema",
        ),
    ],
)
def test_formatters_and_linters_are_clean(command: list[str]):
    result = run(str(BIN / command[0]), *command[1:])
    assert result.returncode == 0, result.stdout + result.stderr
