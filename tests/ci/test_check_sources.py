"""ci/check_sources.py in process: how a source is asked, what its answer means, and when
the check cannot tell; against a real HTTP server on loopback (tests/support/server.py)."""

from __future__ import annotations

import hashlib
import urllib.request

import pytest
from support.server import LoopbackServer, loopback_server

from ci.check_sources import digest

# More than one read of hashlib.file_digest's buffer (256 KiB), and not a multiple of it.
BODY = b"date,total\n" + b"".join(b"2024-01-%02d,%d\n" % (1 + i % 28, i) for i in range(40_000))


@pytest.fixture
def server():
    with loopback_server() as running:
        yield running


def test_the_digest_of_an_answer_is_its_sha256_and_size(server: LoopbackServer):
    url = server.serve_file("/counts.csv", BODY)
    assert len(BODY) > 1 << 18
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert digest(answer) == (hashlib.sha256(BODY).hexdigest(), len(BODY))


def test_the_digest_of_a_file_url_is_its_sha256_and_size(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_bytes(BODY)
    with urllib.request.urlopen(path.as_uri()) as answer:
        assert digest(answer) == (hashlib.sha256(BODY).hexdigest(), len(BODY))
