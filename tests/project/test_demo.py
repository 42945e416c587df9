"""The demo's sources (.test/data/) are what tests/support/demo.py makes from the fixtures."""

from __future__ import annotations

from support.demo import demo_files
from support.workflow import REPOSITORY


def test_committed_demo_sources_are_the_generated_fixtures():
    stale = [
        path.relative_to(REPOSITORY).as_posix()
        for path, content in demo_files().items()
        if not path.is_file() or path.read_bytes() != content
    ]
    assert not stale, f"regenerate with: .venv/bin/python tests/support/demo.py ({stale})"
