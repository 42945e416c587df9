"""check-sources: does the scheduled refresh need to run at all?

Each source is asked whether its data differ from the download the published results were
built from (results/sources/<source>.json): a conditional request when the record has an
ETag or Last-Modified (304: unchanged), else, or when the server ignores the question, the
whole body compared by sha256. The check refuses to decide, and the pipeline runs, when the
records cannot say what the sources are now.
"""

from __future__ import annotations

import hashlib
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import git
from .records import published_sources
from .workflow import ACCEPTED_RECORD, directory_of


class SourceCheckFailed(RuntimeError):
    """A source could not be asked: the check cannot decide, and must not guess."""


@dataclass(frozen=True)
class Answer:
    source: str
    asked: str  # what was asked, in words
    answered: str  # what came back, in words
    changed: bool


def why_the_check_cannot_tell() -> str | None:
    """A reason to run the pipeline without asking, when the published records cannot say
    what the sources are now: nothing published yet, or the configuration (where each
    source's URL lives) changed since the results were built."""
    base = git.built_from()
    if base is None:
        return "no published results to compare with"
    if not published_sources():
        return f"no source records in {directory_of(ACCEPTED_RECORD)}/"
    config = sorted(path for path in git.changed_since(base) if path.startswith("config/"))
    if config:
        return f"{', '.join(config)} changed since the results were built"
    return None


def ask_source(
    source: str, record: dict, *, timeout: float, attempts: int = 3, pause: float = 2.0
) -> Answer:
    """Ask the source whether its data differ from the record's: a conditional request when
    the record has an ETag or Last-Modified (304: unchanged), else (or when the server
    ignores it) the whole body, compared by sha256. Connection errors and 5xx are retried
    `attempts` times (the standard library has no retry policy of its own)."""
    url = record["url"]
    headers = {}
    if record.get("etag"):
        headers["If-None-Match"] = record["etag"]
    if record.get("last_modified"):
        headers["If-Modified-Since"] = record["last_modified"]
    asked = " and ".join(headers) if headers else "the whole file (no ETag or Last-Modified)"
    if "://" not in url:  # a path in the repository: read it
        url = Path(url).resolve().as_uri()
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(
                urllib.request.Request(url, headers=headers), timeout=timeout
            ) as body:
                sha256, size = digest(body)
            break
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return Answer(source, asked, "304 Not Modified", changed=False)
            if error.code < 500 and error.code != 429 or attempt == attempts:
                raise SourceCheckFailed(
                    f"{source}: {url} answered HTTP {error.code} {error.reason}"
                ) from error
        except (urllib.error.URLError, OSError) as error:
            if attempt == attempts:
                reason = getattr(error, "reason", error)
                raise SourceCheckFailed(
                    f"{source}: {url} could not be reached after {attempts} attempts ({reason})"
                ) from error
        time.sleep(pause * attempt)
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


def check_sources(timeout: float) -> tuple[bool, str]:
    """Whether the pipeline must run, and a Markdown account of what was asked; raises
    SourceCheckFailed when a source cannot be asked."""
    reason = why_the_check_cannot_tell()
    if reason:
        return True, cannot_tell(reason)
    return report(
        [ask_source(name, record, timeout=timeout) for name, record in published_sources().items()]
    )


def failed(error: SourceCheckFailed) -> str:
    return f"## Source check\n\n**Failed:** {error}\n"
