"""summary: what the run did, in Markdown for the job's summary page: each invocation and
the jobs it ran, the sources with new data, and the report of a validation that failed."""

from __future__ import annotations

from pathlib import Path

from .records import changed_sources, run_record
from .workflow import VALIDATION_SUMMARY, VALIDATION_SUMMARY_LOG, existing


def failed_validations() -> dict[str, str]:
    """Sources whose validation ran and failed (invalid data, or a download refused for
    losing published data), with the summary their job wrote to the logs: Snakemake removed
    its outputs among the results when it started and did not make them again."""
    return {
        source: log.read_text()
        for source, log in existing(VALIDATION_SUMMARY_LOG).items()
        if not Path(VALIDATION_SUMMARY.format(source=source)).exists()
    }


def summary_text(
    record: dict | None, new_data: dict[str, str], validation_reports: dict[str, str]
) -> str:
    """The summary of a run from its record, the sources with new data (name -> sha256)
    and the reports of failed validations (name -> Markdown)."""
    lines = ["## Pipeline run", ""]
    if record:
        for invocation in record["invocations"]:
            status = "ok" if invocation["returncode"] == 0 else "**failed**"
            jobs = invocation["jobs"]
            ran = ", ".join(f"`{rule}` ({count})" for rule, count in jobs.items()) or "nothing"
            lines.append(f"- {invocation['name']}: {status}; ran {ran}")
        lines.append("")
    for source, sha in new_data.items():
        lines.append(f"- new data for `{source}`: sha256 `{sha[:12]}`")
    for report in validation_reports.values():
        lines += ["", report]
    return "\n".join(lines) + "\n"


def summary() -> str:
    return summary_text(run_record(), changed_sources(), failed_validations())
