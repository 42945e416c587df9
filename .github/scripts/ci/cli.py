"""The command line: arguments, dispatch to the jobs, and the runner's files.

Each command is a subparser whose `func` is its handler (argparse's set_defaults): a handler
takes the parsed options and returns the exit code. What a step reports goes to stdout and,
on a runner, to the job summary ($GITHUB_STEP_SUMMARY); a check's verdict to the step's
outputs ($GITHUB_OUTPUT).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from datetime import date

from . import __doc__ as package_doc
from .alerts import FAILURE_NOTE, alerts
from .check_sources import SourceCheckFailed, check_sources, failed
from .comment import Refused, comment
from .failure import explanation
from .github import GitHub, GitHubError
from .handover import HandOverError
from .keepalive import keepalive, quiet_days, workflow_file
from .mark_changes import mark_changes
from .preview import metrics_diff, preview
from .publish import publish
from .run import RULE_ENVIRONMENTS, run
from .summary import failed_validations, summary


def write_summary(text: str) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)
    print(text)


def set_output(name: str, value: str) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(f"{name}={value}\n")


def check_sources_command(options: argparse.Namespace) -> int:
    try:
        changed, report = check_sources()
    except SourceCheckFailed as error:
        write_summary(failed(error))
        FAILURE_NOTE.parent.mkdir(parents=True, exist_ok=True)
        FAILURE_NOTE.write_text(failed(error))  # for the failure's issue (alerts)
        print(f"The source check failed: {error}", file=sys.stderr)
        return 1
    write_summary(report)
    set_output("changed", str(changed).lower())
    return 0


def mark_changes_command(options: argparse.Namespace) -> int:
    changed = mark_changes()
    print("Changed since the last results:", ", ".join(changed) or "nothing")
    return 0


def run_command(options: argparse.Namespace) -> int:
    return run(
        options.refresh,
        options.cores,
        options.rule_envs,
        shlex.split(options.snakemake_args),
        options.forceall,
    )


def summary_command(options: argparse.Namespace) -> int:
    write_summary(summary() + explanation())
    return 0


def why_it_failed() -> str:
    """Everything the failed steps left to say why: the source check's message, the failed
    jobs with their logs, the validation reports of invalid data."""
    parts = [FAILURE_NOTE.read_text() if FAILURE_NOTE.exists() else "", explanation()]
    parts += failed_validations().values()
    return "\n".join(part for part in parts if part)


def keepalive_command(options: argparse.Namespace) -> int:
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    try:
        said, code = keepalive(GitHub(), repository, workflow_file(), quiet_days(date.today())), 0
    except GitHubError as error:
        said, code = f"The schedule could not be kept enabled: {error}", 1
    write_summary(f"## Schedule\n\n{said}\n")
    return code


def alerts_command(options: argparse.Namespace) -> int:
    failed = options.outcome != "success"
    code, report = alerts(failed, why_it_failed() if failed else "", with_pipeline=options.pipeline)
    write_summary(report)
    return code


def publish_command(options: argparse.Namespace) -> int:
    return publish(
        options.remote,
        options.branch,
        options.attempts,
        options.cores,
        options.rule_envs,
        shlex.split(options.snakemake_args),
    )


def metrics_diff_command(options: argparse.Namespace) -> int:
    write_summary(metrics_diff(options.base))
    return 0


def preview_command(options: argparse.Namespace) -> int:
    markdown, line = preview(options.base, options.pull_request, options.head_sha)
    write_summary(markdown)
    # The hand-over to the pr-comment workflow: one line of this job's log (handover.py).
    print(line, flush=True)
    return 0


def comment_command(options: argparse.Namespace) -> int:
    repository = options.repository or os.environ.get("GITHUB_REPOSITORY")
    if not repository:
        print("No repository: give --repository or set GITHUB_REPOSITORY.", file=sys.stderr)
        return 2
    try:
        outcome = comment(repository, options.run_id)
    except (Refused, HandOverError) as error:
        write_summary(f"Refused to comment: {error}.\n")
        print(f"Refused to comment: {error}.", file=sys.stderr)
        return 1
    except GitHubError as error:
        print(f"GitHub refused: {error}", file=sys.stderr)
        return 1
    write_summary(f"{outcome.message}" + (f": {outcome.url}" if outcome.url else "") + ".\n")
    return 0


def add_run_options(command: argparse.ArgumentParser) -> None:
    """How the workflow runs: for `run`, and for `publish` when it must rebuild (which
    always fetches every source again: see publish.py)."""
    command.add_argument("--cores", default="all")
    command.add_argument(
        "--rule-envs",
        choices=sorted(RULE_ENVIRONMENTS),
        default="driver",
        help="conda: each rule in its own conda environment (--sdm conda); "
        "driver: every rule in the environment running Snakemake",
    )
    command.add_argument("--snakemake-args", default="", help="extra Snakemake options")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python3 .github/scripts/ci", description=package_doc.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)

    # No options: it asks each source as the download does (the policy in its record).
    check = commands.add_parser("check-sources", help="has any source new data?")
    check.set_defaults(func=check_sources_command)

    marks = commands.add_parser("mark-changes", help="mtimes from what changed since the results")
    marks.set_defaults(func=mark_changes_command)

    runs = commands.add_parser("run", help="the workflow: downloads, tables, the rest")
    add_run_options(runs)
    runs.add_argument("--refresh", action="store_true", help="fetch every source again")
    runs.add_argument(
        "--forceall",
        action="store_true",
        help="re-run every rule past the downloads (the sources are not fetched again)",
    )
    runs.set_defaults(func=run_command)

    summaries = commands.add_parser("summary", help="the run's summary, in Markdown")
    summaries.set_defaults(func=summary_command)

    publishes = commands.add_parser("publish", help="commit the results and push them")
    add_run_options(publishes)
    publishes.add_argument("--remote", default="origin")
    publishes.add_argument("--branch", default="main")
    publishes.add_argument("--attempts", type=int, default=3)
    publishes.set_defaults(func=publish_command)

    alert = commands.add_parser("alerts", help="open, comment on and close the alerts' issues")
    alert.add_argument(
        "--outcome",
        choices=["success", "failure", "cancelled"],
        required=True,
        help="how the job went so far (a failure opens the failed run's issue)",
    )
    alert.add_argument(
        "--pipeline",
        action="store_true",
        help="also the pipeline's own alerts (results/monitoring/alerts.json, after publish)",
    )
    alert.set_defaults(func=alerts_command)

    alive = commands.add_parser("keepalive", help="keep the scheduled workflow enabled")
    alive.set_defaults(func=keepalive_command)

    diff = commands.add_parser("metrics-diff", help="a pull request's metrics against its base")
    diff.add_argument("--base", default="origin/main")
    diff.set_defaults(func=metrics_diff_command)

    previews = commands.add_parser(
        "preview", help="a pull request's preview: metrics, rules re-run, figures changed"
    )
    previews.add_argument("--base", default="origin/main")
    previews.add_argument("--pull-request", type=int, required=True, help="its number")
    previews.add_argument("--head-sha", required=True, help="its head commit")
    previews.set_defaults(func=preview_command)

    comments = commands.add_parser(
        "comment", help="post a pull request's preview from its run's logs (trusted side)"
    )
    comments.add_argument("--run-id", type=int, required=True, help="the CI run that previewed")
    comments.add_argument("--repository", help="owner/name (default: $GITHUB_REPOSITORY)")
    comments.set_defaults(func=comment_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    return options.func(options)
