"""The pip environment (requirements.in, locked in requirements.txt) and the conda
environments (environment.yml, workflow/envs/*.yaml) pin the same versions, and the
environment running the tests is the locked one: a local run and an Actions run use the
same software, and two installs a month apart are the same install."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker
from support.workflow import REPOSITORY

CONDA_FILES = [
    REPOSITORY / "environment.yml",
    *sorted((REPOSITORY / "workflow/envs").glob("*.yaml")),
]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_pins() -> dict[str, str]:
    """The top-level packages of the pip environment (requirements.in)."""
    pins = {}
    for line in (REPOSITORY / "requirements.in").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            assert pinned, f"requirements.in: {line!r} is not pinned with =="
            pins[canonical(name)] = pinned
    return pins


def locked() -> list[tuple[str, str, str | None, list[str]]]:
    """(name, version, marker, hashes) of every entry of the lock, requirements.txt."""
    text = (REPOSITORY / "requirements.txt").read_text().replace("\\\n", " ")
    entries = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        requirement, *hashes = line.split("--hash=")
        pinned, _, marker = requirement.partition(";")
        name, _, pinned_version = pinned.strip().partition("==")
        entries.append((canonical(name), pinned_version, marker.strip() or None, hashes))
    return entries


def conda_pins(path: Path) -> dict[str, str]:
    """name -> version for conda packages and the pip section (the pip tool itself aside)."""
    pins = {}
    for dependency in yaml.safe_load(path.read_text())["dependencies"]:
        if isinstance(dependency, dict):
            for requirement in dependency["pip"]:
                name, _, pinned = requirement.partition("==")
                assert pinned, f"{path.name}: pip {requirement!r} is not pinned with =="
                pins[canonical(name)] = pinned
            continue
        name, _, pinned = dependency.partition("=")
        assert pinned, f"{path.name}: {dependency!r} is not pinned"
        if name != "pip":
            pins[canonical(name)] = pinned
    return pins


@pytest.mark.parametrize("path", CONDA_FILES, ids=lambda path: path.name)
def test_conda_pins_match_the_pip_pins(path: Path):
    pip = pip_pins()
    pins = conda_pins(path)
    assert pins.pop("python") == "3.11"
    mismatched = {
        name: (pinned, pip.get(name)) for name, pinned in pins.items() if pip.get(name) != pinned
    }
    assert not mismatched, f"{path.name} (conda, pip): {mismatched}"


@pytest.mark.parametrize("path", CONDA_FILES, ids=lambda path: path.name)
def test_conda_envs_use_conda_forge_only(path: Path):
    channels = yaml.safe_load(path.read_text())["channels"]
    assert channels[0] == "conda-forge" and channels[-1] == "nodefaults"


def test_driver_environment_has_everything_pip_installs():
    assert set(conda_pins(REPOSITORY / "environment.yml")) - {"python"} == set(pip_pins())


def test_the_lock_pins_every_package_with_hashes_and_the_top_level_as_requested():
    entries = locked()
    assert all(entry[1] and entry[3] for entry in entries), "an entry without == or hashes"
    in_lock = {name: pinned for name, pinned, marker, _ in entries if marker is None}
    assert {name: in_lock.get(name) for name in pip_pins()} == pip_pins()


def test_tests_run_in_the_locked_environment():
    """Every locked package that applies to this machine is installed at its locked version."""
    wanted = {
        name: pinned
        for name, pinned, marker, _ in locked()
        if marker is None or Marker(marker).evaluate()
    }
    assert {name: version(name) for name in wanted} == wanted
