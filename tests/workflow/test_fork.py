"""A fork for another counter, made the way a person would: following docs/use-your-own-data.md,
a copy of the repository gets another counter's schema (other column names, a day-first
timestamp, parts named inbound and outbound), another weather station, another time zone and
holiday calendar, no curated issues and its own words, in the files the guide names and no
other; `make demo-data` writes its demo. Then, in the copy, the unit and project tests pass
unedited, the workflow runs on the demo, and what it publishes speaks of the fork's counter."""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from support.workflow import REPOSITORY, copy_repository, file_digests, snakemake

pytestmark = pytest.mark.workflow

GUIDE = REPOSITORY / "docs/use-your-own-data.md"
COUNTS_SCHEMA = "workflow/schemas/sources/leipzig_ring.schema.yaml"
# The other counter's export: German labels, a day-first timestamp without seconds, and the
# total of two directions.
LEIPZIG_SCHEMA = """\
description: >-
  Hourly bicycle counts on Leipzig's inner ring, both directions, local time (Europe/Berlin).
fields:
  - name: Zeitpunkt
    tidy_name: timestamp
    type: datetime
    format: "%d.%m.%Y %H:%M"
    description: Start of the hour, local time.
    constraints: {required: true}
  - name: Gesamt
    tidy_name: total
    title: Both directions
    type: integer
    constraints: {minimum: 0, maximum: 5000}
  - name: Stadteinwärts
    tidy_name: inbound
    title: Into town
    type: integer
    constraints: {minimum: 0, maximum: 5000}
  - name: Stadtauswärts
    tidy_name: outbound
    title: Out of town
    type: integer
    constraints: {minimum: 0, maximum: 5000}
primaryKey: [Zeitpunkt]
minRows: 1
dayField: Zeitpunkt
rowSums:
  - total: Gesamt
    parts: [Stadteinwärts, Stadtauswärts]
"""
STATION = "GM000010469"


def edit_config(config: dict) -> dict:
    """What the guide's first step changes in config/config.yaml."""
    counts, weather = (config["sources"][name] for name in ("fremont_bridge", "seatac_weather"))
    counts = {key: value for key, value in counts.items() if key != "issues"}  # none curated
    config["dataset"] = {
        "title": "Bicycle traffic on Leipzig's inner ring",
        "counter": "Leipzig Ring",
        "weather_station": "Leipzig-Halle",
    }
    config["sources"] = {
        "leipzig_ring": counts
        | {
            "description": "Leipzig inner ring hourly bicycle counts (open data)",
            "url": "https://example.org/leipzig/ring.csv",
            "schema": COUNTS_SCHEMA,
            "published": {"every": "month", "day": 10},
        },
        "leipzig_weather": weather
        | {
            "description": f"NOAA GHCN-Daily weather at Leipzig-Halle, {STATION}",
            "url": f"https://example.org/ghcnd/{STATION}.csv",
            "required_values": {"STATION": STATION},
        },
    }
    config["tables"] = {
        "timezone": "Europe/Berlin",
        "location": {"latitude": 51.3397, "longitude": 12.3731},
        "holidays": {"country": "DE", "subdivision": "SN"},
    }
    config["monitoring"]["backtest"]["known_change"] = {
        "date": "2020-03-22",
        "label": "Kontaktverbot",
        "description": "Germany's contact ban from 22 March 2020",
    }
    return config


def guide_files() -> list[str]:
    """The files the guide's table "The files you change" names (paths or patterns)."""
    section = GUIDE.read_text(encoding="utf-8").split("## The files you change")[1]
    table = section.split("\n## ")[0]
    return re.findall(r"^\| \d+ \| `([^`]+)`", table, re.MULTILINE)


def commit(repository: Path) -> None:
    for command in (
        ["git", "init", "--quiet", "--initial-branch=main"],
        ["git", "add", "--all"],
        [
            "git",
            "-c",
            "user.name=Fork",
            "-c",
            "user.email=fork@example.org",
            "commit",
            "-qm",
            "Fork",
        ],
    ):
        done = run(command, repository)
        assert done.returncode == 0, done.stdout + done.stderr


def run(command: list[str], cwd: Path, timeout: int = 1200) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


@pytest.fixture(scope="module")
def fork(tmp_path_factory) -> Path:
    """The repository, forked for the Leipzig counter as the guide says, its demo written."""
    repository = copy_repository(tmp_path_factory.mktemp("fork") / "repository")
    before = file_digests(repository)
    (repository / COUNTS_SCHEMA).write_text(LEIPZIG_SCHEMA, encoding="utf-8")
    config_path = repository / "config/config.yaml"
    config = edit_config(yaml.safe_load(config_path.read_text(encoding="utf-8")))
    config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    written = run([sys.executable, "tests/support/demo.py"], repository)  # make demo-data
    assert written.returncode == 0, written.stdout + written.stderr
    after = file_digests(repository)
    changed = sorted(
        path for path in before.keys() | after.keys() if before.get(path) != after.get(path)
    )
    (repository.parent / "changed.json").write_text(json.dumps(changed))
    commit(repository)  # a fork is a git repository: the linters and the demo's copy ask git
    return repository


def test_the_fork_changes_only_the_files_the_guide_names(fork: Path):
    changed = json.loads((fork.parent / "changed.json").read_text())
    named = guide_files()
    assert 1 <= len(named) <= 4, named
    edited = [path for path in changed if not path.startswith(".test/")]  # make demo-data's
    assert edited == sorted([COUNTS_SCHEMA, "config/config.yaml"])
    for path in edited:
        assert any(fnmatch.fnmatch(path, pattern) for pattern in named), (path, named)
    assert ".test/data/leipzig_ring.csv" in changed and ".test/config/config.yaml" in changed


def test_the_forks_unit_and_project_tests_pass_unedited(fork: Path):
    tests = run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/unit",
            "tests/project",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        fork,
    )
    assert tests.returncode == 0, tests.stdout[-6000:] + tests.stderr[-2000:]
    skipped = re.search(r"(\d+) skipped", tests.stdout)
    assert skipped, "the tests about the Fremont Bridge export skip for another counter"


@pytest.fixture(scope="module")
def demo_run(fork: Path) -> Path:
    run_ = snakemake(fork, "--configfile", ".test/config/config.yaml", timeout=1800)
    assert run_.returncode == 0, run_.output[-6000:]
    return fork / "results"


def test_the_workflow_runs_on_the_forks_demo_and_names_the_fork_not_the_example(demo_run: Path):
    pages = {
        "README.md": (demo_run / "README.md").read_text(encoding="utf-8"),
        "model card": (demo_run / "model/model_card.md").read_text(encoding="utf-8"),
        "data package": (demo_run / "tables/datapackage.json").read_text(encoding="utf-8"),
    }
    for name, text in pages.items():
        for word in ("Fremont", "Seattle", "Sea-Tac", "sidewalk", "fremont_bridge", "COVID"):
            assert word not in text, (name, word)
    index = pages["README.md"]
    assert index.startswith("# Results: Demo on synthetic data: Bicycle traffic on Leipzig's")
    assert "Synthetic counts in the format of leipzig_ring" in index
    assert "(../.test/data/leipzig_ring.csv)" in index
    assert "The counter has no curated list of its problems" in index
    assert "at Synthetic Leipzig Ring" in index and "Kontaktverbot (2020-03-22)" in index
    card = pages["model card"]
    assert "counted a day at Synthetic Leipzig Ring (`total`: Both directions)" in card
    package = json.loads(pages["data package"])
    assert package["name"] == "synthetic-leipzig-ring-bicycle-weather"
    hourly = next(r for r in package["resources"] if r["name"] == "hourly_counts")
    assert [f["name"] for f in hourly["schema"]["fields"]][3:] == ["total", "inbound", "outbound"]
    assert len(list((demo_run / "figures").glob("*.png"))) == 12


def test_the_forks_days_follow_its_time_zone_and_calendar(demo_run: Path):
    daily = pd.read_csv(demo_run / "tables/daily.csv", keep_default_na=False).set_index("date")
    for spring_forward in ("2020-03-29", "2021-03-28"):  # Europe/Berlin, not the US dates
        assert daily.loc[spring_forward, "hours_expected"] == 23
        assert daily.loc[spring_forward, "complete"]
    assert daily.loc["2020-03-08", "hours_expected"] == 24
    assert daily.loc["2020-10-03", "holiday"] == "German Unity Day"
    assert daily.loc["2020-11-18", "holiday"] == "Repentance and Prayer Day"  # Saxony's
    assert daily.loc["2020-07-04", "holiday"] == ""
    assert (daily["counter_issue"] == "").all()
    hourly = pd.read_csv(demo_run / "tables/hourly_counts.csv", nrows=30)
    assert list(hourly.columns) == ["timestamp", "date", "hour", "total", "inbound", "outbound"]
    assert (hourly["total"] == hourly["inbound"] + hourly["outbound"]).all()
