"""Bad data arriving at a refresh, through the real workflow: every case made from the real
formats, served by the loopback upstream, fetched by real Snakemake on top of results built
from good data. Each must stop the run with a message naming the source and, where there is
one, the row and field; keep the full report; and leave every published output downstream of
the bad input exactly as it was. Data that is usable (extra or reordered columns, values that
failed GHCN's quality control) goes through, with what happened recorded in the results."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from support.data import (
    COUNTS_DAYS,
    COUNTS_START,
    FREMONT_HEADER,
    GHCN_HEADER,
    WEATHER_DAYS,
    WEATHER_START,
    counts_fixture,
    drop_column,
    fremont_rows,
    fremont_text,
    ghcn_row,
    ghcn_rows,
    ghcn_text,
    weather_fixture,
)
from support.server import Answer, LoopbackServer, loopback_server
from support.workflow import copy_repository, file_digests, fixture_config, snakemake, write_config

pytestmark = pytest.mark.workflow

TOTAL, WEST, EAST = FREMONT_HEADER[1:]
PATHS = {"fremont_bridge": "/fremont.csv", "seatac_weather": "/ghcnd.csv"}


def counts(mutate=None) -> bytes:
    rows = fremont_rows(COUNTS_START, COUNTS_DAYS)
    header = list(FREMONT_HEADER)
    if mutate:
        header, rows = mutate(header, rows)
    return fremont_text(rows, header).encode()


def weather(mutate=None) -> bytes:
    rows = ghcn_rows(WEATHER_START, WEATHER_DAYS)
    if mutate:
        rows = mutate(rows)
    return ghcn_text(rows).encode()


def set_row(index: int, values: list[str]):
    def mutate(header, rows):
        rows[index][1:] = values
        return header, rows

    return mutate


def renamed(old_names: list[str]):
    def mutate(header, rows):
        return ["Date", *old_names], rows

    return mutate


def cut_mid_row() -> bytes:
    text = counts().decode()
    return text[: text.rindex("\n", 0, len(text) - 1) + 12].encode()  # ends inside a row


def non_utf8() -> bytes:
    text = counts()
    position = text.index(b"\n", 5000) + 1
    return text[:position] + b"10/02/2020 \xff\xfe:00:00 AM,1,0,1\n" + text[position:]


def ghcn_quality_flag(rows):
    flagged_day = (date(2021, 2, 3) - WEATHER_START).days
    row = ghcn_row(date(2021, 2, 3))
    row[GHCN_HEADER.index("TMAX_ATTRIBUTES")] = ",X,W,2400"  # failed the outlier check
    rows[flagged_day] = row
    return rows


# (source, served bytes, fragments the failure message must contain)
FAILING = {
    "renamed-columns": (
        "fremont_bridge",
        counts(renamed(["Fremont Bridge Total", "Fremont Bridge West", "Fremont Bridge East"])),
        [f"field '{TOTAL}': missing-label"],
    ),
    "negative-count": (
        "fremont_bridge",
        counts(set_row(40, ["-4", "0", "-4"])),
        ["row 42", f"field '{TOTAL}'", "minimum", "'-4'"],
    ),
    "fractional-count": (
        "fremont_bridge",
        counts(set_row(40, ["2.5", "1.5", "1"])),
        ["row 42", f"field '{TOTAL}'", "type-error", "'2.5'"],
    ),
    "text-count": (
        "fremont_bridge",
        counts(set_row(40, ["many", "1", "1"])),
        ["row 42", f"field '{TOTAL}'", "'many'"],
    ),
    "duplicated-timestamp": (
        "fremont_bridge",
        counts(lambda header, rows: (header, rows[:100] + [rows[50]] + rows[100:])),
        ["row 102", "primary-key"],
    ),
    "duplicated-block": (
        "fremont_bridge",
        counts(lambda header, rows: (header, rows + rows[-48:])),
        [f"row {len(fremont_rows(COUNTS_START, COUNTS_DAYS)) + 2}", "primary-key"],
    ),
    "sum-mismatch": (
        "fremont_bridge",
        counts(set_row(40, ["100", "10", "20"])),
        ["row 42", "row-constraint", f'"{TOTAL}" is 100'],
    ),
    "other-timestamp-format": (
        "fremont_bridge",
        counts(
            lambda header, rows: (
                header,
                rows[:40] + [["2020-01-02T16:00:00", *rows[40][1:]]] + rows[41:],
            )
        ),
        ["row 42", "field 'Date'", "type-error"],
    ),
    "header-only": ("fremont_bridge", fremont_text([]).encode(), ["table-dimensions"]),
    "cut-mid-row": ("fremont_bridge", cut_mid_row(), ["missing-cell"]),
    "non-utf8": ("fremont_bridge", non_utf8(), ["encoding-error"]),
    "ghcn-missing-tmax": (
        "seatac_weather",
        drop_column(weather_fixture().decode(), "TMAX").encode(),
        ["field 'TMAX': missing-label"],
    ),
    "ghcn-duplicate-date": (
        "seatac_weather",
        weather(lambda rows: rows + [rows[-1]]),
        [f"row {WEATHER_DAYS + 2}", "primary-key"],
    ),
}
# Refused by the download itself (no file is kept at all).
REFUSED = {
    "empty-body": ("fremont_bridge", Answer(body=b""), "the body is empty"),
    "html-page": (
        "fremont_bridge",
        Answer(body=b"<!DOCTYPE html><html>Error</html>", headers={"Content-Type": "text/html"}),
        "HTML page",
    ),
}


@pytest.fixture(scope="module")
def upstream():
    with loopback_server() as server:
        yield server


def serve_good(server: LoopbackServer) -> dict[str, str]:
    return {
        "fremont_bridge": server.serve_file(PATHS["fremont_bridge"], counts_fixture()),
        "seatac_weather": server.serve_file(PATHS["seatac_weather"], weather_fixture()),
    }


@pytest.fixture(scope="module")
def published(tmp_path_factory, upstream: LoopbackServer) -> Path:
    workdir = copy_repository(tmp_path_factory.mktemp("published") / "repository")
    write_config(workdir, fixture_config(serve_good(upstream)))
    run = snakemake(workdir, "--configfile", "test-overrides.yaml")
    assert run.returncode == 0, run.output
    return workdir


@pytest.fixture
def workdir(published: Path, tmp_path: Path, upstream: LoopbackServer) -> Path:
    serve_good(upstream)
    return Path(shutil.copytree(published, tmp_path / "repository", symlinks=True))


def refresh(workdir: Path):
    return snakemake(workdir, "--configfile", "test-overrides.yaml", "--forcerun", "download")


def downstream_of(source: str, results: dict[str, bytes]) -> dict[str, bytes]:
    """Every published output except the failing source's own validation report."""
    return {
        path: data for path, data in results.items() if not path.startswith(f"validation/{source}.")
    }


@pytest.mark.parametrize("case", FAILING)
def test_bad_source_stops_the_run_and_changes_nothing_downstream(
    case: str, workdir: Path, upstream: LoopbackServer
):
    source, body, fragments = FAILING[case]
    before = file_digests(workdir / "results")
    upstream.serve_file(PATHS[source], body)

    run = refresh(workdir)

    assert run.returncode != 0
    lines = [line for line in run.output.splitlines() if line.startswith("  - ")]
    assert f"{source}: failed validation with" in run.output
    assert any(all(part in line for part in fragments) for line in lines), run.output
    assert f"Full report: logs/validate/{source}.report.json" in run.output
    report = json.loads((workdir / f"logs/validate/{source}.report.json").read_text())
    assert report["valid"] is False
    assert (workdir / f"logs/validate/{source}.summary.md").is_file()
    after = file_digests(workdir / "results")
    assert downstream_of(source, after) == downstream_of(source, before)


@pytest.mark.parametrize("case", REFUSED)
def test_refused_download_keeps_no_file_and_changes_nothing(
    case: str, workdir: Path, upstream: LoopbackServer
):
    source, answer, message = REFUSED[case]
    before = file_digests(workdir / "results")
    upstream.script(PATHS[source], answer)

    run = refresh(workdir)

    assert run.returncode != 0
    assert f"{source}: download failed" in run.output and message in run.output
    assert not (workdir / f"resources/raw/{source}.csv").exists()
    assert file_digests(workdir / "results") == before


def test_reordered_and_extra_columns_are_usable(workdir: Path, upstream: LoopbackServer):
    """West and East in the other order (as some exports had them), an extra column: matched
    by name, so the daily table is exactly what the original order gave."""
    before = (workdir / "results/tables/daily.csv").read_bytes()
    table = list(csv.reader(io.StringIO(counts_fixture().decode())))
    order = [0, 2, 1, 3]
    reordered = [[row[i] for i in order] + ["x"] for row in table]
    reordered[0][-1] = "Counter firmware"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(reordered)
    upstream.serve_file(PATHS["fremont_bridge"], buffer.getvalue().encode())

    run = refresh(workdir)

    assert run.returncode == 0, run.output
    assert (workdir / "results/tables/daily.csv").read_bytes() == before


def test_values_failing_ghcn_quality_control_are_dropped_and_reported(
    workdir: Path, upstream: LoopbackServer
):
    upstream.serve_file(PATHS["seatac_weather"], weather(ghcn_quality_flag))

    run = refresh(workdir)

    assert run.returncode == 0, run.output
    daily = (workdir / "results/tables/daily.csv").read_text().splitlines()
    flagged = next(line for line in daily if line.startswith("2021-02-03,"))
    assert ",TMAX," in flagged
    index = (workdir / "results/README.md").read_text()
    assert "**Weather quality:** on 1 day a value failed GHCN's quality checks" in index
