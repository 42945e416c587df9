"""ci/summary.py: what a person reads on the run's summary page."""

from __future__ import annotations

import json

from support.gitrepo import Repository

from ci.summary import failed_validations, summary, summary_text

RECORD = {
    "refresh": True,
    "forceall": False,
    "invocations": [
        {"name": "download", "returncode": 0, "jobs": {"download": 2}},
        {"name": "tables", "returncode": 0, "jobs": {"validate_source": 1, "tidy_counts": 1}},
        {"name": "workflow", "returncode": 1, "jobs": {}},
    ],
}


def test_each_invocation_with_its_status_and_jobs_then_the_new_data():
    text = summary_text(RECORD, {"fremont_bridge": "ab" * 32}, {})
    assert text == (
        "## Pipeline run\n\n"
        "- download: ok; ran `download` (2)\n"
        "- tables: ok; ran `validate_source` (1), `tidy_counts` (1)\n"
        "- workflow: **failed**; ran nothing\n\n"
        "- new data for `fremont_bridge`: sha256 `abababababab`\n"
    )


def test_without_a_run_record_only_the_heading_and_the_failed_validation():
    report = "# Validation of `seatac_weather`\n\n| Result | **invalid** |"
    text = summary_text(None, {}, {"seatac_weather": report})
    assert text == f"## Pipeline run\n\n\n{report}\n"


def test_a_validation_failed_when_its_log_has_a_summary_and_the_results_none(
    repository: Repository,
):
    repository.write("logs/validate/fremont_bridge.summary.md", "# Validation of fremont: invalid")
    repository.write("logs/validate/seatac_weather.summary.md", "# Validation of weather: valid")
    repository.write("results/validation/seatac_weather.md", "# Validation of weather: valid")
    assert failed_validations() == {"fremont_bridge": "# Validation of fremont: invalid"}


def test_the_summary_names_sources_whose_accepted_data_changed_since_the_last_commit(
    repository: Repository,
):
    def accept(source: str, sha256: str) -> None:
        record = {"url": f"https://example.org/{source}", "sha256": sha256, "bytes": 1}
        repository.write(f"results/sources/{source}.json", json.dumps(record))

    accept("fremont_bridge", "1" * 64)
    accept("seatac_weather", "2" * 64)
    repository.commit("Results")
    accept("seatac_weather", "3" * 64)
    repository.write(".snakemake/ci-run.json", json.dumps(RECORD))
    text = summary()
    assert "- new data for `seatac_weather`: sha256 `333333333333`" in text
    assert "fremont_bridge" not in text and "- workflow: **failed**" in text
