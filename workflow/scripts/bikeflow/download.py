"""Fetch one source over http(s) or file:// into a local file, or fail clearly.

Retries, backoff and Retry-After come from urllib3's Retry; a body shorter than its
Content-Length is caught by urllib3 (enforce_content_length). This module adds what
those libraries cannot know: a size cap, refusing empty bodies and HTML error pages
served with 200, and writing atomically so a failure never leaves a partial file.
"""

from __future__ import annotations

import hashlib
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
)
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util.retry import Retry

from bikeflow.atomic import atomic_open

CHUNK_BYTES = 1 << 16
RETRY_STATUSES = (429, 500, 502, 503, 504)
HTML_MARKERS = (b"<!doctype html", b"<html")
ACCEPTED_FIELDS = ("url", "etag", "last_modified", "bytes", "sha256")


class DownloadError(RuntimeError):
    """A source could not be fetched, or what came back is not data."""


class SourceUnreachable(DownloadError):
    """No answer at all within the retries: no network here, or a wrong host name."""


@dataclass(frozen=True)
class DownloadRecord:
    """What was fetched, from where: kept beside the raw file, never committed (the
    server's headers and status can change when the content does not). It holds no fetch
    time, so fetching the same answer twice gives the same record; the file's mtime says
    when it was fetched."""

    url: str
    final_url: str
    status: int | None
    etag: str | None
    last_modified: str | None
    content_type: str | None
    bytes: int
    sha256: str

    def to_dict(self) -> dict:
        return asdict(self)

    def accepted(self) -> dict:
        """What identifies the data a source served, without when it was fetched: the
        record committed with the results once the data passed validation, and what the
        scheduled refresh compares the source with (If-None-Match, If-Modified-Since, sha256)."""
        return {key: getattr(self, key) for key in ACCEPTED_FIELDS}


def retry_policy(http: Mapping) -> dict:
    """How download() asks a source, for the config's `download:` section: its settings,
    and the statuses it retries. The accepted record carries it (accept_source), so that
    the scheduled source check, which runs on the runner's own Python before any
    environment exists and cannot read the config, retries exactly as the download does
    (.github/scripts/ci/check_sources.py)."""
    return {
        "timeout_seconds": http["timeout_seconds"],
        "retries": http["retries"],
        "backoff_factor": http["backoff_factor"],
        "backoff_max_seconds": http["backoff_max_seconds"],
        "retry_statuses": list(RETRY_STATUSES),
    }


class BoundedRetry(Retry):
    """urllib3's Retry, except that a server's Retry-After is capped at backoff_max,
    so a 429 asking for an hour cannot stall a scheduled run for an hour."""

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), self.backoff_max)


def http_session(retries: int, backoff_factor: float, backoff_max: float) -> requests.Session:
    """A session that retries connection errors, 429 and 5xx with exponential backoff."""
    retry = BoundedRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        backoff_factor=backoff_factor,
        backoff_max=backoff_max,
        respect_retry_after_header=True,
        raise_on_status=True,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def download(
    url: str,
    destination: str | Path,
    *,
    max_bytes: int,
    timeout_seconds: float,
    retries: int,
    backoff_factor: float,
    backoff_max: float,
) -> DownloadRecord:
    """Fetch `url` into `destination` atomically and return what was fetched.

    Raises DownloadError when the source cannot be reached within the retries, answers
    with an error status, or sends something that is not a data file. The destination
    is then left as it was.
    """
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme in ("file", ""):
        return _copy_local_file(url, Path(destination), max_bytes)
    if scheme not in ("http", "https"):
        raise DownloadError(
            f"unsupported URL scheme {scheme!r} in {url} (use http, https, file or a path)"
        )
    session = http_session(retries, backoff_factor, backoff_max)
    try:
        with session.get(url, stream=True, timeout=timeout_seconds) as response:
            _check_response(url, response, max_bytes)
            sha256, size = _write_checked(
                response.iter_content(CHUNK_BYTES), Path(destination), max_bytes, url
            )
            return DownloadRecord(
                url=url,
                final_url=response.url,
                status=response.status_code,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                content_type=response.headers.get("Content-Type"),
                bytes=size,
                sha256=sha256,
            )
    except requests.exceptions.RequestException as error:
        failure = SourceUnreachable if _no_answer(error) else DownloadError
        raise failure(f"{url}: {_explain(error, timeout_seconds, retries)}") from error
    finally:
        session.close()


def _check_response(url: str, response: requests.Response, max_bytes: int) -> None:
    if response.status_code >= 400:
        raise DownloadError(f"{url}: HTTP {response.status_code} {response.reason}")
    content_type = response.headers.get("Content-Type", "")
    if content_type.split(";")[0].strip().lower() == "text/html":
        raise DownloadError(
            f"{url}: the server sent an HTML page (Content-Type {content_type!r}), not data"
        )
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise DownloadError(
            f"{url}: Content-Length {declared} exceeds the cap of {max_bytes} bytes"
        )


def _write_checked(
    chunks: Iterable[bytes], destination: Path, max_bytes: int, url: str
) -> tuple[str, int]:
    """Stream chunks into destination atomically, enforcing the data checks; returns the
    sha256 and size of what was written. The sha256 is read back from the written file by
    hashlib.file_digest, the standard library's streaming digest (the CI's source check
    uses the same on the answer it reads), rather than by a loop of our own."""
    size = 0
    with atomic_open(destination, "w+b") as handle:
        for chunk in _nonempty(chunks):
            if size == 0 and chunk.lstrip()[:16].lower().startswith(HTML_MARKERS):
                raise DownloadError(f"{url}: the body is an HTML page, not data")
            size += len(chunk)
            if size > max_bytes:
                raise DownloadError(f"{url}: body exceeds the cap of {max_bytes} bytes")
            handle.write(chunk)
        if size == 0:
            raise DownloadError(f"{url}: the body is empty")
        handle.seek(0)
        sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
    return sha256, size


def _nonempty(chunks: Iterable[bytes]) -> Iterator[bytes]:
    return (chunk for chunk in chunks if chunk)


def _copy_local_file(url: str, destination: Path, max_bytes: int) -> DownloadRecord:
    """A file:// URL, or a path (relative to the working directory: the repository root)."""
    source = Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))
    if not source.is_file():
        raise DownloadError(f"{url}: no such file {source}")
    with open(source, "rb") as handle:
        chunks = iter(lambda: handle.read(CHUNK_BYTES), b"")
        sha256, size = _write_checked(chunks, destination, max_bytes, url)
    return DownloadRecord(
        url=url,
        final_url=url,
        status=None,
        etag=None,
        last_modified=None,
        content_type=None,
        bytes=size,
        sha256=sha256,
    )


def _explain(error: requests.exceptions.RequestException, timeout: float, retries: int) -> str:
    """Say what went wrong in a person's terms: requests wraps urllib3, which wraps the
    socket error, and a retried failure arrives as a MaxRetryError in the middle."""
    chain = list(_exception_chain(error))
    cause = chain[-1]
    retried = any(isinstance(link, MaxRetryError) for link in chain)
    timeouts = (requests.exceptions.Timeout, Urllib3Timeout, TimeoutError)
    # Before the timeout test: urllib3's NewConnectionError subclasses its ConnectTimeoutError.
    if any(isinstance(link, NewConnectionError) for link in chain):
        what = "could not connect"
    elif any(isinstance(link, timeouts) for link in chain):
        what = f"no answer within {timeout:g} s"
    elif any(isinstance(link, ProtocolError) for link in chain):
        what = "the connection broke before the whole body arrived"
    elif isinstance(error, requests.exceptions.RetryError):
        what = "still failing"
    else:
        what = "failed"
    tries = f" after {retries} retries" if retried else ""
    return f"{what}{tries} ({type(cause).__name__}: {cause})"


def _no_answer(error: requests.exceptions.RequestException) -> bool:
    """True when no connection was made: refused, unresolved, or not in time (urllib3's
    NewConnectionError subclasses its ConnectTimeoutError)."""
    return any(isinstance(link, ConnectTimeoutError) for link in _exception_chain(error))


def _exception_chain(error: BaseException):
    """The exception and every exception it wraps, outermost first."""
    seen = set()
    while isinstance(error, BaseException) and id(error) not in seen:
        seen.add(id(error))
        yield error
        inner = getattr(error, "reason", None)
        if not isinstance(inner, BaseException) and error.args:
            inner = error.args[0]
        error = inner
