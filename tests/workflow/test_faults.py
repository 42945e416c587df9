"""Faults an unattended run meets, on the real workflow: killed mid-run, started twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.data import counts_fixture, weather_fixture
from support.server import LoopbackServer, loopback_server
from support.sources import COUNTS, WEATHER
from support.workflow import copy_repository, file_digests, fixture_config, snakemake, write_config

pytestmark = pytest.mark.workflow

LOCKED = "Directory cannot be locked"


@pytest.fixture(scope="module")
def upstream():
    with loopback_server() as server:
        server.serve_file("/counts.csv", counts_fixture())
        server.serve_file("/ghcnd.csv", weather_fixture())
        yield server


def fresh_copy(directory: Path, upstream: LoopbackServer) -> Path:
    workdir = copy_repository(directory)
    urls = {
        COUNTS.name: upstream.url("/counts.csv"),
        WEATHER.name: upstream.url("/ghcnd.csv"),
    }
    write_config(workdir, fixture_config(urls))
    return workdir


@pytest.fixture(scope="module")
def reference(tmp_path_factory, upstream: LoopbackServer) -> dict[str, bytes]:
    """The results of an uninterrupted run."""
    workdir = fresh_copy(tmp_path_factory.mktemp("reference") / "repository", upstream)
    run = snakemake(workdir, "--configfile", "test-overrides.yaml")
    assert run.returncode == 0, run.output
    return file_digests(workdir / "results")


def start_run(workdir: Path) -> subprocess.Popen:
    """A run in its own process group, so the whole of it can be killed at once."""
    return subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "test-overrides.yaml"],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
    )


def wait_for(condition, run: subprocess.Popen, timeout_seconds: float = 120) -> None:
    deadline = time.monotonic() + timeout_seconds
    while not condition():
        assert run.poll() is None, "the run ended before the moment the test waits for"
        assert time.monotonic() < deadline, "timed out waiting for the run"
        time.sleep(0.05)


def test_run_killed_mid_way_recovers_to_the_results_of_an_uninterrupted_run(
    tmp_path: Path, upstream: LoopbackServer, reference: dict[str, bytes]
):
    workdir = fresh_copy(tmp_path / "repository", upstream)
    run = start_run(workdir)
    # The daily table is written: the model, monitoring and figure jobs are under way.
    wait_for(lambda: (workdir / "results/tables/daily.parquet").exists(), run)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()

    # Nothing half-written: every result on disk is complete, byte for byte.
    left = file_digests(workdir / "results")
    assert left and all(reference.get(path) == data for path, data in left.items())

    # The lock of the killed run stays; Snakemake says so and how to lift it.
    refused = snakemake(workdir, "--configfile", "test-overrides.yaml")
    assert refused.returncode != 0 and LOCKED in refused.output and "--unlock" in refused.output
    assert snakemake(workdir, "--configfile", "test-overrides.yaml", "--unlock").returncode == 0

    resumed = snakemake(workdir, "--configfile", "test-overrides.yaml")
    assert resumed.returncode == 0, resumed.output
    assert resumed.jobs and "download" not in resumed.jobs  # only unfinished jobs run
    assert file_digests(workdir / "results") == reference


def test_second_run_in_the_same_directory_refuses_and_the_first_finishes(
    tmp_path: Path, upstream: LoopbackServer, reference: dict[str, bytes]
):
    workdir = fresh_copy(tmp_path / "repository", upstream)
    first = start_run(workdir)
    locks = workdir / ".snakemake/locks"
    wait_for(lambda: locks.is_dir() and any(locks.iterdir()), first)

    second = snakemake(workdir, "--configfile", "test-overrides.yaml")

    assert second.returncode != 0 and LOCKED in second.output
    output, _ = first.communicate(timeout=600)
    assert first.returncode == 0, output
    assert file_digests(workdir / "results") == reference
