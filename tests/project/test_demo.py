"""The demo (.test/) is what tests/support/demo.py makes from the configuration and the
sources' schemas, and says that its data are synthetic."""

from __future__ import annotations

import yaml
from support.demo import DEMO_CONFIG, stale_files
from support.sources import CONFIG
from support.workflow import REPOSITORY


def test_committed_demo_is_what_the_configuration_makes():
    stale = [path.relative_to(REPOSITORY).as_posix() for path in stale_files()]
    assert not stale, f"out of date, write them again with: make demo-data ({stale})"


def test_the_demo_calls_its_data_synthetic_in_every_word_the_results_show():
    demo = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    assert set(demo["sources"]) == set(CONFIG["sources"])
    for name, source in demo["sources"].items():
        assert "Synthetic" in source["description"] and "not real data" in source["description"]
        assert (REPOSITORY / source["url"]).is_file(), name
    for key, words in demo["dataset"].items():
        assert "synthetic" in words.casefold(), key
