"""ci/cli.py: the command line as the workflows use it, each command reaching its job and
reporting to the runner's files; and the package run as the runner runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.gitrepo import Repository
from support.workflow import REPOSITORY

from ci.cli import main, parser
from ci.comment import Refused
from ci.handover import MARKER, Preview, decode

SCRIPTS = REPOSITORY / ".github/scripts"
PACKAGE = SCRIPTS / "ci"
COMMANDS = [
    "check-sources",
    "mark-changes",
    "run",
    "summary",
    "publish",
    "metrics-diff",
    "preview",
    "comment",
]


@pytest.fixture
def runner_files(repository: Repository, monkeypatch) -> dict[str, Path]:
    """The step summary and step outputs files a runner gives each step."""
    files = {"summary": repository.root / "step-summary", "output": repository.root / "output"}
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(files["summary"]))
    monkeypatch.setenv("GITHUB_OUTPUT", str(files["output"]))
    return files


def test_check_sources_with_nothing_published_says_so_and_asks_for_a_run(
    repository: Repository, runner_files: dict[str, Path]
):
    repository.commit("The project")
    assert main(["check-sources"]) == 0
    assert runner_files["output"].read_text() == "changed=true\n"
    assert runner_files["summary"].read_text() == (
        "## Source check\n\n"
        "The check cannot tell (no published results to compare with): running the pipeline.\n"
    )


def test_summary_reports_the_last_run_to_the_job_summary(
    repository: Repository, runner_files: dict[str, Path], capsys
):
    record = {"invocations": [{"name": "download", "returncode": 0, "jobs": {"download": 2}}]}
    repository.write(".snakemake/ci-run.json", json.dumps(record))
    assert main(["summary"]) == 0
    expected = "## Pipeline run\n\n- download: ok; ran `download` (2)\n\n"
    assert runner_files["summary"].read_text() == expected
    assert capsys.readouterr().out == expected + "\n"


def test_metrics_diff_compares_with_the_base_it_is_given(
    repository: Repository, runner_files: dict[str, Path]
):
    repository.commit("The project")
    assert main(["metrics-diff", "--base", "HEAD"]) == 0
    assert "missing here or on `HEAD`" in runner_files["summary"].read_text()


def test_preview_writes_the_job_summary_and_prints_the_hand_over_line(
    repository: Repository, runner_files: dict[str, Path], capsys
):
    repository.commit("The project")
    sha = "0123456789abcdef0123456789abcdef01234567"
    assert main(["preview", "--base", "HEAD", "--pull-request", "3", "--head-sha", sha]) == 0
    summary = runner_files["summary"].read_text()
    assert summary.startswith("## Rules that re-ran\n")
    printed = capsys.readouterr().out.splitlines()
    assert decode(printed[-1].removeprefix(MARKER)) == Preview(3, sha, summary)


def test_comment_needs_a_repository_and_says_why_it_refuses(
    repository: Repository, runner_files: dict[str, Path], monkeypatch, capsys
):
    assert main(["comment", "--run-id", "5"]) == 2
    assert "give --repository or set GITHUB_REPOSITORY" in capsys.readouterr().err

    def refuse(repository: str, run_id: int):
        raise Refused("the preview is of commit aaaaaaaaaaaa, the run of bbbbbbbbbbbb")

    monkeypatch.setattr("ci.cli.comment", refuse)
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    assert main(["comment", "--run-id", "5"]) == 1
    message = "Refused to comment: the preview is of commit aaaaaaaaaaaa, the run of bbbbbbbbbbbb."
    assert message in capsys.readouterr().err
    assert runner_files["summary"].read_text() == message + "\n"


def test_publish_on_a_pull_request_is_refused_with_exit_code_1(
    repository: Repository, monkeypatch, capsys
):
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    assert main(["publish"]) == 1
    assert "Refusing to publish from a pull_request event." in capsys.readouterr().err


def test_options_that_would_do_nothing_are_refused_not_ignored(capsys):
    """publish's rebuild always fetches the sources again: it takes no --refresh."""
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(["publish", "--refresh"])
    assert exited.value.code == 2
    assert "unrecognized arguments: --refresh" in capsys.readouterr().err


def test_run_and_publish_take_the_workflows_options():
    run = parser().parse_args(["run", "--rule-envs", "conda", "--refresh", "--forceall"])
    assert (run.rule_envs, run.refresh, run.forceall, run.cores) == ("conda", True, True, "all")
    publish = parser().parse_args(["publish", "--snakemake-args", "--sdm env-modules"])
    assert (publish.snakemake_args, publish.attempts, publish.rule_envs) == (
        "--sdm env-modules",
        3,
        "driver",
    )


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as exited:
        parser().parse_args([])
    assert exited.value.code == 2


@pytest.mark.parametrize(
    "invocation",
    [
        pytest.param([str(PACKAGE)], id="python3 .github/scripts/ci"),
        pytest.param(["-m", "ci"], id="python3 -m ci"),
    ],
)
def test_the_package_runs_on_a_bare_python_with_the_standard_library_only(invocation):
    """-S: no site-packages (nothing installed); -E -s: no PYTHON* variables, no user
    site. As on the runner before any environment is set up."""
    cwd = SCRIPTS if invocation[0] == "-m" else REPOSITORY
    for command in ["--help", *[f"{name} --help" for name in COMMANDS]]:
        completed = subprocess.run(
            [sys.executable, "-E", "-s", "-S", *invocation, *command.split()],
            cwd=cwd,
            capture_output=True,
            text=True,
        )
        assert completed.returncode == 0, completed.stderr
        assert completed.stdout.startswith("usage: python3 .github/scripts/ci")


def test_every_module_imports_with_the_standard_library_only():
    modules = [f"ci.{path.stem}" for path in PACKAGE.glob("*.py") if path.stem[0] != "_"]
    assert "ci.check_sources" in modules and "ci.github" in modules
    code = f"import importlib\nfor name in {sorted(modules)!r}: importlib.import_module(name)"
    completed = subprocess.run(
        [sys.executable, "-E", "-s", "-S", "-c", code],
        cwd=SCRIPTS,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr
