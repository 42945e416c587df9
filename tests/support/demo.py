"""Write the demo, .test/: synthetic sources in the configured sources' formats and the config
that points the workflow at them, from the same generator as the test fixtures.

`make demo` runs the whole workflow on them offline, in a copy of the repository; the CI runs
`snakemake --configfile .test/config/config.yaml`. They are made by the project from the
sources' schemas and config/config.yaml, not copied from any real export, and committed, so
the demo needs nothing but the repository. After changing the config's sources or dataset
words, or a source's schema (a fork does, first), write them again:

    make demo-data        (or: .venv/bin/python tests/support/demo.py)

tests/project/test_demo.py says when they are out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "workflow" / "scripts"))

import yaml  # noqa: E402

from support.data import counts_fixture, weather_fixture  # noqa: E402
from support.sources import CONFIG  # noqa: E402
from support.workflow import REPOSITORY  # noqa: E402

DEMO = REPOSITORY / ".test"
DEMO_CONFIG = DEMO / "config" / "config.yaml"
FIXTURE = {"counts": counts_fixture, "weather": weather_fixture}
# Settings sized for the demo's 18 months of data (the defaults expect years); the workflow
# tests use the same.
SMALL_DATA = {
    "model": {"regressor": {"max_iter": 40}},
    "evaluation": {
        "holdout_months": 2,
        "backtest": {"first_origin": "2021-01-01", "step_months": 1},
        "permutation_repeats": 2,
    },
    "monitoring": {"drift": {"window_days": 28}},
}
HEADER = """\
# The demo: the whole workflow on small synthetic sources that travel with the repository
# (.test/data/, about 18 months of each source, in the formats of the configured sources),
# offline. `make demo` runs it in a copy of the repository, .test/run/, so results/ stays as
# it is:  snakemake --configfile .test/config/config.yaml
# Made by tests/support/demo.py from config/config.yaml and the sources' schemas (`make
# demo-data` writes it again): edit those, not this file. The results say the data are
# synthetic, in the dataset's words and each source's description.
"""


def demo_path(source: str) -> str:
    """Where the demo's copy of a source is, from the repository root."""
    return f".test/data/{source}.csv"


def demo_config(config: dict = CONFIG) -> dict:
    """The overrides of the demo: its synthetic sources, described as what they are, and
    settings for small data."""
    dataset = config["dataset"]
    return {
        "dataset": {
            "title": f"Demo on synthetic data: {dataset['title']}",
            "counter": f"Synthetic {dataset['counter']}",
            "weather_station": f"synthetic {dataset['weather_station']}",
        },
        "sources": {
            name: {
                "url": demo_path(name),
                "description": f"Synthetic {source['role']} in the format of {name}, "
                "made by tests/support/demo.py (not real data)",
            }
            for name, source in config["sources"].items()
        },
        **SMALL_DATA,
    }


def config_text(overrides: dict) -> str:
    return HEADER + yaml.safe_dump(overrides, sort_keys=False, allow_unicode=True, width=100)


def demo_files() -> dict[Path, bytes]:
    """Each file of the demo with the bytes it must hold."""
    data = {
        REPOSITORY / demo_path(name): FIXTURE[source["role"]]()
        for name, source in CONFIG["sources"].items()
    }
    return {**data, DEMO_CONFIG: config_text(demo_config()).encode()}


def stale_files() -> list[Path]:
    """The demo's files that are not what the configuration makes, and the data files of
    sources the configuration no longer has."""
    wanted = demo_files()
    stale = [
        path
        for path, content in wanted.items()
        if not path.is_file() or path.read_bytes() != content
    ]
    return stale + sorted(set((DEMO / "data").glob("*.csv")) - set(wanted))


def write_demo() -> None:
    wanted = demo_files()
    for path in sorted(set((DEMO / "data").glob("*.csv")) - set(wanted)):
        path.unlink()
        print(f"{path.relative_to(REPOSITORY)}: removed (no such source)")
    for path, content in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        print(f"{path.relative_to(REPOSITORY)}: {len(content):,} bytes")


if __name__ == "__main__":
    write_demo()
