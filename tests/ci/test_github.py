"""The GitHub REST client (ci/github.py) in process, against a small HTTP server on loopback
that records each request and answers as a test scripts it."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ci.github import API_VERSION, DEFAULT_API_URL, GitHub, GitHubError, links, within

TOKEN = "ghs_test0123456789abcdef"


@dataclass
class Request:
    method: str
    path: str
    headers: Message  # read case-insensitively, as HTTP headers are
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: object = None  # JSON, or bytes as they are
    headers: dict[str, str] = field(default_factory=dict)


class API:
    """Answers by (method, path without query): a Reply, or a function of the request."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Reply | Callable[[Request], Reply]] = {}
        self.requests: list[Request] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.command, self.path, self.headers, self.rfile.read(length))
                api.requests.append(request)
                route = api.routes.get((self.command, self.path.split("?")[0]))
                reply = route(request) if callable(route) else route or Reply(404, {"x": 1})
                body = reply.body
                if not isinstance(body, bytes):
                    body = b"" if body is None else json.dumps(body).encode()
                self.send_response(reply.status)
                for name, value in {"Content-Length": str(len(body)), **reply.headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = answer  # noqa: N815 (http.server's naming)

            def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api() -> Iterator[API]:
    server = API()
    yield server
    server.close()


@pytest.fixture
def elsewhere() -> Iterator[API]:
    """Another host: the token must never reach it."""
    server = API()
    yield server
    server.close()


@pytest.fixture
def environment(monkeypatch, api: API) -> None:
    """A runner's environment, with the API at the test's server."""
    monkeypatch.setenv("GITHUB_API_URL", api.url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)


def test_the_api_address_and_token_come_from_the_runners_environment(api: API, environment):
    api.routes["GET", "/repos/o/r/issues/7"] = Reply(body={"number": 7, "state": "open"})
    assert GitHub().get("/repos/o/r/issues/7") == {"number": 7, "state": "open"}
    headers = api.requests[0].headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Accept"] == "application/vnd.github+json"
    assert headers["X-GitHub-Api-Version"] == API_VERSION == "2022-11-28"
    assert headers["User-Agent"]  # GitHub refuses requests without one


def test_without_github_api_url_the_client_talks_to_api_github_com(monkeypatch):
    monkeypatch.delenv("GITHUB_API_URL", raising=False)
    assert GitHub().api_url == DEFAULT_API_URL == "https://api.github.com"
    assert GitHub().url("/repos/o/r") == "https://api.github.com/repos/o/r"


def test_without_a_token_requests_are_anonymous(api: API, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    api.routes["GET", "/zen"] = Reply(body="Keep it logically awesome.")
    assert GitHub(api.url).get("/zen") == "Keep it logically awesome."
    assert "Authorization" not in api.requests[0].headers


def test_a_body_goes_as_json_and_the_answer_comes_back_decoded(api: API, environment):
    def create(request: Request) -> Reply:
        issue = json.loads(request.body)
        return Reply(201, {"number": 12, **issue})

    api.routes["POST", "/repos/o/r/issues"] = create
    issue = GitHub().post("/repos/o/r/issues", {"title": "Stale data", "labels": ["monitor"]})
    assert issue == {"number": 12, "title": "Stale data", "labels": ["monitor"]}
    assert api.requests[0].headers["Content-Type"] == "application/json"


def test_an_answer_without_content_is_none(api: API, environment):
    api.routes["PATCH", "/repos/o/r/issues/12"] = Reply(204)
    assert GitHub().patch("/repos/o/r/issues/12", {"state": "closed"}) is None
    assert json.loads(api.requests[0].body) == {"state": "closed"}


def test_a_list_is_read_page_after_page_by_the_link_header(api: API, environment):
    pages = {1: [{"number": 1}, {"number": 2}], 2: [{"number": 3}, {"number": 4}], 3: [{"n": 5}]}

    def page(request: Request) -> Reply:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.path).query)
        number = int(query.get("page", ["1"])[0])
        relations = {"next": number + 1} if number < 3 else {}
        relations["last"] = 3
        header = ", ".join(
            f'<{api.url}/repos/o/r/issues?state=open&per_page=100&page={n}>; rel="{rel}"'
            for rel, n in relations.items()
        )
        return Reply(body=pages[number], headers={"Link": header})

    api.routes["GET", "/repos/o/r/issues"] = page
    items = list(GitHub().paginate("/repos/o/r/issues", state="open"))
    assert items == [*pages[1], *pages[2], *pages[3]]
    assert len(api.requests) == 3
    assert "per_page=100" in api.requests[0].path and "state=open" in api.requests[0].path


def test_a_next_page_on_another_host_is_refused_and_gets_no_token(
    api: API, elsewhere: API, environment
):
    link = f'<{elsewhere.url}/repos/o/r/issues?page=2>; rel="next"'
    api.routes["GET", "/repos/o/r/issues"] = Reply(body=[{"number": 1}], headers={"Link": link})
    with pytest.raises(GitHubError, match="a next page outside"):
        list(GitHub().paginate("/repos/o/r/issues"))
    assert elsewhere.requests == []


def test_a_redirect_within_the_api_keeps_the_token_and_one_elsewhere_loses_it(
    api: API, elsewhere: API, environment
):
    api.routes["GET", "/repos/old/name"] = Reply(307, headers={"Location": "/repositories/42"})
    api.routes["GET", "/repositories/42"] = Reply(body={"id": 42})
    api.routes["GET", "/download"] = Reply(302, headers={"Location": f"{elsewhere.url}/blob"})
    elsewhere.routes["GET", "/blob"] = Reply(body={"ok": True})
    client = GitHub()
    assert client.get("/repos/old/name") == {"id": 42}
    assert api.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"
    assert client.get("/download") == {"ok": True}
    assert "Authorization" not in elsewhere.requests[0].headers


def test_a_download_follows_the_redirect_to_another_host_without_the_token(
    api: API, elsewhere: API, environment
):
    """GitHub's run logs: 302 to a signed URL on a storage host, bytes (a zip), not JSON."""
    signed = f"{elsewhere.url}/logs.zip?urlSignature=abc"
    api.routes["GET", "/repos/o/r/actions/runs/5/logs"] = Reply(302, headers={"Location": signed})
    elsewhere.routes["GET", "/logs.zip"] = Reply(body=b"PK\x03\x04 zip bytes")
    assert GitHub().download("/repos/o/r/actions/runs/5/logs") == b"PK\x03\x04 zip bytes"
    assert api.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in elsewhere.requests[0].headers
    assert elsewhere.requests[0].path == "/logs.zip?urlSignature=abc"


def test_a_download_larger_than_its_limit_is_an_error(api: API, environment):
    api.routes["GET", "/big"] = Reply(body=b"x" * 101)
    with pytest.raises(GitHubError, match="larger than 100 bytes"):
        GitHub().download("/big", limit=100)
    assert GitHub().download("/big", limit=101) == b"x" * 101


def test_a_refused_request_raises_with_the_status_and_githubs_message(api: API, environment):
    api.routes["POST", "/repos/o/r/issues"] = Reply(
        422,
        {
            "message": "Validation Failed",
            "errors": [{"resource": "Issue", "code": "missing_field", "field": "title"}],
            "documentation_url": "https://docs.github.com/rest/issues/issues#create-an-issue",
        },
    )
    with pytest.raises(GitHubError) as raised:
        GitHub().post("/repos/o/r/issues", {"body": "no title"})
    error = raised.value
    assert error.status == 422 and error.message == "Validation Failed"
    assert error.errors == [{"resource": "Issue", "code": "missing_field", "field": "title"}]
    assert str(error).startswith(f"POST {api.url}/repos/o/r/issues: HTTP 422: Validation Failed")
    assert "missing_field" in str(error)


def test_an_error_that_is_not_json_keeps_the_start_of_what_came_back(api: API, environment):
    api.routes["GET", "/repos/o/r"] = Reply(502, b"<html>Bad gateway</html>")
    with pytest.raises(GitHubError) as raised:
        GitHub().get("/repos/o/r")
    assert raised.value.status == 502 and raised.value.message == "<html>Bad gateway</html>"


def test_no_answer_at_all_is_a_github_error_without_a_status(api: API, environment):
    url = api.url
    api.close()
    with pytest.raises(GitHubError) as raised:
        GitHub(url, timeout=5).get("/repos/o/r")
    assert raised.value.status is None and "no answer" in str(raised.value)


def echo_credentials(request: Request) -> Reply:
    """A server (or a proxy) that repeats the request's credentials in its error message."""
    return Reply(401, {"message": f"Bad credentials: {request.headers['Authorization']}"})


def test_the_token_is_never_printed(api: API, environment):
    api.routes["GET", "/user"] = echo_credentials
    client = GitHub()
    with pytest.raises(GitHubError) as raised:
        client.get("/user")
    assert raised.value.status == 401
    assert raised.value.message == "Bad credentials: Bearer ***"
    shown = [str(raised.value), repr(raised.value), repr(client), str(vars(raised.value))]
    assert not any(TOKEN in text for text in shown)


def test_a_token_given_explicitly_is_redacted_too(api: API, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    other = "github_pat_explicit"
    api.routes["GET", "/user"] = echo_credentials
    with pytest.raises(GitHubError) as raised:
        GitHub(api.url, other).get("/user")
    assert other not in str(raised.value)
    assert raised.value.message == "Bad credentials: Bearer ***"


def test_an_address_outside_the_api_gets_no_request(api: API, elsewhere: API, environment):
    with pytest.raises(GitHubError, match="not an address of the API"):
        GitHub().get(f"{elsewhere.url}/repos/o/r")
    assert elsewhere.requests == []


def test_link_headers_are_read_by_relation():
    header = (
        '<https://api.github.com/repositories/1/issues?page=2>; rel="next", '
        '<https://api.github.com/repositories/1/issues?page=5>; rel="last"'
    )
    assert links(header) == {
        "next": "https://api.github.com/repositories/1/issues?page=2",
        "last": "https://api.github.com/repositories/1/issues?page=5",
    }
    assert links(None) == {} and links("") == {}


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        ("https://github.example.com/api/v3/repos/o/r", True),
        ("https://github.example.com/api/v3", True),
        ("https://github.example.com/api/v30/repos", False),
        ("https://github.example.com/repos/o/r", False),
        ("http://github.example.com/api/v3/repos/o/r", False),
        ("https://github.example.com:8443/api/v3/repos/o/r", False),
        ("https://evil.example.com/api/v3/repos/o/r", False),
    ],
)
def test_within_an_enterprise_servers_api(url: str, inside: bool):
    assert within(url, "https://github.example.com/api/v3") is inside
