"""A real HTTP server on 127.0.0.1 for download tests, serving scripted answers.

Each path has a list of answers served in turn (the last one repeats), so a test can say
"503 twice, then the file". Every request is recorded, with its headers. An answer with an
ETag or a Last-Modified date answers a matching conditional request (If-None-Match,
If-Modified-Since) with 304 Not Modified, as a static file server does, unless it is told
to ignore them. Nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    """One scripted response."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Send Content-Length for the whole body but stop after this many bytes.
    truncate_at: int | None = None
    # Wait this long before answering (a hanging server).
    delay_seconds: float = 0.0
    # Validators sent with the body; a conditional request that matches them gets a 304.
    etag: str | None = None
    last_modified: str | None = None  # an HTTP date
    honours_conditional_requests: bool = True

    def not_modified_for(self, request_headers) -> bool:
        """Whether a conditional request with these headers gets 304 (RFC 9110 13.2.2:
        If-None-Match decides when present, else If-Modified-Since)."""
        if not self.honours_conditional_requests:
            return False
        if_none_match = request_headers.get("If-None-Match")
        if if_none_match is not None:
            return self.etag is not None and self.etag in [
                tag.strip() for tag in if_none_match.split(",")
            ]
        since = request_headers.get("If-Modified-Since")
        if since is None or self.last_modified is None:
            return False
        return parsedate_to_datetime(self.last_modified) <= parsedate_to_datetime(since)


class LoopbackServer:
    """Scripted answers per path; `requests` lists the paths requested, in order, with
    their headers and when they arrived (time.monotonic())."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Answer]] = {}
        self.requests: list[str] = []
        self.request_headers: list[dict[str, str]] = []
        self.request_times: list[float] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._stopping = threading.Event()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def script(self, path: str, *answers: Answer) -> str:
        """Serve `answers` in turn at `path`; returns its URL."""
        with self._lock:
            self.routes[path] = list(answers)
        return self.url(path)

    def serve_file(self, path: str, body: bytes, content_type: str = "text/csv") -> str:
        return self.script(path, Answer(body=body, headers={"Content-Type": content_type}))

    def _next_answer(self, path: str, headers) -> Answer | None:
        with self._lock:
            self.requests.append(path)
            self.request_headers.append(dict(headers))
            self.request_times.append(time.monotonic())
            answers = self.routes.get(path)
            if not answers:
                return None
            return answers.pop(0) if len(answers) > 1 else answers[0]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                answer = server._next_answer(self.path, self.headers)
                if answer is None:
                    answer = Answer(status=404, body=b"not found")
                if answer.delay_seconds:
                    server._stopping.wait(answer.delay_seconds)
                validators = {"ETag": answer.etag, "Last-Modified": answer.last_modified}
                validators = {name: value for name, value in validators.items() if value}
                if answer.status == 200 and answer.not_modified_for(self.headers):
                    self.send_response(304)
                    for name, value in validators.items():
                        self.send_header(name, value)
                    self.end_headers()
                    return
                self.send_response(answer.status)
                headers = {"Content-Length": str(len(answer.body)), **validators, **answer.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                body = answer.body
                if answer.truncate_at is not None:
                    body = body[: answer.truncate_at]
                try:
                    self.wfile.write(body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to do
                if answer.truncate_at is not None:
                    self.close_connection = True

            def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
                pass  # keep test output quiet

        return Handler

    def start(self) -> None:
        # A short poll: stop() returns at once rather than after half a second.
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()


@contextlib.contextmanager
def loopback_server() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
