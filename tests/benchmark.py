"""Benchmark the workflow on the real data mirror: `make bench` (not part of the test suite).

Each scenario runs in a fresh temporary copy of the repository with the sources served from
a loopback HTTP server, and is repeated; the report gives the median wall time and the peak
resident memory of any process of the run (Snakemake or a job). For the cold run it also
gives the critical path: the longest chain of job durations through the DAG, from
Snakemake's own provenance records, against which the wall time shows how well the
scheduler used the cores; and where the rest of the wall time goes: Snakemake's start-up
before the first job, its exit after the last one, and the jobs' own span. Numbers go to the
README's Performance section by hand: they describe a machine, so no test asserts them.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support.server import loopback_server  # noqa: E402
from support.workflow import (  # noqa: E402
    SHARED_DATA,
    copy_repository,
    source_urls,
    write_config,
)

CORES = 2

MIRROR_FILES = {
    "fremont_bridge": "fremont-bridge/Fremont_Bridge_Bicycle_Counter.csv",
    "seatac_weather": "ghcnd/USW00024233.csv",
}


# Runs a command and prints the peak RSS (KiB) of its largest process, descendants included
# (the kernel folds a waited-for grandchild's maximum into its parent's children figure).
PEAK_RSS_WRAPPER = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], check=True, capture_output=True, stdin=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


@dataclass(frozen=True)
class Run:
    started: float  # seconds since the epoch, the clock of Snakemake's records
    wall: float
    peak_rss_mib: int

    @property
    def ended(self) -> float:
        return self.started + self.wall


def timed_snakemake(workdir: Path, *args: str) -> Run:
    """When one Snakemake invocation started, its wall seconds and the peak RSS of it and
    its jobs."""
    command = [sys.executable, "-m", "snakemake", "--cores", str(CORES), "--quiet", "all", *args]
    started = time.time()
    start = time.perf_counter()
    wrapper = subprocess.run(
        [sys.executable, "-c", PEAK_RSS_WRAPPER, *command],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    return Run(started, wall, int(wrapper.stdout.strip()) // 1024)


def recorded_jobs(workdir: Path) -> dict[str, dict]:
    """Each job of the last run as Snakemake recorded it: rule, start, end, inputs, outputs."""
    jobs: dict[str, dict] = {}
    for path in (workdir / ".snakemake/metadata").iterdir():
        record = json.loads(path.read_text())
        job = jobs.setdefault(
            record["job_hash"],
            {"rule": record["rule"], "start": record["starttime"], "end": record["endtime"]},
        )
        job.setdefault("outputs", []).append(base64.urlsafe_b64decode(path.name).decode())
        job["inputs"] = record["input"]
    return jobs


def critical_path(jobs: dict[str, dict]) -> tuple[float, list[str]]:
    """Seconds and rules of the longest chain of jobs, each job's duration from start to end,
    a job's parents being the jobs that made its inputs."""
    made_by = {output: key for key, job in jobs.items() for output in job["outputs"]}
    longest: dict[str, tuple[float, list[str]]] = {}
    for key, job in sorted(jobs.items(), key=lambda item: item[1]["start"]):
        parents = [longest[made_by[name]] for name in job["inputs"] if made_by.get(name) in longest]
        before, chain = max(parents, default=(0.0, []))
        longest[key] = (before + job["end"] - job["start"], [*chain, job["rule"]])
    return max(longest.values())


def busy_seconds(jobs: dict[str, dict]) -> float:
    """The sum of all job durations: divided by the cores, the other lower bound of the wall
    time (no schedule beats the critical path, nor the work spread evenly over the cores)."""
    return sum(job["end"] - job["start"] for job in jobs.values())


@dataclass(frozen=True)
class Schedule:
    """A cold run's wall time taken apart against its jobs' records."""

    wall: float
    critical_path: float
    chain: list[str]
    before_first_job: float  # Snakemake's start-up: imports, parsing, the DAG
    after_last_job: float  # Snakemake's exit
    jobs_span: float  # first job's start to last job's end
    job_time_per_core: float

    @classmethod
    def of(cls, run: Run, jobs: dict[str, dict]) -> Schedule:
        path, chain = critical_path(jobs)
        first = min(job["start"] for job in jobs.values())
        last = max(job["end"] for job in jobs.values())
        return cls(
            wall=run.wall,
            critical_path=path,
            chain=chain,
            before_first_job=first - run.started,
            after_last_job=run.ended - last,
            jobs_span=last - first,
            job_time_per_core=busy_seconds(jobs) / CORES,
        )


def scenario_runs(name: str, repeats: int, data: Path, prepare) -> list[tuple[Run, Schedule]]:
    results = []
    with loopback_server() as server:
        urls = {
            source: server.serve_file(f"/{source}.csv", (data / path).read_bytes())
            for source, path in MIRROR_FILES.items()
        }
        for _ in range(repeats):
            with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
                workdir = copy_repository(Path(tmp))
                write_config(workdir, source_urls(urls))
                args = ("--configfile", "test-overrides.yaml")
                prepare(workdir, args)
                run = timed_snakemake(workdir, *args)
                results.append((run, Schedule.of(run, recorded_jobs(workdir))))
    return results


def cold(workdir: Path, args) -> None:
    """Nothing built yet: the measured run downloads and builds everything."""


def no_op(workdir: Path, args) -> None:
    """Everything built: the measured run finds nothing to do."""
    timed_snakemake(workdir, *args)


def one_figure_edited(workdir: Path, args) -> None:
    """Everything built, then one figure's script edited: the measured run redraws it."""
    timed_snakemake(workdir, *args)
    script = workdir / "workflow/scripts/figure_temperature.py"
    script.write_text(script.read_text() + "\n# edited\n")


SCENARIOS = {
    "cold run": cold,
    "no-op run": no_op,
    "one figure script edited": one_figure_edited,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", type=Path, default=SHARED_DATA, help="the data mirror")
    options = parser.parse_args()
    if not options.data.is_dir():
        sys.exit(f"no data mirror at {options.data}")

    print(f"| scenario | median wall time (s) of {options.repeats} | runs (s) | peak RSS (MiB) |")
    print("|---|---|---|---|")
    cold_runs = []
    for name, prepare in SCENARIOS.items():
        runs = scenario_runs(prepare.__name__, options.repeats, options.data, prepare)
        seconds = [run.wall for run, _ in runs]
        peak = max(run.peak_rss_mib for run, _ in runs)
        listed = ", ".join(f"{wall:.1f}" for wall in seconds)
        print(f"| {name} | {statistics.median(seconds):.1f} | {listed} | {peak} |")
        if prepare is cold:
            cold_runs = [schedule for _, schedule in runs]
    print("\nCold runs against their critical path (longest chain of job durations, same run),")
    print("Snakemake's start-up before the first job and exit after the last, the jobs' span")
    print(f"(first start to last end) and the sum of job durations over the {CORES} cores:\n")
    print(
        "| wall (s) | critical path (s) | wall / path | start-up (s) | exit (s) "
        "| jobs' span / path | job time / cores (s) | chain |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for run in cold_runs:
        print(
            f"| {run.wall:.1f} | {run.critical_path:.1f} | {run.wall / run.critical_path:.2f} "
            f"| {run.before_first_job:.1f} | {run.after_last_job:.1f} "
            f"| {run.jobs_span / run.critical_path:.2f} | {run.job_time_per_core:.1f} "
            f"| {' → '.join(run.chain)} |"
        )


if __name__ == "__main__":
    main()
