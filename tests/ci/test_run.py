"""ci/run.py: the Snakemake invocations of a run, the jobs it records, and a cached download
that is not the published data."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from support.gitrepo import Repository

from ci.run import discard_stale_downloads, jobs_finished_since, steps


def test_a_run_fetches_what_is_missing_then_builds_the_tables_then_the_rest():
    assert steps(refresh=False, forceall=False, options=["--sdm", "conda"], rules=None) == [
        ("download", ["all_downloads", "--sdm", "conda"]),
        ("tables", ["all_tables", "--sdm", "conda"]),
        ("workflow", ["--sdm", "conda"]),
    ]


def test_a_refresh_fetches_every_source_again():
    fetch = steps(refresh=True, forceall=False, options=[], rules=None)[0]
    assert fetch == ("download", ["all_downloads", "--forcerun", "download"])


def test_forceall_re_runs_every_rule_past_the_downloads_in_one_invocation():
    rules = ["validate_source", "fit_model", "figure"]
    assert steps(refresh=False, forceall=True, options=["--sdm", "conda"], rules=rules) == [
        ("download", ["all_downloads", "--sdm", "conda"]),
        ("workflow", ["--sdm", "conda", "--forcerun", "validate_source", "fit_model", "figure"]),
    ]


@pytest.mark.parametrize("refresh", [False, True])
def test_targets_come_before_options_that_take_several_values(refresh: bool):
    """`--sdm env-modules all_tables` would read the target as a deployment method."""
    for _, arguments in steps(refresh, False, ["--sdm", "env-modules"], None)[:2]:
        assert arguments[0] in {"all_downloads", "all_tables"}


def test_jobs_finished_since_counts_jobs_per_rule_not_their_output_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    metadata = tmp_path / ".snakemake/metadata"
    metadata.mkdir(parents=True)
    records = {
        "results/tables/daily.csv": {"rule": "daily_table", "job_hash": 1, "starttime": 200},
        "results/tables/daily.parquet": {"rule": "daily_table", "job_hash": 1, "starttime": 200},
        "results/figures/a.png": {"rule": "figure", "job_hash": 2, "starttime": 210},
        "results/figures/b.png": {"rule": "figure", "job_hash": 3, "starttime": 220},
        "results/model/metrics.json": {"rule": "fit_model", "job_hash": 4, "starttime": 50},
    }
    for output, record in records.items():
        (metadata / base64.urlsafe_b64encode(output.encode()).decode()).write_text(
            json.dumps(record)
        )
    assert jobs_finished_since(100) == {"daily_table": 1, "figure": 2}
    assert jobs_finished_since(1000) == {}


def test_jobs_finished_since_without_any_records_is_empty(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert jobs_finished_since(0) == {}


def test_a_cached_download_that_is_not_the_published_data_is_discarded(
    repository: Repository, capsys
):
    published = b"hour,count\n0,12\n"
    record = {"url": "https://example.org", "sha256": hashlib.sha256(published).hexdigest()}
    repository.write("results/sources/fremont_bridge.json", json.dumps(record))
    repository.write("results/sources/seatac_weather.json", json.dumps(record))
    (repository.root / "resources/raw").mkdir(parents=True)
    (repository.root / "resources/raw/fremont_bridge.csv").write_bytes(b"hour,count\n0,11\n")
    (repository.root / "resources/raw/seatac_weather.csv").write_bytes(published)
    discard_stale_downloads()
    assert not (repository.root / "resources/raw/fremont_bridge.csv").exists()
    assert (repository.root / "resources/raw/seatac_weather.csv").read_bytes() == published
    assert capsys.readouterr().out == (
        "Discarding resources/raw/fremont_bridge.csv: "
        "not the data the published results were built from.\n"
    )
