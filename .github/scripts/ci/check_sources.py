"""check-sources: does the scheduled refresh need to run at all?

Each source is asked whether its data differ from the download the published results were
built from (results/sources/<source>.json): a conditional request when the record has an
ETag or Last-Modified (304: unchanged), else, or when the server ignores the question, the
whole body compared by sha256. The check refuses to decide, and the pipeline runs, when the
records cannot say what the sources are now.

One retry policy, the download's. The check stands for the download: were it to give up
sooner, a refresh would fail on a source that the download would have got after a few
retries. The policy lives in config/config.yaml (`download:`), which this check cannot read
(it runs on the runner's own Python, before any environment exists: no YAML parser). So the
accept_source rule writes the policy it was given into each source's accepted record, which
the check reads anyway; and the record is in step with the config whenever the check trusts
it, because the check does not decide when config/ changed since the results were built.
From the policy the check computes what urllib3's Retry does in the download (the same
backoff schedule, the same statuses, Retry-After capped as bikeflow.download's BoundedRetry
caps it). tests/ci/test_check_sources.py holds the two to the same attempts and the same
waits against a server that fails and then answers, and the schedule to urllib3's own.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import git
from .records import published_sources
from .workflow import ACCEPTED_RECORD, directory_of

# urllib3's Retry.RETRY_AFTER_STATUS_CODES: retried, beyond the policy's statuses, when the
# answer carries a Retry-After (the download respects it).
RETRY_AFTER_STATUSES = frozenset({413, 429, 503})


class SourceCheckFailed(RuntimeError):
    """A source could not be asked: the check cannot decide, and must not guess."""


@dataclass(frozen=True)
class Answer:
    source: str
    asked: str  # what was asked, in words
    answered: str  # what came back, in words
    changed: bool


@dataclass(frozen=True)
class RetryPolicy:
    """How the download asks a source, as its accepted record carries it (written by
    bikeflow.download.retry_policy from the config's `download:` section)."""

    timeout_seconds: float
    retries: int
    backoff_factor: float
    backoff_max_seconds: float
    retry_statuses: frozenset[int]

    @classmethod
    def of(cls, record: dict) -> RetryPolicy:
        policy = record["download"]
        return cls(
            timeout_seconds=float(policy["timeout_seconds"]),
            retries=int(policy["retries"]),
            backoff_factor=float(policy["backoff_factor"]),
            backoff_max_seconds=float(policy["backoff_max_seconds"]),
            retry_statuses=frozenset(policy["retry_statuses"]),
        )

    @property
    def attempts(self) -> int:
        return self.retries + 1

    def backoff(self, failures: int) -> float:
        """Seconds to wait after `failures` failures in a row, as urllib3's
        Retry.get_backoff_time: none after the first, then backoff_factor * 2 **
        (failures - 1), at most backoff_max_seconds."""
        if failures <= 1:
            return 0.0
        return max(0.0, min(self.backoff_max_seconds, self.backoff_factor * 2 ** (failures - 1)))

    def wait(self, failures: int, retry_after: str | None = None) -> float:
        """Seconds before the next attempt: what the server asked for in Retry-After, at
        most backoff_max_seconds; else (none, zero or unreadable) the backoff."""
        asked = retry_after_seconds(retry_after, time.time())
        return min(asked, self.backoff_max_seconds) if asked else self.backoff(failures)

    def retries_status(self, status: int, retry_after: str | None) -> bool:
        return status in self.retry_statuses or (
            status in RETRY_AFTER_STATUSES and bool(retry_after)
        )


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """A Retry-After header in seconds from `now` (as urllib3 reads it: seconds, or an
    HTTP date, never negative); None when there is none or it cannot be read."""
    if value is None:
        return None
    if re.fullmatch(r"\s*[0-9]+\s*", value):
        return float(int(value))
    date = email.utils.parsedate_tz(value)
    return None if date is None else max(email.utils.mktime_tz(date) - now, 0.0)


def why_the_check_cannot_tell() -> str | None:
    """A reason to run the pipeline without asking, when the published records cannot say
    what the sources are now: nothing published yet, the configuration (where each
    source's URL and the download's retry policy live) changed since the results were
    built, or a record does not say how to ask (written before records carried the policy)."""
    base = git.built_from()
    if base is None:
        return "no published results to compare with"
    records = published_sources()
    if not records:
        return f"no source records in {directory_of(ACCEPTED_RECORD)}/"
    config = sorted(path for path in git.changed_since(base) if path.startswith("config/"))
    if config:
        return f"{', '.join(config)} changed since the results were built"
    unknown = [source for source, record in records.items() if "download" not in record]
    if unknown:
        names = ", ".join(f"`{source}`" for source in unknown)
        return f"no download retry policy in the record of {names}"
    return None


def ask_source(source: str, record: dict) -> Answer:
    """Ask the source whether its data differ from the record's: a conditional request when
    the record has an ETag or Last-Modified (304: unchanged), else (or when the server
    ignores it) the whole body, compared by sha256. Connection errors, timeouts and the
    policy's statuses are retried as the download retries them; a file (a path in the
    repository, or file://) is read once, as the download copies it once."""
    policy = RetryPolicy.of(record)
    url = record["url"]
    headers = {}
    if record.get("etag"):
        headers["If-None-Match"] = record["etag"]
    if record.get("last_modified"):
        headers["If-Modified-Since"] = record["last_modified"]
    asked = " and ".join(headers) if headers else "the whole file (no ETag or Last-Modified)"
    if "://" not in url:  # a path in the repository: read it
        url = Path(url).resolve().as_uri()
    retries = policy.retries if urllib.parse.urlsplit(url).scheme in ("http", "https") else 0
    failures = 0
    while True:
        try:
            with urllib.request.urlopen(
                urllib.request.Request(url, headers=headers), timeout=policy.timeout_seconds
            ) as body:
                sha256, size = digest(body)
            break
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return Answer(source, asked, "304 Not Modified", changed=False)
            failures += 1
            retry_after = error.headers.get("Retry-After")
            problem = f"HTTP {error.code} {error.reason}"
            if not policy.retries_status(error.code, retry_after) or failures > retries:
                raise SourceCheckFailed(f"{source}: {url} answered {problem}") from error
            wait = policy.wait(failures, retry_after)
        except (urllib.error.URLError, OSError) as error:
            failures += 1
            problem = str(getattr(error, "reason", error))
            if failures > retries:
                raise SourceCheckFailed(
                    f"{source}: {url} could not be reached after {failures} attempts ({problem})"
                ) from error
            wait = policy.wait(failures)
        print(
            f"{source}: {problem}; asking again in {wait:g} s "
            f"(attempt {failures + 1} of {retries + 1})",
            file=sys.stderr,
            flush=True,
        )
        time.sleep(wait)
    if sha256 == record["sha256"] and size == record["bytes"]:
        return Answer(source, asked, f"the same {size:,} bytes (sha256 unchanged)", changed=False)
    return Answer(source, asked, f"new data: {size:,} bytes, sha256 {sha256[:12]}", changed=True)


class _Counted:
    """A binary stream that counts the bytes read from it through readinto()."""

    def __init__(self, stream) -> None:
        self.stream, self.bytes = stream, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        read = self.stream.readinto(buffer)
        self.bytes += read
        return read


def digest(stream) -> tuple[str, int]:
    """The sha256 and size of a binary stream, read to its end: hashlib.file_digest, the
    standard library's streaming digest (the download rule's is the same)."""
    counted = _Counted(stream)
    return hashlib.file_digest(counted, "sha256").hexdigest(), counted.bytes


def report(answers: list[Answer]) -> tuple[bool, str]:
    """Whether the pipeline must run, and a Markdown account of what was asked."""
    lines = ["## Source check", ""]
    lines += ["| Source | Asked | Answer | Changed |", "|---|---|---|---|"]
    lines += [
        f"| `{a.source}` | {a.asked} | {a.answered} | {'**yes**' if a.changed else 'no'} |"
        for a in answers
    ]
    changed = [answer.source for answer in answers if answer.changed]
    verdict = (
        f"New data for {', '.join(f'`{name}`' for name in changed)}: running the pipeline."
        if changed
        else "No source changed: nothing to run, nothing to commit."
    )
    return bool(changed), "\n".join([*lines, "", verdict, ""])


def cannot_tell(reason: str) -> str:
    return f"## Source check\n\nThe check cannot tell ({reason}): running the pipeline.\n"


def check_sources() -> tuple[bool, str]:
    """Whether the pipeline must run, and a Markdown account of what was asked; raises
    SourceCheckFailed when a source cannot be asked."""
    reason = why_the_check_cannot_tell()
    if reason:
        return True, cannot_tell(reason)
    return report([ask_source(name, record) for name, record in published_sources().items()])


def failed(error: SourceCheckFailed) -> str:
    return f"## Source check\n\n**Failed:** {error}\n"
