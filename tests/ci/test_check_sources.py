"""ci/check_sources.py in process: how a source is asked, what its answer means, and when
the check cannot tell; against a real HTTP server on loopback (tests/support/server.py)."""

from __future__ import annotations

import email.utils
import hashlib
import json
import time
import urllib.request
from dataclasses import dataclass

import pytest
import yaml
from support.gitrepo import Repository
from support.server import Answer, LoopbackServer, loopback_server
from support.workflow import REPOSITORY
from urllib3.util.retry import RequestHistory, Retry

from bikeflow.download import RETRY_STATUSES, DownloadError, download, http_session, retry_policy
from ci.check_sources import (
    RETRY_AFTER_STATUSES,
    RetryPolicy,
    SourceCheckFailed,
    ask_source,
    digest,
    retry_after_seconds,
    why_the_check_cannot_tell,
)

# More than one read of hashlib.file_digest's buffer (256 KiB), and not a multiple of it.
BODY = b"date,total\n" + b"".join(b"2024-01-%02d,%d\n" % (1 + i % 28, i) for i in range(40_000))


@pytest.fixture
def server():
    with loopback_server() as running:
        yield running


def test_the_digest_of_an_answer_is_its_sha256_and_size(server: LoopbackServer):
    url = server.serve_file("/counts.csv", BODY)
    assert len(BODY) > 1 << 18
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert digest(answer) == (hashlib.sha256(BODY).hexdigest(), len(BODY))


def test_the_digest_of_a_file_url_is_its_sha256_and_size(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_bytes(BODY)
    with urllib.request.urlopen(path.as_uri()) as answer:
        assert digest(answer) == (hashlib.sha256(BODY).hexdigest(), len(BODY))


# --- one retry policy: the check asks as the download does ------------------------------

CONFIG = yaml.safe_load((REPOSITORY / "config/config.yaml").read_text())
# Small waits that still tell a schedule from another: 0, 1.0, then 1.2 s (capped).
QUICK = {"timeout_seconds": 5, "retries": 3, "backoff_factor": 0.5, "backoff_max_seconds": 1.2}
DATA = b"date,total\n2024-01-01,3000\n"


def download_retry(http: dict) -> Retry:
    """The urllib3 Retry the download rule's session uses for these settings."""
    session = http_session(http["retries"], http["backoff_factor"], http["backoff_max_seconds"])
    return session.get_adapter("https://example.org").max_retries


def download_settings(http: dict) -> dict:
    """download()'s keyword arguments for the config's `download:` section, as the rule
    passes them (workflow/scripts/download.py)."""
    return {
        "timeout_seconds": http["timeout_seconds"],
        "retries": http["retries"],
        "backoff_factor": http["backoff_factor"],
        "backoff_max": http["backoff_max_seconds"],
    }


def record_for(url: str, http: dict) -> dict:
    """An accepted record as accept_source writes it, for DATA at `url`."""
    accepted = {"url": url, "etag": None, "last_modified": None}
    accepted |= {"bytes": len(DATA), "sha256": hashlib.sha256(DATA).hexdigest()}
    return {**accepted, "download": retry_policy(http)}


@dataclass
class Outcome:
    succeeded: bool
    attempts: int
    waits: list[float]  # seconds between one request and the next, as the server saw them


def outcome(server: LoopbackServer, path: str, call) -> Outcome:
    try:
        call()
        succeeded = True
    except (DownloadError, SourceCheckFailed):
        succeeded = False
    arrivals = zip(server.requests, server.request_times, strict=True)
    times = [at for asked, at in arrivals if asked == path]
    waits = [later - at for at, later in zip(times, times[1:], strict=False)]
    return Outcome(succeeded, len(times), waits)


def both(server: LoopbackServer, tmp_path, answers: list[Answer], http: dict):
    """What the download and the check do with the same answers and the same settings."""
    download_url = server.script("/download.csv", *answers)
    check_url = server.script("/check.csv", *answers)
    downloaded = outcome(
        server,
        "/download.csv",
        lambda: download(
            download_url, tmp_path / "raw.csv", max_bytes=1000, **download_settings(http)
        ),
    )
    checked = outcome(server, "/check.csv", lambda: ask_source("s", record_for(check_url, http)))
    return downloaded, checked


def assert_same_waits(downloaded: Outcome, checked: Outcome, expected: list[float]) -> None:
    for waits in (downloaded.waits, checked.waits):
        assert len(waits) == len(expected)
        for waited, planned in zip(waits, expected, strict=True):
            assert planned - 0.05 <= waited <= planned + 0.6, (waits, expected)


def test_the_record_carries_the_policy_the_download_is_configured_with():
    policy = RetryPolicy.of({"download": retry_policy(CONFIG["download"])})
    retry = download_retry(CONFIG["download"])
    assert policy.timeout_seconds == CONFIG["download"]["timeout_seconds"]
    assert policy.retries == retry.total == CONFIG["download"]["retries"]
    assert policy.backoff_factor == retry.backoff_factor
    assert policy.backoff_max_seconds == retry.backoff_max
    assert policy.retry_statuses == set(retry.status_forcelist) == set(RETRY_STATUSES)
    assert RETRY_AFTER_STATUSES == Retry.RETRY_AFTER_STATUS_CODES


@pytest.mark.parametrize(
    "http",
    [
        CONFIG["download"],
        QUICK,
        {**QUICK, "backoff_factor": 0, "backoff_max_seconds": 10},
        {**QUICK, "retries": 20, "backoff_factor": 3, "backoff_max_seconds": 600},
    ],
    ids=["config", "quick", "no-backoff", "capped"],
)
def test_the_backoff_after_each_failure_is_urllib3s(http: dict):
    policy = RetryPolicy.of({"download": retry_policy(http)})
    retry = download_retry(http)
    for failures in range(http["retries"] + 2):
        history = tuple(RequestHistory("GET", "/", None, 503, None) for _ in range(failures))
        assert policy.backoff(failures) == retry.new(history=history).get_backoff_time()


def test_with_the_configs_policy_a_source_is_asked_six_times_over_a_minute():
    """What people wait for before a refresh with a source down fails (config/README.md)."""
    policy = RetryPolicy.of({"download": retry_policy(CONFIG["download"])})
    assert policy.attempts == 6
    assert [policy.backoff(failures) for failures in range(1, 6)] == [0, 4, 8, 16, 32]


def test_a_source_failing_as_often_as_the_download_retries_is_got_by_both(
    server: LoopbackServer, tmp_path
):
    failures = [Answer(503, b"busy")] * QUICK["retries"]
    downloaded, checked = both(server, tmp_path, [*failures, Answer(body=DATA)], QUICK)
    assert downloaded.succeeded and checked.succeeded
    assert downloaded.attempts == checked.attempts == QUICK["retries"] + 1
    assert_same_waits(downloaded, checked, [0, 1.0, 1.2])


def test_a_source_failing_once_more_makes_both_give_up_after_the_same_attempts(
    server: LoopbackServer, tmp_path
):
    failures = [Answer(503, b"busy")] * (QUICK["retries"] + 1)
    downloaded, checked = both(server, tmp_path, [*failures, Answer(body=DATA)], QUICK)
    assert not downloaded.succeeded and not checked.succeeded
    assert downloaded.attempts == checked.attempts == QUICK["retries"] + 1
    assert_same_waits(downloaded, checked, [0, 1.0, 1.2])


def test_a_retry_after_of_an_hour_is_waited_for_at_most_backoff_max_by_both(
    server: LoopbackServer, tmp_path
):
    http = {**QUICK, "backoff_factor": 0, "backoff_max_seconds": 0.4}  # backoff alone: 0 s
    busy = Answer(503, b"busy", headers={"Retry-After": "3600"})
    downloaded, checked = both(server, tmp_path, [busy, busy, Answer(body=DATA)], http)
    assert downloaded.succeeded and checked.succeeded
    assert downloaded.attempts == checked.attempts == 3
    assert_same_waits(downloaded, checked, [0.4, 0.4])


@pytest.mark.parametrize(
    ("status", "headers", "attempts"),
    [
        (404, {}, 1),
        (400, {"Retry-After": "1"}, 1),
        (501, {}, 1),
        (500, {}, 2),
        (502, {}, 2),
        (429, {}, 2),
        (413, {}, 1),
        (413, {"Retry-After": "1"}, 2),
    ],
)
def test_the_same_statuses_are_retried_by_both(
    server: LoopbackServer, tmp_path, status: int, headers: dict, attempts: int
):
    http = {**QUICK, "backoff_max_seconds": 0.1}
    answers = [Answer(status, b"no", headers=headers), Answer(body=DATA)]
    downloaded, checked = both(server, tmp_path, answers, http)
    assert downloaded.attempts == checked.attempts == attempts
    assert downloaded.succeeded == checked.succeeded == (attempts == 2)


def test_a_missing_file_fails_at_once_in_both(tmp_path):
    """A source that is a file (a path in the repository, file://) is not retried."""
    missing = (tmp_path / "missing.csv").as_uri()
    started = time.monotonic()
    with pytest.raises(DownloadError):
        download(missing, tmp_path / "raw.csv", max_bytes=1000, **download_settings(QUICK))
    with pytest.raises(SourceCheckFailed, match="after 1 attempts"):
        ask_source("s", record_for(missing, QUICK))
    assert time.monotonic() - started < 0.5  # no backoff: QUICK's first real wait is 1 s


def test_a_retry_after_is_read_as_urllib3_reads_it():
    now = time.time()
    in_a_minute = email.utils.formatdate(now + 60, usegmt=True)
    a_day_ago = email.utils.formatdate(now - 86_400, usegmt=True)
    for value in ["120", " 7 ", in_a_minute, a_day_ago]:
        assert retry_after_seconds(value, now) == pytest.approx(
            Retry().parse_retry_after(value), abs=1.5
        )
    assert retry_after_seconds(None, now) is None
    assert retry_after_seconds("soon", now) is None  # urllib3 raises; the check backs off


# --- when the check cannot tell -----------------------------------------------------------


def published(repository: Repository, records: dict[str, dict]) -> None:
    """A project whose results, with these accepted records, were built and committed."""
    repository.write("config/config.yaml", "download: {}\n")
    built = repository.commit("The project")
    for source, record in records.items():
        repository.write(f"results/sources/{source}.json", json.dumps(record))
    repository.results_commit(built)


def test_the_check_decides_when_the_records_carry_the_policy(repository: Repository):
    published(repository, {"fremont_bridge": record_for("https://example.org/a.csv", QUICK)})
    assert why_the_check_cannot_tell() is None


def test_records_written_before_they_carried_the_policy_make_the_check_run_the_pipeline(
    repository: Repository,
):
    old = {key: value for key, value in record_for("https://example.org", QUICK).items()}
    del old["download"]
    published(
        repository,
        {"fremont_bridge": old, "seatac_weather": record_for("https://example.org", QUICK)},
    )
    assert why_the_check_cannot_tell() == (
        "no download retry policy in the record of `fremont_bridge`"
    )


def test_a_changed_config_may_have_changed_the_policy_so_the_check_cannot_tell(
    repository: Repository,
):
    published(repository, {"fremont_bridge": record_for("https://example.org", QUICK)})
    repository.write("config/config.yaml", "download: {retries: 1}\n")
    repository.commit("Fewer retries")
    assert why_the_check_cannot_tell() == (
        "config/config.yaml changed since the results were built"
    )
