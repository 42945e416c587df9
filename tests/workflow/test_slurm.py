"""The whole workflow through a real single-node Slurm, with the repository's Slurm profile
and snakemake-executor-plugin-slurm: every job goes through sbatch, and the results equal
those of a local run byte for byte."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.data import counts_fixture, weather_fixture
from support.server import loopback_server
from support.slurm import LocalSlurm, unavailable_reason
from support.sources import COUNTS, WEATHER
from support.workflow import copy_repository, file_digests, fixture_config, snakemake, write_config

pytestmark = [
    pytest.mark.workflow,
    pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason())),
]

SUBMITTED = re.compile(r"has been submitted with SLURM jobid (\d+)")
LOCAL_JOB = re.compile(r"^localrule (\w+):", re.MULTILINE)
# The profile's 40 s before the first status check suits a real cluster; here jobs take seconds.
CLUSTER_ARGS = (
    "--workflow-profile",
    "workflow/profiles/slurm",
    "--slurm-no-account",
    "--slurm-status-command",
    "squeue",
    "--slurm-init-seconds-before-status-checks",
    "2",
)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    slurm = LocalSlurm(tmp_path_factory.mktemp("slurm"))
    try:  # stopped even when it fails to start: no daemon or config is left behind
        slurm.start()
        yield slurm
    finally:
        slurm.stop()


def test_pipeline_through_slurm_equals_a_local_run(cluster: LocalSlurm, tmp_path: Path):
    with loopback_server() as server:
        urls = {
            COUNTS.name: server.serve_file("/counts.csv", counts_fixture()),
            WEATHER.name: server.serve_file("/ghcnd.csv", weather_fixture()),
        }
        local = copy_repository(tmp_path / "local")
        on_slurm = copy_repository(tmp_path / "slurm")
        for workdir in (local, on_slurm):
            write_config(workdir, fixture_config(urls))

        local_run = snakemake(local, "--configfile", "test-overrides.yaml")
        assert local_run.returncode == 0, local_run.output
        slurm_run = snakemake(on_slurm, *CLUSTER_ARGS, "--configfile", "test-overrides.yaml")
        assert slurm_run.returncode == 0, slurm_run.output

    # Every job but the local rules (the targets, and latest_forecast, a copy) went through
    # sbatch, and Slurm ran each to completion.
    submitted = set(SUBMITTED.findall(slurm_run.output))
    assert slurm_run.jobs == local_run.jobs
    ran_here = [rule for rule in LOCAL_JOB.findall(slurm_run.output) if rule in local_run.jobs]
    assert ran_here == ["latest_forecast"]
    assert len(submitted) == sum(local_run.jobs.values()) - len(ran_here)
    states = dict(cluster.jobs())
    assert {states[job_id] for job_id in submitted} == {"COMPLETED"}
    assert file_digests(on_slurm / "results") == file_digests(local / "results")
