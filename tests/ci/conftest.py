"""What the CI tests share: the sources' upstream, served on loopback for a module's tests."""

from __future__ import annotations

import pytest
from support.server import loopback_server
from support.upstream import Upstream


@pytest.fixture(scope="module")
def upstream():
    with loopback_server() as server:
        sources = Upstream(server)
        sources.serve()
        yield sources
