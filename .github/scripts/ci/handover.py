"""How a pull request's preview travels from its read-only run to the trusted one that posts
it: as ONE line of the preview job's log, `bikeflow-preview: <base64 of a JSON document>`.

Why a log line and not an artifact, the usual carrier of this hand-over: every run has a log,
which GitHub keeps and serves through the REST API (`GET .../actions/runs/{run_id}/logs`, a
zip) to a token with `actions: read`; an artifact needs actions/upload-artifact in the
read-only job, another pinned action run with the fork's code beside it, and the offline act
runs of the workflows (tests/ci/test_actions.py) have no snapshot of it, nor GitHub's artifact
service. A log line needs nothing but `print`.

What the line carries is data from untrusted code: a fork's pull request runs its own version
of the workflow, and can print any line it likes, this one included. So nothing here runs or
evaluates it: decode() checks its shape and types and nothing else, find_preview() refuses a
log that holds two different previews, and the trusted side (comment.py) checks through the
API that the pull request it names is the one the run was for, and caps what it posts.

    {"version": 1, "pull_request": 12, "head_sha": "<40 hex>", "markdown": "..."}
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import zipfile
from dataclasses import dataclass

MARKER = "bikeflow-preview: "
VERSION = 1
# GitHub's run logs prefix every line with its time (2026-01-05T06:00:01.1234567Z); the
# first line of each file starts with a byte-order mark.
LINE = re.compile(
    r"^\ufeff?(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z )?"
    + re.escape(MARKER)
    + r"(?P<data>[A-Za-z0-9+/=]*)\s*$"
)
SHA = re.compile(r"[0-9a-f]{40}")
# Bounds on what is read from a log a fork can fill: one line, one file, and the Markdown
# (a comment holds at most 65,536 characters; comment.py cuts it further).
MAX_LINE = 1_000_000
MAX_MEMBER = 200_000_000
MAX_MARKDOWN = 65_536


class HandOverError(ValueError):
    """A preview line that is not one this package writes, or a log with several."""


@dataclass(frozen=True)
class Preview:
    """What the read-only run hands over: the pull request it was for, its head commit, and
    the comment's Markdown."""

    pull_request: int
    head_sha: str
    markdown: str


def encode(preview: Preview) -> str:
    """The log line that carries `preview` (without its newline)."""
    document = {
        "version": VERSION,
        "pull_request": preview.pull_request,
        "head_sha": preview.head_sha,
        "markdown": preview.markdown,
    }
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return MARKER + base64.b64encode(data).decode("ascii")


def decode(data: str) -> Preview:
    """The preview in a line's base64 part; HandOverError unless it is exactly the shape
    encode() writes."""
    try:
        document = json.loads(base64.b64decode(data, validate=True).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise HandOverError(f"the preview line is not base64 of JSON ({error})") from None
    if not isinstance(document, dict) or document.get("version") != VERSION:
        raise HandOverError(f"the preview line is not a version {VERSION} preview")
    if set(document) != {"version", "pull_request", "head_sha", "markdown"}:
        raise HandOverError(f"the preview has other fields: {sorted(document)}")
    number, sha, markdown = document["pull_request"], document["head_sha"], document["markdown"]
    if type(number) is not int or number < 1:
        raise HandOverError(f"the preview's pull request is not a number: {number!r}")
    if not isinstance(sha, str) or not SHA.fullmatch(sha):
        raise HandOverError("the preview's head_sha is not a commit SHA")
    if not isinstance(markdown, str) or len(markdown) > MAX_MARKDOWN:
        raise HandOverError("the preview's markdown is not text of at most 65,536 characters")
    return Preview(number, sha, markdown)


def preview_lines(lines) -> list[str]:
    """The base64 parts of the preview lines among `lines` (text, timestamps or not)."""
    found = []
    for line in lines:
        match = LINE.match(line)
        if match:
            found.append(match.group("data"))
    return found


def _lines(member: zipfile.ZipExtFile):
    """The lines of a log file; a line longer than MAX_LINE is skipped whole."""
    while line := member.readline(MAX_LINE + 1):
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while (rest := member.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                pass
            continue
        yield line.decode("utf-8", "replace")


def find_preview(archive: bytes) -> Preview | None:
    """The preview in a run's logs (GitHub's zip: a `<n>_<job>.txt` file per job, and
    sometimes a folder per job with a file per step, so a line may be there twice). None
    when no job printed one; HandOverError when two different ones were printed, or the
    one found is not a preview."""
    try:
        logs = zipfile.ZipFile(io.BytesIO(archive))
    except zipfile.BadZipFile:
        raise HandOverError("the run's logs are not a zip archive") from None
    found: set[str] = set()
    with logs:
        for info in logs.infolist():
            if info.is_dir() or not info.filename.endswith(".txt"):
                continue
            if info.file_size > MAX_MEMBER:
                raise HandOverError(f"{info.filename} is larger than {MAX_MEMBER:,} bytes")
            with logs.open(info) as member:
                found.update(preview_lines(_lines(member)))
    if len(found) > 1:
        raise HandOverError(f"the run's logs hold {len(found)} different previews")
    return decode(found.pop()) if found else None
