"""run: the workflow in three Snakemake invocations, and a record of what each ran.

The sources are fetched (all on a refresh, missing ones otherwise), then validated and made
into tidy tables, then everything else. A job that runs re-runs everything downstream of it
in the same invocation, while in a new invocation an output rewritten with the same bytes is
recognised by its checksum: so a re-downloaded source that did not change, or a new weather
day that leaves the daily table as it was, re-runs nothing after it.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

from .records import published_sources, write_run_record
from .workflow import (
    DOWNLOAD_RULE,
    DOWNLOADS_TARGET,
    METADATA,
    RAW_DOWNLOAD,
    TABLES_TARGET,
    TARGET_RULES,
)

# Where the rules get their software: conda builds each rule's environment from
# workflow/envs/; "driver" runs them in the environment Snakemake itself runs in.
RULE_ENVIRONMENTS = {"conda": ["--sdm", "conda"], "driver": []}


def snakemake(*args: str, cores: str) -> int:
    command = [sys.executable, "-m", "snakemake", "--cores", cores, *args]
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, stdin=subprocess.DEVNULL).returncode


def rules_past_the_downloads() -> list[str]:
    """Every rule that makes something, except the download: what --forceall re-runs.
    Asked of Snakemake: a rule added to the workflow is re-run without a change here."""
    listed = subprocess.run(
        [sys.executable, "-m", "snakemake", "--list-rules"],
        check=True,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    ).stdout.split()
    return [rule for rule in listed if rule not in TARGET_RULES | {DOWNLOAD_RULE}]


def steps(
    refresh: bool, forceall: bool, options: list[str], rules: list[str] | None
) -> list[tuple[str, list[str]]]:
    """The invocations of a run, by name, with their Snakemake arguments.

    Targets come before the options: several options (--sdm, --forcerun) take any number of
    values, and would swallow a target that follows them. The raw files are named as
    targets: a missing intermediate file is not fetched while everything after it is up to
    date, and would be fetched mid-run when next needed. forceall re-runs every rule in
    `rules` (the rules past the downloads), in one invocation (everything runs anyway)."""
    fetch = [DOWNLOADS_TARGET, *options]
    if refresh:
        fetch += ["--forcerun", DOWNLOAD_RULE]
    if forceall:
        return [("download", fetch), ("workflow", [*options, "--forcerun", *rules])]
    return [("download", fetch), ("tables", [TABLES_TARGET, *options]), ("workflow", options)]


def jobs_finished_since(started: float) -> dict[str, int]:
    """Jobs per rule that Snakemake recorded as finished since `started`, from its own
    provenance records (one record per output file, carrying the job's rule and hash)."""
    jobs: dict[str, set] = {}
    for path in Path(METADATA).glob("*") if Path(METADATA).is_dir() else []:
        record = json.loads(path.read_text())
        if (record.get("starttime") or 0) >= started:
            jobs.setdefault(record["rule"], set()).add(record["job_hash"])
    return {rule: len(hashes) for rule, hashes in sorted(jobs.items())}


def run(
    refresh: bool, cores: str, rule_envs: str, extra_args: list[str], forceall: bool = False
) -> int:
    """Run the workflow in its invocations, stopping at the first that fails; returns the
    highest return code. forceall re-runs every rule past the downloads. It checks that
    unchanged inputs give the same results, so it must not fetch new data (a refresh does
    that)."""
    record = {"refresh": refresh, "forceall": forceall, "invocations": []}
    discard_stale_downloads()
    options = [*RULE_ENVIRONMENTS[rule_envs], *extra_args]
    rules = rules_past_the_downloads() if forceall else None
    for name, args in steps(refresh, forceall, options, rules):
        started = time.time()
        code = snakemake(*args, cores=cores)
        jobs = jobs_finished_since(started)
        record["invocations"].append({"name": name, "returncode": code, "jobs": jobs})
        if code != 0:
            break
    write_run_record(record)
    return max(invocation["returncode"] for invocation in record["invocations"])


def discard_stale_downloads() -> None:
    """Remove a restored download that is not the data the published results were built
    from (a cache saved by an older run), so that it is fetched again rather than
    rolling the results back to older data."""
    for source, published in published_sources().items():
        raw = Path(RAW_DOWNLOAD.format(source=source))
        if raw.exists() and sha256(raw) != published["sha256"]:
            print(f"Discarding {raw}: not the data the published results were built from.")
            raw.unlink()


def sha256(path: Path) -> str:
    """A file's sha256, streamed (a raw download may be as large as its size cap)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
