"""Why a run failed, for the job summary and the failure issue: each failing job's rule, its
wildcards, the located message its log ends with (a download's URL and what went wrong, a
validation's row and field) and the last lines of that log, secrets redacted.

Read from what Snakemake leaves: its run logs in .snakemake/log/ say which jobs failed
("Error in rule ...", with the job's id) and which log file each wrote, and the job's own
start ("rule ...: ... jobid: N ... wildcards: ...") gives its wildcards. Nothing here runs
Snakemake: a failed run is over, and the step must report even if Snakemake cannot start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .redact import redacted

SNAKEMAKE_LOGS = Path(".snakemake/log")
TAIL_LINES = 12
JOB_START = re.compile(r"^(?:local)?(?:rule|checkpoint) (\w+):$")
ERROR_START = re.compile(r"^Error in rule (\w+):$")
FIELD = re.compile(r"^\s{4}(\w+): (.*)$")
# What a failing script says for people (bikeflow.logs.fail): its ERROR lines.
LOCATED = re.compile(r"^ERROR [\w.]+: (.*)$")


@dataclass
class FailedJob:
    rule: str
    jobid: str
    wildcards: dict[str, str] = field(default_factory=dict)
    logs: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        values = ", ".join(f"{key}={value}" for key, value in self.wildcards.items())
        return f"`{self.rule}`" + (f" ({values})" if values else "")


def blocks(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """(kind, rule, fields) of every job start ("start") and job error ("error") in a
    Snakemake log, with the indented fields under it."""
    found: list[tuple[str, str, dict[str, str]]] = []
    for line in text.splitlines():
        start, error = JOB_START.match(line), ERROR_START.match(line)
        if start or error:
            found.append(("start" if start else "error", (start or error)[1], {}))
        elif found and (match := FIELD.match(line)):
            found[-1][2].setdefault(match[1], match[2])
        elif found and line and not line.startswith(" "):
            found.append(("other", "", {}))
    return [block for block in found if block[0] != "other"]


def parse_wildcards(text: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in text.split(", ") if "=" in pair)


def failed_jobs(text: str) -> list[FailedJob]:
    """The jobs a Snakemake log says failed, with their wildcards and log files."""
    parsed = blocks(text)
    starts = {fields.get("jobid"): fields for kind, _, fields in parsed if kind == "start"}
    jobs = []
    for kind, rule, fields in parsed:
        if kind != "error":
            continue
        jobid = fields.get("jobid", "")
        logs = [path.strip() for path in fields.get("log", "").split("(")[0].split(",")]
        wildcards = parse_wildcards(starts.get(jobid, {}).get("wildcards", ""))
        jobs.append(FailedJob(rule, jobid, wildcards, [path for path in logs if path]))
    return jobs


def located(log: str) -> list[str]:
    """The messages a job's log gives for people: its ERROR lines, without the prefix."""
    return [match[1] for line in log.splitlines() if (match := LOCATED.match(line))]


def job_text(job: FailedJob, read=lambda path: Path(path).read_text(errors="replace")) -> list[str]:
    """Markdown for one failed job: its name, the located messages of its logs, their tails."""
    lines = [f"- rule {job.name} failed"]
    for path in job.logs:
        try:
            log = redacted(read(path))
        except OSError:
            lines.append(f"  - its log `{path}` was not written")
            continue
        for message in located(log)[-3:]:
            lines.append(f"  - {message}")
        lines += details(f"The end of <code>{path}</code>", log.splitlines()[-TAIL_LINES:])
    return lines


def details(summary: str, lines: list[str]) -> list[str]:
    """A folded block of `lines` under `summary`, indented into a list item."""
    block = ["<details>", f"<summary>{summary}</summary>", "", "```", *lines, "```", "</details>"]
    return ["", *(f"  {line}" for line in block)]


def newest_logs(since: float = 0.0) -> list[Path]:
    """Snakemake's run logs written at or after `since` (every one by default), oldest first."""
    if not SNAKEMAKE_LOGS.is_dir():
        return []
    logs = [
        path for path in SNAKEMAKE_LOGS.glob("*.snakemake.log") if path.stat().st_mtime >= since
    ]
    return sorted(logs, key=lambda path: path.stat().st_mtime)


def explanation(since: float = 0.0) -> str:
    """Why the run's jobs failed, in Markdown; empty when no log names a failed job."""
    lines = []
    for path in newest_logs(since):
        for job in failed_jobs(path.read_text(errors="replace")):
            lines += job_text(job)
    if not lines:
        return ""
    return "\n".join(["## Why the run failed", "", *lines, ""])
