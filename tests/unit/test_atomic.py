"""bikeflow.atomic: a file is replaced whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from bikeflow.atomic import atomic_open, atomic_path, write_text
from bikeflow.table_io import write_table


def leftovers(destination: Path) -> list[Path]:
    return sorted(destination.parent.glob(f".{destination.name}.*.tmp"))


@pytest.mark.parametrize("old", ["old content\n", None])
def test_failed_atomic_open_leaves_destination_untouched(tmp_path, old):
    destination = tmp_path / "out.csv"
    if old is not None:
        destination.write_text(old, encoding="utf-8")
    with pytest.raises(RuntimeError, match="boom"), atomic_open(destination) as handle:
        handle.write("new, half written")
        handle.flush()
        assert len(leftovers(destination)) == 1  # the data goes to a hidden temp file
        if old is not None:
            assert destination.read_text(encoding="utf-8") == old  # readers see the old one
        else:
            assert not destination.exists()
        raise RuntimeError("boom")
    if old is None:
        assert not destination.exists()
    else:
        assert destination.read_text(encoding="utf-8") == old
    assert leftovers(destination) == []


def test_failed_atomic_path_leaves_no_temp_file(tmp_path):
    destination = tmp_path / "sub" / "out.parquet"
    with pytest.raises(KeyError), atomic_path(destination) as tmp:
        tmp.write_bytes(b"partial")
        raise KeyError("x")
    assert not destination.exists()
    assert leftovers(destination) == []


def test_successful_write_replaces_and_cleans_up(tmp_path):
    destination = tmp_path / "new" / "dir" / "notes.txt"
    write_text(destination, "first\n")
    write_text(destination, "second\nline\n")
    assert destination.read_bytes() == b"second\nline\n"
    assert leftovers(destination) == []
    assert sorted(path.name for path in destination.parent.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("mode", ["r", "a", "rb"])
def test_atomic_open_refuses_modes_without_w(tmp_path, mode):
    with pytest.raises(ValueError, match="has no 'w'"), atomic_open(tmp_path / "x", mode):
        pass
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def umask():
    previous = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(previous)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_respect_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    write_text(tmp_path / "a.txt", "x\n")
    with atomic_open(tmp_path / "b.bin", "wb") as handle:
        handle.write(b"x")
    frame = pd.DataFrame({"a": [1]})
    write_table(frame, tmp_path / "c.csv", tmp_path / "c.parquet")
    for name in ("a.txt", "b.bin", "c.csv", "c.parquet"):
        assert (tmp_path / name).stat().st_mode & 0o777 == mode, name
