"""Run the real workflow with real Snakemake in a temporary copy of the repository."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
JOB_LINE = re.compile(r"^(?:local)?(?:rule|checkpoint) (\w+):$", re.MULTILINE)
TARGETS = {"all", "all_downloads"}  # target rules: they make nothing


@dataclass(frozen=True)
class Run:
    returncode: int
    output: str

    @property
    def jobs(self) -> Counter:
        """How many jobs of each rule Snakemake started (the `all` target excluded)."""
        return Counter(rule for rule in JOB_LINE.findall(self.output) if rule not in TARGETS)

    @property
    def rules(self) -> set[str]:
        return set(self.jobs)


# What the Actions commit on main: the results of the real data and their provenance. A copy
# for a test starts from none, as a first run does (on GitHub, CI tests a main that has them).
PUBLISHED = ("results/", ".snakemake/")


def copy_repository(destination: Path) -> Path:
    """Copy the project as git sees it (tracked and new files, nothing ignored), without
    the published results."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPOSITORY,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        if name.startswith(PUBLISHED) and name != "results/.gitkeep":
            continue
        source = REPOSITORY / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def write_config(workdir: Path, overrides: dict, name: str = "test-overrides.yaml") -> Path:
    """An extra --configfile, the documented way to point sources at a mirror."""
    path = workdir / name
    path.write_text(yaml.safe_dump(overrides, sort_keys=False), encoding="utf-8")
    return path


def source_urls(urls: dict[str, str]) -> dict:
    return {"sources": {name: {"url": url} for name, url in urls.items()}}


def snakemake(workdir: Path, *args: str, timeout: int = 900) -> Run:
    """Run Snakemake from `workdir` as a user would (the default profile applies)."""
    completed = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Run(completed.returncode, completed.stdout + completed.stderr)


def file_digests(directory: Path) -> dict[str, bytes]:
    """Every file below `directory` with its bytes, to compare runs."""
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


# Settings that make sense on the fixture data's 18 months (the defaults expect years): a
# short holdout and backtest, few trees. The demo's config holds them (.test/config/, on the
# same data); the tests apply them with the sources' URLs.
DEMO_CONFIG = REPOSITORY / ".test/config/config.yaml"
SMALL_DATA_MODEL = {
    section: values
    for section, values in yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8")).items()
    if section != "sources"
}


def fixture_config(urls: dict[str, str]) -> dict:
    """Overrides for a run on fixture sources: their URLs and the small-data model."""
    return {**source_urls(urls), **SMALL_DATA_MODEL}


def configure_fork(repository: Path, urls: dict[str, str]) -> None:
    """Edit config/config.yaml as a fork does: sources pointed at its upstream, the model
    sized for its data (here the fixtures' small-data settings)."""
    config_path = repository / "config/config.yaml"
    config = yaml.safe_load(config_path.read_text())
    for section, values in fixture_config(urls).items():
        for key, value in values.items():
            if isinstance(value, dict) and isinstance(config[section].get(key), dict):
                config[section][key].update(value)
            else:
                config[section][key] = value
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
