"""ci/failure.py: why a run failed, read from what a real failing Snakemake run leaves: the
rule, its wildcards, the located message of its log and the log's end, secrets redacted."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.workflow import copy_repository, write_config

from ci.failure import explanation, failed_jobs


@pytest.fixture(scope="module")
def failed_download(tmp_path_factory) -> Path:
    """A repository where the download of one source failed: a URL no server answers."""
    workdir = copy_repository(tmp_path_factory.mktemp("failed") / "repository")
    write_config(
        workdir,
        {
            "sources": {"fremont_bridge": {"url": "http://127.0.0.1:9/x-access-token.csv"}},
            "download": {"retries": 0},
        },
    )
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "resources/raw/fremont_bridge.csv", "--cores", "1",
         "--configfile", "test-overrides.yaml"],
        cwd=workdir, capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert run.returncode != 0
    return workdir


def test_a_failed_download_names_its_rule_source_url_and_what_went_wrong(
    failed_download: Path, monkeypatch
):
    monkeypatch.chdir(failed_download)
    (log,) = (failed_download / ".snakemake/log").glob("*.snakemake.log")
    (job,) = failed_jobs(log.read_text())
    assert (job.rule, job.wildcards, job.logs) == (
        "download",
        {"source": "fremont_bridge"},
        ["logs/download/fremont_bridge.log"],
    )
    text = explanation()
    assert text.startswith(
        "## Why the run failed\n\n- rule `download` (source=fremont_bridge) failed\n"
    )
    assert (
        "  - fremont_bridge: download failed: http://127.0.0.1:9/x-access-token.csv: could not"
        in text
    )
    assert "<summary>The end of <code>logs/download/fremont_bridge.log</code></summary>" in text


def test_a_secret_in_a_log_is_masked(failed_download: Path, tmp_path, monkeypatch):
    workdir = Path(shutil.copytree(failed_download, tmp_path / "copy", symlinks=True))
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_s3cret")
    log = workdir / "logs/download/fremont_bridge.log"
    log.write_text(
        log.read_text() + "ERROR download: https://x-access-token:ghs_s3cret@github.com\n"
    )
    text = explanation()
    assert "ghs_s3cret" not in text
    assert "https://x-access-token:***@github.com" in text


def test_a_run_with_no_failed_job_says_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert explanation() == ""
    assert (
        failed_jobs("rule download:\n    jobid: 1\n    wildcards: source=a\nFinished jobid: 1\n")
        == []
    )
