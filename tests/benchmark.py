"""Benchmark the workflow on the real data mirror: `make bench` (not part of the test suite).

Each scenario runs in a fresh temporary copy of the repository with the sources served from
a loopback HTTP server, and is repeated; the report gives the median wall time and the peak
resident memory of any process of the run (Snakemake or a job). Numbers go to the README's
Performance section by hand: they describe a machine, so no test asserts them.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support.server import loopback_server  # noqa: E402
from support.workflow import (  # noqa: E402
    SHARED_DATA,
    copy_repository,
    source_urls,
    write_config,
)

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


def timed_snakemake(workdir: Path, *args: str) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one Snakemake invocation and its jobs."""
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "all", *args]
    start = time.perf_counter()
    wrapper = subprocess.run(
        [sys.executable, "-c", PEAK_RSS_WRAPPER, *command],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start, int(wrapper.stdout.strip()) // 1024


def scenario_runs(name: str, repeats: int, data: Path, prepare) -> list[tuple[float, int]]:
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
                results.append(timed_snakemake(workdir, *args))
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
    for name, prepare in SCENARIOS.items():
        runs = scenario_runs(prepare.__name__, options.repeats, options.data, prepare)
        seconds = [wall for wall, _ in runs]
        peak = max(rss for _, rss in runs)
        listed = ", ".join(f"{wall:.1f}" for wall in seconds)
        print(f"| {name} | {statistics.median(seconds):.1f} | {listed} | {peak} |")


if __name__ == "__main__":
    main()
