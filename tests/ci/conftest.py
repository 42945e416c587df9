"""What the CI tests share: the sources' upstream, served on loopback for a module's tests,
and a git repository to work in."""

from __future__ import annotations

import os

import pytest
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
def repository(tmp_path, monkeypatch):
    """A real git repository, the current directory, with no git configuration of the
    machine's (a runner has none): the CI package's in-process tests work in it."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in [name for name in os.environ if name.startswith("GITHUB_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return Repository(tmp_path)
