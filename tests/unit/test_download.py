"""download(): real HTTP against a scripted server on 127.0.0.1, and file:// copies.

Every failure must raise DownloadError with a message a person can act on, and leave the
destination exactly as it was: absent, or holding its old bytes, with no temp file beside it.
"""

from __future__ import annotations

import hashlib
import re
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from support.data import fremont_rows, fremont_text
from support.server import Answer, LoopbackServer, loopback_server

from bikeflow.download import DownloadError, DownloadRecord, download

CSV = fremont_text(fremont_rows(date(2021, 1, 4), 2)).encode()
CSV_HEADERS = {"Content-Type": "text/csv; charset=utf-8"}
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body></body></html>"
OLD_BYTES = b"Date,Total\n01/01/2020 12:00:00 AM,1\n"
MAX_BYTES = 1_000_000
SMALL_CAP = 100
TIMEOUT_SECONDS = 0.5
HANG_SECONDS = 3.0  # longer than TIMEOUT_SECONDS; the server thread then finishes on its own


def fetch(
    url: str, destination: Path, *, max_bytes: int = MAX_BYTES, retries: int = 2
) -> DownloadRecord:
    """download() with tiny backoff and a short timeout, so retries cost milliseconds."""
    return download(
        url,
        destination,
        max_bytes=max_bytes,
        timeout_seconds=TIMEOUT_SECONDS,
        retries=retries,
        backoff_factor=0.01,
        backoff_max=0.05,
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def server():
    """One server for the module (stopping one takes half a second); each test has its own
    paths on it, so its requests can be told apart."""
    with loopback_server() as running:
        yield running


@pytest.fixture
def path() -> str:
    return unique_path()


def unique_path() -> str:
    return f"/{uuid.uuid4().hex}/fremont.csv"


def requests_to(server: LoopbackServer, *paths: str) -> list[str]:
    """The requests this test made, in order."""
    return [requested for requested in server.requests if requested in paths]


@pytest.fixture
def destination(tmp_path: Path) -> Path:
    """Where the download goes, in a directory of its own (a nested one that does not exist
    yet), so a leftover temp file shows up in a plain listing."""
    return tmp_path / "data" / "raw" / "fremont.csv"


def source_file(tmp_path: Path, content: bytes | None) -> str:
    """A file:// URL (with spaces to escape) to `content`; None: the file does not exist."""
    path = tmp_path / "source dir" / "fremont export.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    if content is not None:
        path.write_bytes(content)
    return path.as_uri()


def closed_port_url() -> str:
    """A loopback URL nobody listens on: bind a free port, then release it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/fremont.csv"


def assert_record(record: DownloadRecord, *, url: str, final_url: str, body: bytes) -> None:
    assert record.url == url
    assert record.final_url == final_url
    assert record.bytes == len(body)
    assert record.sha256 == sha256(body)


# --- success -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(
            {
                **CSV_HEADERS,
                "ETag": '"5f2b-1a2b3c"',
                "Last-Modified": "Mon, 04 Jan 2021 08:00:00 GMT",
            },
            id="with-validators",
        ),
        pytest.param({"Content-Type": "application/octet-stream"}, id="without-validators"),
    ],
)
@pytest.mark.parametrize("old", [None, OLD_BYTES], ids=["new-file", "replaces-old-file"])
def test_success_writes_the_body_and_describes_it(
    server: LoopbackServer,
    path: str,
    destination: Path,
    headers: dict[str, str],
    old: bytes | None,
):
    if old is not None:
        destination.parent.mkdir(parents=True)
        destination.write_bytes(old)
    url = server.script(path, Answer(body=CSV, headers=headers))

    record = fetch(url, destination)

    assert destination.read_bytes() == CSV
    assert sorted(p.name for p in destination.parent.iterdir()) == [destination.name]
    assert_record(record, url=url, final_url=url, body=CSV)
    assert record.status == 200
    assert record.etag == headers.get("ETag")
    assert record.last_modified == headers.get("Last-Modified")
    assert record.content_type == headers["Content-Type"]
    assert requests_to(server, path) == [path]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_is_followed_and_final_url_is_the_target(
    server: LoopbackServer, path: str, destination: Path, status: int
):
    target = server.script(path, Answer(body=CSV, headers=CSV_HEADERS))
    latest = unique_path()
    url = server.script(latest, Answer(status=status, headers={"Location": path}))

    record = fetch(url, destination)

    assert destination.read_bytes() == CSV
    assert_record(record, url=url, final_url=target, body=CSV)
    assert record.status == 200
    assert requests_to(server, latest, path) == [latest, path]


@pytest.mark.parametrize(
    "statuses",
    [(503, 503), (500,), (502, 504), (429,)],
    ids=lambda statuses: "-".join(map(str, statuses)),
)
def test_transient_errors_are_retried_until_the_file_comes(
    server: LoopbackServer, path: str, destination: Path, statuses: tuple[int, ...]
):
    failures = [Answer(status=status, body=b"try again later") for status in statuses]
    url = server.script(path, *failures, Answer(body=CSV, headers=CSV_HEADERS))

    record = fetch(url, destination, retries=2)

    assert destination.read_bytes() == CSV
    assert record.status == 200
    assert requests_to(server, path) == [path] * (len(statuses) + 1)


def http_date_in_an_hour() -> str:
    return format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize(
    "retry_after", [lambda: "3600", http_date_in_an_hour], ids=["seconds", "http-date"]
)
def test_retry_after_of_an_hour_is_capped_at_backoff_max(
    server: LoopbackServer,
    path: str,
    destination: Path,
    status: int,
    retry_after: Callable[[], str],
):
    # Without the cap this test would sleep for an hour; with it, it takes backoff_max.
    busy = Answer(status=status, headers={"Retry-After": retry_after()})
    url = server.script(path, busy, Answer(body=CSV, headers=CSV_HEADERS))

    record = fetch(url, destination, retries=1)

    assert destination.read_bytes() == CSV
    assert record.sha256 == sha256(CSV)
    assert requests_to(server, path) == [path, path]


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_a_body_of_exactly_max_bytes_is_accepted(
    server: LoopbackServer, path: str, tmp_path: Path, destination: Path, scheme: str
):
    if scheme == "http":
        url = server.script(path, Answer(body=CSV, headers=CSV_HEADERS))
    else:
        url = source_file(tmp_path, CSV)

    record = fetch(url, destination, max_bytes=len(CSV))

    assert destination.read_bytes() == CSV
    assert record.bytes == len(CSV)


def test_file_url_is_copied_with_the_same_record(tmp_path: Path, destination: Path):
    url = source_file(tmp_path, CSV)

    record = fetch(url, destination)

    assert destination.read_bytes() == CSV
    assert_record(record, url=url, final_url=url, body=CSV)
    assert record.status is None
    assert record.etag is None
    assert record.last_modified is None
    assert record.content_type is None


# --- failures ----------------------------------------------------------------------------

# (server, this test's path on it, tmp_path) -> the URL to download
UrlMaker = Callable[[LoopbackServer, str, Path], str]


def scripted(*answers: Answer) -> UrlMaker:
    return lambda server, path, tmp_path: server.script(path, *answers)


def local(content: bytes | None) -> UrlMaker:
    return lambda server, path, tmp_path: source_file(tmp_path, content)


@dataclass(frozen=True)
class Failure:
    make_url: UrlMaker
    # Regular expressions the message must contain (case-insensitive), besides the URL.
    says: tuple[str, ...]
    # How many times the server is asked; None when it is not the server being asked.
    requests: int | None = None
    retries: int = 2
    max_bytes: int = MAX_BYTES


FAILURES = {
    "http-404": Failure(scripted(Answer(404, b"not found")), (r"HTTP 404",), requests=1),
    "http-403": Failure(scripted(Answer(403, b"forbidden")), (r"HTTP 403",), requests=1),
    "http-500-forever": Failure(
        scripted(Answer(500, b"oops")),
        (r"still failing after 2 retries", r"\b500\b"),
        requests=3,
    ),
    "http-500-no-retries": Failure(
        scripted(Answer(500, b"oops")),
        (r"still failing after 0 retries", r"\b500\b"),
        requests=1,
        retries=0,
    ),
    "http-503-forever": Failure(
        scripted(Answer(503, b"down")),
        (r"still failing after 3 retries", r"\b503\b"),
        requests=4,
        retries=3,
    ),
    "http-429-forever-retry-after-an-hour": Failure(
        scripted(Answer(429, b"slow down", headers={"Retry-After": "3600"})),
        (r"still failing after 2 retries", r"\b429\b"),
        requests=3,
    ),
    "html-content-type": Failure(
        scripted(
            Answer(
                body=b"<body><h1>Temporarily unavailable</h1></body>",
                headers={"Content-Type": "text/html; charset=utf-8"},
            )
        ),
        (r"HTML page", r"text/html"),
        requests=1,
    ),
    "html-body-served-as-csv": Failure(
        scripted(Answer(body=HTML_PAGE, headers={"Content-Type": "text/csv"})),
        (r"HTML",),
        requests=1,
    ),
    "html-body-after-whitespace": Failure(
        scripted(
            Answer(
                body=b"\r\n  <HTML><body>Service unavailable</body></HTML>",
                headers={"Content-Type": "application/octet-stream"},
            )
        ),
        (r"HTML",),
        requests=1,
    ),
    "truncated-body": Failure(
        scripted(Answer(body=CSV, headers=CSV_HEADERS, truncate_at=len(CSV) // 2)),
        (r"the connection broke before the whole body arrived", r"more expected"),
    ),
    "hanging-server": Failure(
        scripted(Answer(body=CSV, headers=CSV_HEADERS, delay_seconds=HANG_SECONDS)),
        (r"no answer within .* s after 1 retries", r"timed out"),
        requests=2,
        retries=1,
    ),
    "empty-body": Failure(scripted(Answer(body=b"", headers=CSV_HEADERS)), (r"empty",), requests=1),
    "content-length-over-cap": Failure(
        scripted(Answer(body=CSV, headers=CSV_HEADERS)),
        (rf"Content-Length {len(CSV)} exceeds the cap of {SMALL_CAP} bytes",),
        requests=1,
        max_bytes=SMALL_CAP,
    ),
    "connection-refused": Failure(
        lambda *_: closed_port_url(), (r"could not connect after \d+ retries", r"refused")
    ),
    # .invalid never resolves (RFC 6761): a DNS failure without leaving the machine.
    "dns-failure": Failure(
        lambda *_: "http://no-such-host.invalid/export.csv",
        (r"could not connect after \d+ retries", r"NameResolutionError"),
    ),
    "file-missing": Failure(local(None), (r"no such file",)),
    "file-over-cap": Failure(
        local(CSV), (rf"exceeds the cap of {SMALL_CAP} bytes",), max_bytes=SMALL_CAP
    ),
    "file-empty": Failure(local(b""), (r"empty",)),
    "file-html": Failure(local(HTML_PAGE), (r"HTML",)),
    "unsupported-scheme": Failure(
        lambda *_: "ftp://ftp.example.org/fremont.csv",
        (r"unsupported URL scheme 'ftp'",),
    ),
}


@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
@pytest.mark.parametrize("old", [None, OLD_BYTES], ids=["no-old-file", "keeps-old-file"])
def test_failure_raises_a_clear_error_and_leaves_the_destination_as_it_was(
    server: LoopbackServer,
    path: str,
    tmp_path: Path,
    destination: Path,
    failure: Failure,
    old: bytes | None,
):
    destination.parent.mkdir(parents=True)
    if old is not None:
        destination.write_bytes(old)
    url = failure.make_url(server, path, tmp_path)

    with pytest.raises(DownloadError) as raised:
        fetch(url, destination, max_bytes=failure.max_bytes, retries=failure.retries)

    message = str(raised.value)
    assert url in message
    for pattern in failure.says:
        assert re.search(pattern, message, re.IGNORECASE), f"{pattern!r} not in {message!r}"
    if failure.requests is not None:
        assert requests_to(server, path) == [path] * failure.requests
    # The destination is untouched, and nothing else (no `.fremont.csv.*.tmp`) is left beside it.
    if old is None:
        assert not destination.exists()
        assert list(destination.parent.iterdir()) == []
    else:
        assert destination.read_bytes() == old
        assert [p.name for p in destination.parent.iterdir()] == [destination.name]


def test_hanging_server_message_says_how_long_it_waited(
    server: LoopbackServer, path: str, destination: Path
):
    url = server.script(path, Answer(body=CSV, delay_seconds=HANG_SECONDS))

    with pytest.raises(DownloadError, match=rf"no answer within {TIMEOUT_SECONDS:g} s"):
        fetch(url, destination, retries=0)
