"""Replay days of scheduled refreshes on the real data: `make bench-refresh` (not a test).

Upstream is rebuilt from the mirror in ../shared/data as it stood on each simulated day:
Fremont counts are released monthly (on the 5th, every hour up to the end of the previous
month), GHCN weather daily (every day up to two days before). A loopback server serves
both like a static file server (ETag, and a Last-Modified that changes only with the bytes,
so a conditional request gets 304). Every simulated day does what .github/workflows/
results.yml does, with the real .github/scripts/ci in a fresh clone of a local origin:
check-sources, and only when a source changed: mark-changes, run --refresh, publish. Then
the same day a second refresh, upstream unchanged, which must end at the check.

The report: refreshes, refreshes with changed data, commits made and spurious ones, the
packed size of the origin after each simulated year, a full clone against a partial one
(--filter=blob:none), the median wall time of an unchanged and of a changed refresh, and the
paths that added the most bytes to the packed repository. And the model as it was operated:
forecasts issued and scored, read back from the issued records at the end and scored against
the counts published since, by lead against the error expected when they were issued; the
days the live-error alarm was on; the promotions and hold-backs; and every issued record
checked after every refresh (a record changed or removed is a rewrite: there must be none).
Numbers describe a machine: they go to the README by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow/scripts"))

from support.server import loopback_server  # noqa: E402
from support.upstream import Upstream  # noqa: E402
from support.workflow import SHARED_DATA, copy_repository  # noqa: E402

from bikeflow.forecast import read_records, score, scores_by_band  # noqa: E402
from bikeflow.table_io import read_table  # noqa: E402

COUNTS = "fremont-bridge/Fremont_Bridge_Bicycle_Counter.csv"
WEATHER = "ghcnd/USW00024233.csv"
COUNTS_RELEASE_DAY = 5  # of the month: everything up to the end of the month before
WEATHER_LAG_DAYS = 2
CI = ".github/scripts/ci"  # the package, run as a directory
BOT = "github-actions[bot]"


class History:
    """The two mirror files, cut to what upstream served on a given day."""

    def __init__(self, data: Path) -> None:
        self.counts_header, *counts = (data / COUNTS).read_bytes().splitlines(keepends=True)
        self.counts = [
            (datetime.strptime(row[:10].decode(), "%m/%d/%Y").date(), row) for row in counts
        ]
        self.weather_header, *weather = (data / WEATHER).read_bytes().splitlines(keepends=True)
        self.weather = [
            (date.fromisoformat(row.split(b",")[1].strip(b'"').decode()), row) for row in weather
        ]

    def counts_on(self, day: date) -> bytes:
        month = day.replace(day=1)
        if day.day < COUNTS_RELEASE_DAY:
            month = (month - timedelta(days=1)).replace(day=1)
        return self.counts_header + b"".join(row for when, row in self.counts if when < month)

    def weather_on(self, day: date) -> bytes:
        last = day - timedelta(days=WEATHER_LAG_DAYS)
        return self.weather_header + b"".join(row for when, row in self.weather if when <= last)


def run(command: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL
    )


def git(cwd: Path, *args: str) -> str:
    completed = run(["git", *args], cwd)
    if completed.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {completed.stderr}")
    return completed.stdout


def ci(clone: Path, *args: str, outputs: Path | None = None) -> subprocess.CompletedProcess:
    """The CI package as a workflow step runs it: no GITHUB_* of this machine, no git identity."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    environment.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    if outputs is not None:
        environment["GITHUB_OUTPUT"] = str(outputs)
    return run([sys.executable, CI, *args], clone, environment)


@dataclass
class Day:
    day: date
    changed: bool
    committed: bool
    new_data_named: bool  # the commit names a source with new data
    check_seconds: float
    run_seconds: float = 0.0
    alarm: bool = False  # the live-error alarm, as published after this refresh
    alarm_as_of: str | None = None  # the last count day it was measured on
    decision: dict | None = None  # the promotion decision, when this refresh made one
    rewrites: list[str] = field(default_factory=list)  # issued records changed or removed


@dataclass
class Replay:
    root: Path
    upstream: Upstream
    history: History
    days: list[Day] = field(default_factory=list)
    rechecks: list[Day] = field(default_factory=list)

    @property
    def origin(self) -> Path:
        return self.root / "origin.git"

    def seed(self, first_day: date) -> None:
        self.serve(first_day)
        seed = copy_repository(self.root / "seed")
        config_path = seed / "config/config.yaml"
        config = yaml.safe_load(config_path.read_text())
        for source, url in self.upstream.urls.items():
            config["sources"][source]["url"] = url
        config_path.write_text(yaml.safe_dump(config, sort_keys=False))
        identity = ["-c", "user.name=Developer", "-c", "user.email=developer@example.invalid"]
        git(seed, "init", "--quiet", "--initial-branch", "main")
        git(seed, "add", "--all")
        git(seed, *identity, "commit", "--quiet", "--message", "The project")
        git(self.root, "clone", "--quiet", "--bare", str(seed), str(self.origin))
        git(self.origin, "config", "uploadpack.allowFilter", "true")  # as GitHub allows
        shutil.rmtree(seed)

    def serve(self, day: date) -> None:
        self.upstream.serve(
            counts=self.history.counts_on(day), weather=self.history.weather_on(day)
        )

    def refresh(self, day: date) -> Day:
        """One scheduled refresh, as results.yml runs it."""
        self.serve(day)
        result = self.check_and_run(day)
        self.days.append(result)
        return result

    def recheck(self, day: date) -> Day:
        """A second refresh the same day, upstream unchanged: what most scheduled runs are
        when the sources change less often than the schedule. It must find nothing."""
        result = self.check_and_run(day)
        self.rechecks.append(result)
        return result

    def check_and_run(self, day: date) -> Day:
        clone = self.root / "runner"
        shutil.rmtree(clone, ignore_errors=True)
        git(self.root, "clone", "--quiet", str(self.origin), str(clone))
        before = git(self.origin, "rev-parse", "main").strip()
        outputs = self.root / "github-output"
        outputs.write_text("")
        started = time.perf_counter()
        checked = ci(clone, "check-sources", outputs=outputs)
        check_seconds = time.perf_counter() - started
        if checked.returncode != 0:
            raise RuntimeError(f"{day}: check-sources failed:\n{checked.stderr}")
        changed = "changed=true" in outputs.read_text()
        result = Day(day, changed, False, False, check_seconds)
        if changed:
            started = time.perf_counter()
            for step in (["mark-changes"], ["run", "--refresh", "--cores", "2"], ["publish"]):
                completed = ci(clone, *step)
                if completed.returncode != 0:
                    output = completed.stdout[-3000:] + completed.stderr[-3000:]
                    raise RuntimeError(f"{day}: {step[0]} failed:\n{output}")
            result.run_seconds = time.perf_counter() - started
        after = git(self.origin, "rev-parse", "main").strip()
        result.committed = after != before
        if result.committed:
            subject = git(self.origin, "log", "-1", "--format=%s", "main")
            result.new_data_named = "new data for" in subject
            self.operations(result, before, after)
        shutil.rmtree(clone)
        return result

    def operations(self, result: Day, before: str, after: str) -> None:
        """What the model's operation did in this refresh's commit: the alarm, a promotion
        decision, and whether any issued record was changed or removed."""
        live = self.shown(after, "results/monitoring/live_error.json")
        result.alarm, result.alarm_as_of = bool(live and live["alarm"]), (live or {}).get("as_of")
        decision = self.shown(after, "results/model/promotion.json")
        if decision != self.shown(before, "results/model/promotion.json"):
            result.decision = decision
        changes = git(
            self.origin, "diff", "--name-status", before, after, "--", "results/forecasts/issued/"
        )
        result.rewrites = [line for line in changes.splitlines() if not line.startswith("A\t")]

    def shown(self, commit: str, path: str) -> dict | None:
        shown = run(["git", "show", f"{commit}:{path}"], self.origin)
        return json.loads(shown.stdout) if shown.returncode == 0 else None

    def packed_mib(self) -> float:
        git(self.origin, "gc", "--quiet")
        counts = dict(
            line.split(": ") for line in git(self.origin, "count-objects", "-v").splitlines()
        )
        return int(counts["size-pack"]) / 1024

    def clone_numbers(self) -> dict[str, tuple[float, float]]:
        """Seconds and MiB on disk of a full and of a partial clone, over file:// (so that
        git transfers objects as it would from GitHub, and honours the filter)."""
        numbers = {}
        for name, extra in (("full", []), ("partial (--filter=blob:none)", ["--filter=blob:none"])):
            target = self.root / "clone-test"
            shutil.rmtree(target, ignore_errors=True)
            started = time.perf_counter()
            git(
                self.root,
                "clone",
                "--quiet",
                "--no-local",
                *extra,
                f"file://{self.origin}",
                str(target),
            )
            seconds = time.perf_counter() - started
            history = sum(f.stat().st_size for f in (target / ".git").rglob("*") if f.is_file())
            numbers[name] = (seconds, history / 2**20)
            shutil.rmtree(target)
        return numbers

    def bytes_by_path(self, top: int = 12) -> list[tuple[str, int, int]]:
        """(path, packed bytes over all its versions, versions) for the largest paths."""
        listed = git(self.origin, "rev-list", "--objects", "--all")
        batch = subprocess.run(
            ["git", "cat-file", "--batch-check=%(objecttype) %(objectsize:disk) %(rest)"],
            cwd=self.origin, input=listed, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        size, versions = Counter(), Counter()
        for line in batch.splitlines():
            kind, disk, *path = line.split(" ", 2)
            if kind == "blob" and path:
                size[path[0]] += int(disk)
                versions[path[0]] += 1
        return [(path, size[path], versions[path]) for path, _ in size.most_common(top)]


CHANGE = date(2020, 3, 23)  # Washington's stay-home order: what the live-error alarm should see
BANDS = [7, 14, 28]


def operations_report(replay: Replay) -> str:
    """The model as it was operated: every issued record of the origin scored against the
    counts published since (by lead, against what was expected at issue), the live-error
    alarm, the promotion decisions and the rewrites of issued records."""
    final = replay.root / "final"
    shutil.rmtree(final, ignore_errors=True)
    final.mkdir()
    archive = subprocess.run(
        ["git", "archive", "main", "results/forecasts/issued", "results/tables/daily.parquet"],
        cwd=replay.origin, capture_output=True, check=True,
    ).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(final)], input=archive, check=True)
    records = read_records(sorted((final / "results/forecasts/issued").glob("*.csv")))
    scored = score(records, read_table(final / "results/tables/daily.parquet"), "total")
    lines = [
        "",
        f"Issued: {records['issue_date'].nunique()} records, {len(records):,} forecasts; "
        f"{len(scored):,} scored against the counts published by the last refresh.",
    ]
    for label, start, end in (
        ("2019", "2019-01-01", "2019-12-31"),
        ("2020", "2020-01-01", "2020-12-31"),
    ):
        period = scored[(scored["date"] >= start) & (scored["date"] <= end)]
        if period.empty:
            continue
        table = scores_by_band(period, BANDS)
        lines += [
            "",
            f"Forecasts of days in {label}, live MAE against the MAE expected when issued:",
            "",
            "| lead (days) | forecasts | live MAE | expected MAE | ratio | inside the interval |",
            "|---|---:|---:|---:|---:|---:|",
            *[
                f"| {row.band} | {row.forecasts:,} | {row.mae:.0f} | {row.expected_mae:.0f} | "
                f"{row.ratio:.3f} | {row.coverage:.1%} |"
                for row in table.itertuples()
            ],
        ]
    alarmed = sorted({day.alarm_as_of for day in replay.days if day.alarm and day.alarm_as_of})
    first_after = next(
        (day for day in replay.days if day.alarm and day.day >= CHANGE - timedelta(days=31)), None
    )
    false_2019 = [as_of for as_of in alarmed if as_of.startswith("2019")]
    lines += [
        "",
        f"Live-error alarm on for the counts up to: {', '.join(alarmed) or 'never'}.",
        f"False alarms in 2019 (month ends alarmed): {len(false_2019)}.",
        "First alarm around the 2020 change: "
        + (
            f"{first_after.day} (counts to {first_after.alarm_as_of}), "
            f"{(first_after.day - CHANGE).days} days after {CHANGE}."
            if first_after
            else "none."
        ),
    ]
    decisions = [day for day in replay.days if day.decision]
    lines += ["", "| refresh | decision | why |", "|---|---|---|"]
    lines += [
        f"| {day.day} | {'promoted' if day.decision['promoted'] else '**held back**'} | "
        f"{day.decision['why'][:160]} |"
        for day in decisions
    ]
    rewrites = [line for day in replay.days for line in day.rewrites]
    lines += ["", f"Issued records changed or removed after issue (rewrites): {len(rewrites)}."]
    return "\n".join(lines) + "\n"


def report(replay: Replay, packed: list[tuple[date, float]], clones: dict, by_path: list) -> str:
    days = replay.days[1:]  # the first refresh builds everything from nothing
    changed = [day for day in days if day.changed]
    commits = [day for day in days if day.committed]
    spurious = [day for day in days if day.committed and not (day.changed and day.new_data_named)]
    silent = [day for day in changed if not day.committed]
    rechecks = replay.rechecks[1:]
    unchanged_times = [day.check_seconds for day in [*days, *rechecks] if not day.changed]
    rechecks_that_ran = [day for day in rechecks if day.changed or day.committed]
    changed_times = [day.check_seconds + day.run_seconds for day in changed]
    lines = [
        f"Replay of {len(days)} daily refreshes from {days[0].day} to {days[-1].day} "
        f"(after a first run on {replay.days[0].day}).",
        "",
        "| | |",
        "|---|---|",
        f"| refreshes with changed data | {len(changed)} |",
        f"| commits made | {len(commits)} |",
        f"| spurious commits (no new data named) | {len(spurious)} |",
        f"| changed refreshes that committed nothing | {len(silent)} |",
        f"| same-day re-checks, upstream unchanged | {len(rechecks)} |",
        f"| re-checks that found a change or committed (must be 0) | {len(rechecks_that_ran)} |",
        "| median wall time, unchanged refresh (check only) | "
        + (f"{statistics.median(unchanged_times):.2f} s |" if unchanged_times else "n/a |"),
        "| median wall time, changed refresh (check, run, publish) | "
        + (f"{statistics.median(changed_times):.1f} s |" if changed_times else "n/a |"),
        "",
        "| after | packed size of the origin (git gc) |",
        "|---|---|",
        *[f"| {day} | {mib:.1f} MiB |" for day, mib in packed],
        "",
        "| clone | seconds | .git on disk |",
        "|---|---|---|",
        *[f"| {name} | {seconds:.2f} | {mib:.1f} MiB |" for name, (seconds, mib) in clones.items()],
        "",
        "| path | packed bytes, all versions | versions |",
        "|---|---|---|",
        *[f"| `{path}` | {size / 2**20:.2f} MiB | {count} |" for path, size, count in by_path],
    ]
    if len(packed) >= 2:
        (first_day, first), (last_day, last) = packed[0], packed[-1]
        per_year = (last - first) / max((last_day - first_day).days, 1) * 365
        lines += ["", f"Growth: {last - first:.1f} MiB in {(last_day - first_day).days} days, "
                  f"{per_year:.1f} MiB per year at this rate."]  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=date.fromisoformat, default=date(2019, 1, 1))
    parser.add_argument("--days", type=int, default=546, help="default: to 2020-06-30")
    parser.add_argument("--every", type=int, default=1, help="days between refreshes")
    parser.add_argument("--data", type=Path, default=SHARED_DATA, help="the data mirror")
    parser.add_argument("--workdir", type=Path, help="where to work (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the workdir")
    options = parser.parse_args()
    if not options.data.is_dir():
        sys.exit(f"no data mirror at {options.data}")
    root = options.workdir or Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        with loopback_server() as server:
            replay = Replay(root, Upstream(server), History(options.data))
            replay.seed(options.start)
            replay.refresh(options.start)
            replay.recheck(options.start)
            packed = [(options.start, replay.packed_mib())]
            for offset in range(options.every, options.days + 1, options.every):
                day = replay.refresh(options.start + timedelta(days=offset))
                again = replay.recheck(day.day)
                print(
                    f"{day.day} changed={day.changed} committed={day.committed} "
                    f"check {day.check_seconds:.1f}s run {day.run_seconds:.1f}s; "
                    f"re-check changed={again.changed} {again.check_seconds:.1f}s; "
                    f"alarm={day.alarm} ({day.alarm_as_of}); decision="
                    f"{None if day.decision is None else day.decision['promoted']}; "
                    f"rewrites={len(day.rewrites)}",
                    flush=True,
                )
                if offset % 365 < options.every or offset + options.every > options.days:
                    packed.append((day.day, replay.packed_mib()))
                elif offset % 30 < options.every:  # progress for a replay cut short
                    print(f"{day.day} packed {replay.packed_mib():.1f} MiB", flush=True)
            print(report(replay, packed, replay.clone_numbers(), replay.bytes_by_path()))
            print(operations_report(replay))
    finally:
        if not options.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
