"""The README's numbers that come from the code, checked against the code: a count that
drifts (packages, figures, tests) is a README that disagrees with the repository."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def said(pattern: str) -> set[int]:
    """Every number the README gives in this phrase."""
    return {int(number.replace(",", "")) for number in re.findall(pattern, README)}


def requirement_lines(path: Path) -> list[str]:
    """The pinned packages of a requirements file (`name==version`, comments and hash
    continuation lines left out)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if re.match(r"^[A-Za-z0-9][A-Za-z0-9._\-\[\]]*==", line)]


def test_the_package_counts_are_the_pins_and_the_lock():
    assert said(r"pins the (\d+) top-level packages") == {
        len(requirement_lines(ROOT / "requirements.in"))
    }
    assert said(r"\((\d+) packages\)") == {len(requirement_lines(ROOT / "requirements.txt"))}


def test_the_figure_count_is_the_number_of_figure_scripts():
    figures = list((ROOT / "workflow/scripts").glob("figure_*.py"))
    assert said(r"(\d+) figures") == {len(figures)}


def test_there_are_at_least_as_many_tests_as_the_readme_says():
    """A floor, so that a fork that adds tests stays true."""
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    count = sum(1 for line in collected.splitlines() if "::" in line)
    (floor,) = said(r"more than ([\d,]+) tests")
    assert count >= floor, f"{count} tests collected, the README says more than {floor}"
