"""A small client of GitHub's REST API, over urllib: for the steps that talk to GitHub
(issues opened, commented and closed by the monitors; a pull request's comment, from the
logs of the run that previewed it).

It follows GitHub's conventions as GitHub's own toolkit does: the API's address from
GITHUB_API_URL (set on every runner: https://api.github.com, another on GitHub Enterprise
Server, a local server in a test), the token from GITHUB_TOKEN, JSON in and out, the media
type and API version headers, and lists paged by the Link header. A request that fails
raises GitHubError with the HTTP status and GitHub's own message.

The token goes to the API's own address only: not to a host a redirect or a Link header
names. It is never printed: errors are redacted (redact.py, shared with git's messages),
and the client's repr does not show it. No retries: a caller that wants them (GitHub's
secondary rate limits answer 403 or 429 with Retry-After) decides what is safe to repeat.

    api = GitHub()
    issue = api.post("/repos/OWNER/REPO/issues", {"title": "Stale data", "body": "..."})
    for issue in api.paginate("/repos/OWNER/REPO/issues", state="open", labels="monitor"):
        ...
    logs = api.download("/repos/OWNER/REPO/actions/runs/RUN_ID/logs")  # bytes (a zip)
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message

from .redact import redacted

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
MEDIA_TYPE = "application/vnd.github+json"
USER_AGENT = "fremont-bridge-ci"
PAGE_SIZE = 100  # GitHub's largest
DOWNLOAD_LIMIT = 200_000_000  # bytes; a run's logs, zipped, are rarely above a few MB
LINK = re.compile(r'<([^>]*)>\s*;\s*rel="([^"]*)"')


class GitHubError(RuntimeError):
    """A request GitHub refused or that did not reach it. `status` is the HTTP status
    (None when there was no answer), `message` GitHub's own message, `errors` the details
    GitHub gives with some of them (422 Validation Failed: which field, what is wrong)."""

    def __init__(
        self,
        method: str,
        url: str,
        status: int | None,
        message: str,
        errors: list | None = None,
        secret: str | None = None,
    ) -> None:
        self.method, self.url, self.status = method, url, status
        self.message = redacted(message, secret)
        self.errors = errors or []
        answer = f"HTTP {status}: " if status is not None else ""
        details = f" {json.dumps(self.errors)}" if self.errors else ""
        super().__init__(redacted(f"{method} {url}: {answer}{self.message}{details}", secret))


def links(header: str | None) -> dict[str, str]:
    """The URLs of a Link header by relation (next, last, prev, first)."""
    found = {}
    for url, relations in LINK.findall(header or ""):
        for relation in relations.split():
            found[relation] = url
    return found


def within(url: str, base: str) -> bool:
    """Whether `url` is at or below `base` (same scheme, host, port and path prefix)."""
    target, root = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
    prefix = root.path.rstrip("/") + "/"
    return (target.scheme, target.netloc) == (root.scheme, root.netloc) and (
        target.path + "/"
    ).startswith(prefix)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Redirects keep the token only while they stay within the API (GitHub redirects a
    renamed repository's URLs to /repositories/ID/...); urllib would otherwise drop it."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        authorization = req.unredirected_hdrs.get("Authorization")
        if new is not None and authorization and within(newurl, self.api_url):
            new.add_unredirected_header("Authorization", authorization)
        return new


class GitHub:
    """GitHub's REST API at `api_url` (default: $GITHUB_API_URL, else api.github.com),
    with `token` (default: $GITHUB_TOKEN; none: anonymous requests)."""

    def __init__(
        self, api_url: str | None = None, token: str | None = None, *, timeout: float = 30
    ) -> None:
        api_url = api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL
        self.api_url = api_url.rstrip("/")
        self._token = token if token is not None else os.environ.get("GITHUB_TOKEN") or None
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_Redirects(self.api_url))

    def __repr__(self) -> str:
        token = "***" if self._token else "none"
        return f"GitHub(api_url={self.api_url!r}, token={token})"

    def url(self, path: str, params: dict | None = None) -> str:
        """The API's URL of `path` (absolute URLs are taken as they are), with `params`."""
        url = path if "://" in path else f"{self.api_url}/{path.lstrip('/')}"
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        return url

    def request(
        self, method: str, path: str, body: object = None, params: dict | None = None
    ) -> object:
        """One request; returns the decoded JSON answer (None when there is none)."""
        data, _ = self._send(method, self.url(path, params), body)
        return data

    def get(self, path: str, **params) -> object:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: object) -> object:
        return self.request("POST", path, body)

    def patch(self, path: str, body: object) -> object:
        return self.request("PATCH", path, body)

    def paginate(self, path: str, **params) -> Iterator:
        """Every item of a list, page after page, following the Link header's `next`."""
        url: str | None = self.url(path, {"per_page": PAGE_SIZE, **params})
        while url:
            page, headers = self._send("GET", url, None)
            if not isinstance(page, list):
                raise self._failure("GET", url, None, "the answer is not a list")
            yield from page
            url = links(headers.get("Link")).get("next")
            if url and not within(url, self.api_url):
                raise self._failure("GET", url, None, f"a next page outside {self.api_url}")

    def download(self, path: str, limit: int = DOWNLOAD_LIMIT) -> bytes:
        """The bytes at `path`, following GitHub's redirect to wherever it keeps them (run
        logs: a signed URL on another host, valid for a minute, which gets no token); more
        than `limit` bytes is an error."""
        url = self.url(path)
        content, _ = self._open("GET", url, None, limit)
        return content

    def _send(self, method: str, url: str, body: object) -> tuple[object, Message]:
        content, headers = self._open(method, url, body)
        try:
            return (json.loads(content) if content.strip() else None), headers
        except ValueError:
            raise self._failure(method, url, None, "the answer is not JSON") from None

    def _open(
        self, method: str, url: str, body: object, limit: int | None = None
    ) -> tuple[bytes, Message]:
        if not within(url, self.api_url):
            raise self._failure(method, url, None, f"not an address of the API at {self.api_url}")
        request = urllib.request.Request(url, method=method)
        request.add_header("Accept", MEDIA_TYPE)
        request.add_header("X-GitHub-Api-Version", API_VERSION)
        request.add_header("User-Agent", USER_AGENT)
        if self._token:
            request.add_unredirected_header("Authorization", f"Bearer {self._token}")
        if body is not None:
            request.data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(request, timeout=self.timeout) as answer:
                content = answer.read() if limit is None else answer.read(limit + 1)
                headers = answer.headers
        except urllib.error.HTTPError as error:
            with error:
                raise self._error(method, url, error) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise self._failure(method, url, None, f"no answer ({reason})") from None
        if limit is not None and len(content) > limit:
            raise self._failure(method, url, None, f"the answer is larger than {limit:,} bytes")
        return content, headers

    def _failure(
        self, method: str, url: str, status: int | None, message: str, errors: list | None = None
    ) -> GitHubError:
        return GitHubError(method, url, status, message, errors, secret=self._token)

    def _error(self, method: str, url: str, error: urllib.error.HTTPError) -> GitHubError:
        """GitHub's message from an error's JSON body ({"message", "errors",
        "documentation_url"}), else the start of whatever came back."""
        content = error.read()
        try:
            payload = json.loads(content)
        except ValueError:
            payload = None
        if isinstance(payload, dict) and "message" in payload:
            message, errors = str(payload["message"]), payload.get("errors")
        else:
            text = content.decode("utf-8", "replace").strip()
            message, errors = (text[:200] or str(error.reason)), None
        return self._failure(method, url, error.code, message, errors)
