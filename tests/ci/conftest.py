"""What the CI tests share: the sources' upstream, served on loopback for a module's tests,
a git repository to work in, and the stand-in for GitHub's REST API (support/github_api.py),
one per test."""

from __future__ import annotations

import os

import pytest
from support import github_api
from support.gitrepo import Repository
from support.server import loopback_server
from support.upstream import Upstream


@pytest.fixture(scope="module")
def upstream():
    with loopback_server() as server:
        sources = Upstream(server)
        sources.serve()
        yield sources


@pytest.fixture
def github():
    """GitHub's REST API as GitHub describes it, on 127.0.0.1 (`github.url` is what
    GITHUB_API_URL is set to); skips, saying why, when the description is not installed.
    A test that leaves a violation (a call the description does not allow, or one the
    stand-in does not implement) fails, even if the client ignored the error it got."""
    reason = github_api.unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    with github_api.github_api() as server:
        yield server
        server.assert_no_violations()


@pytest.fixture
def repository(tmp_path, monkeypatch):
    """A real git repository, the current directory, with no git configuration of the
    machine's (a runner has none): the CI package's in-process tests work in it."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in [name for name in os.environ if name.startswith("GITHUB_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return Repository(tmp_path)
