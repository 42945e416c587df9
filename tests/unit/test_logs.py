"""bikeflow.logs: a step's messages, and why it stopped, end up in its Snakemake log file.

Each case runs a small script in its own Python, as a rule's script runs: the logging set-up
and the exception hook are process-wide, so they are tested in a process of their own."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from support.workflow import REPOSITORY

SCRIPT_HEAD = """
import sys
sys.path.insert(0, {library!r})
from bikeflow.logs import fail, log_to
log = log_to({log!r}, "tidy_counts")
log.info("read %d rows", 24)
"""


def run_step(tmp_path: Path, body: str) -> tuple[subprocess.CompletedProcess, Path]:
    log = tmp_path / "logs" / "tables" / "tidy_counts.log"  # its folder does not exist yet
    head = SCRIPT_HEAD.format(library=str(REPOSITORY / "workflow/scripts"), log=str(log))
    script = head + textwrap.dedent(body)
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    return completed, log


def test_messages_go_to_the_log_file_and_to_stderr(tmp_path: Path):
    completed, log = run_step(tmp_path, "")
    assert completed.returncode == 0
    assert log.read_text(encoding="utf-8") == "INFO tidy_counts: read 24 rows\n"
    assert "INFO tidy_counts: read 24 rows" in completed.stderr


def test_fail_ends_the_step_with_its_message_and_no_traceback(tmp_path: Path):
    message = "fremont_bridge row 7, field Date: '13/45/2020' is not a date"
    completed, log = run_step(tmp_path, f"fail(log, {message!r})\nprint('not reached')")
    assert completed.returncode == 1
    assert log.read_text(encoding="utf-8").splitlines()[-1] == f"ERROR tidy_counts: {message}"
    assert "Traceback" not in completed.stderr + log.read_text(encoding="utf-8")
    assert "not reached" not in completed.stdout


def test_a_crash_is_logged_with_its_traceback(tmp_path: Path):
    completed, log = run_step(tmp_path, "{}['missing']")
    assert completed.returncode != 0
    text = log.read_text(encoding="utf-8")
    assert "ERROR tidy_counts: failed" in text
    assert "Traceback" in text and "KeyError: 'missing'" in text


def test_a_second_run_replaces_the_log_of_the_first(tmp_path: Path):
    run_step(tmp_path, "log.info('first run')")
    _, log = run_step(tmp_path, "")
    assert "first run" not in log.read_text(encoding="utf-8")
