"""Bad data arriving at a refresh, through the real workflow: every case made from the real
formats, served by the loopback upstream, fetched by real Snakemake on top of results built
from good data. Each must stop the run with a message naming the source and, where there is
one, the row and field; keep the full report; and leave every published output downstream of
the bad input exactly as it was. Valid data that has lost published days or rows is refused
the same way, unless a person allows it for one run. Data that is
usable (extra or reordered columns, values that failed GHCN's quality control) goes through,
with what happened recorded in the results. Sources that do not overlap enough stop with a
message giving both ranges."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from support.data import (
    COUNTS_DATE_FORMAT,
    COUNTS_DAYS,
    COUNTS_START,
    FREMONT_2019_TO_2023_HEADER,
    FREMONT_HEADER,
    FREMONT_SIDEWALK_HEADER,
    GHCN_HEADER,
    GHCN_STATION,
    WEATHER_DAYS,
    WEATHER_START,
    cdo_text,
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


def weather(mutate=None, station: str = GHCN_STATION[0]) -> bytes:
    rows = ghcn_rows(WEATHER_START, WEATHER_DAYS, station=station)
    if mutate:
        rows = mutate(rows)
    return ghcn_text(rows).encode()


def set_row(index: int, values: list[str]):
    def mutate(header, rows):
        rows[index][1:] = values
        return header, rows

    return mutate


def renamed(old_header: list[str]):
    def mutate(header, rows):
        return old_header, rows

    return mutate


def header_shown(header: list[str]) -> str:
    return f"The file's header has {len(header)} columns: " + ", ".join(map(repr, header))


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


# (source, served bytes, fragments one line of the failure message must contain[, fragments
# the output must contain elsewhere])
FAILING = {
    "renamed-columns-until-2019": (
        "fremont_bridge",
        counts(renamed(FREMONT_SIDEWALK_HEADER)),
        [f"field '{TOTAL}': missing-label", "the closest is 'Fremont Bridge Total'"],
        [header_shown(FREMONT_SIDEWALK_HEADER), "Its rows were not checked"],
    ),
    "total-renamed-2019-to-2023": (
        "fremont_bridge",
        counts(renamed(FREMONT_2019_TO_2023_HEADER)),
        [f"field '{TOTAL}': missing-label", "the closest is 'Fremont Bridge Sidewalks, south"],
        [header_shown(FREMONT_2019_TO_2023_HEADER), "failed validation with 1 error:"],
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
    "ghcn-other-station": (  # Central Park's record: valid GHCN-Daily, the wrong place
        "seatac_weather",
        weather(station="USW00094728"),
        ["row 2", "field 'STATION'", "'USW00024233'", "found 'USW00094728'"],
        ["seatac_weather: failed validation with 568 errors:"],
    ),
    "climate-data-online-layout": (
        "seatac_weather",
        cdo_text(WEATHER_START, WEATHER_DAYS).encode(),
        ["field 'PRCP_ATTRIBUTES': missing-label"],
        ["failed validation with 6 errors:", "The file's header has 10 columns: 'STATION'"],
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
    """Every published output except the failing source's own validation report, which
    Snakemake deletes when the job starts (what is committed keeps it: see validate.smk)."""
    return {
        path: data for path, data in results.items() if not path.startswith(f"validation/{source}.")
    }


@pytest.mark.parametrize("case", FAILING)
def test_bad_source_stops_the_run_and_changes_nothing_downstream(
    case: str, workdir: Path, upstream: LoopbackServer
):
    source, body, fragments, *elsewhere = FAILING[case]
    before = file_digests(workdir / "results")
    upstream.serve_file(PATHS[source], body)

    run = refresh(workdir)

    assert run.returncode != 0
    assert "Traceback" not in run.output
    lines = [line for line in run.output.splitlines() if line.startswith("  - ")]
    assert f"{source}: failed validation with" in run.output
    assert any(all(part in line for part in fragments) for line in lines), run.output
    for part in elsewhere[0] if elsewhere else []:
        assert part in run.output, run.output
    assert f"Full report: logs/validate/{source}.report.json" in run.output
    report = json.loads((workdir / f"logs/validate/{source}.report.json").read_text())
    assert report["valid"] is False
    assert (workdir / f"logs/validate/{source}.summary.md").is_file()
    after = file_digests(workdir / "results")
    assert downstream_of(source, after) == downstream_of(source, before)


def test_a_plain_rerun_after_a_failed_validation_validates_again(
    workdir: Path, upstream: LoopbackServer
):
    """The failed download is still in resources/raw/: the next run, without fetching, must
    not take it for validated data."""
    before = file_digests(workdir / "results")
    upstream.serve_file(PATHS["fremont_bridge"], counts(set_row(40, ["-4", "0", "-4"])))
    assert refresh(workdir).returncode != 0

    run = snakemake(workdir, "--configfile", "test-overrides.yaml")

    assert run.returncode != 0
    assert "Traceback" not in run.output
    assert run.rules == {"validate_source"}
    assert "fremont_bridge: failed validation with 2 errors:" in run.output
    after = file_digests(workdir / "results")
    assert downstream_of("fremont_bridge", after) == downstream_of("fremont_bridge", before)


@pytest.mark.parametrize("case", REFUSED)
def test_refused_download_keeps_the_last_good_file_and_changes_nothing(
    case: str, workdir: Path, upstream: LoopbackServer
):
    source, answer, message = REFUSED[case]
    raw = workdir / f"resources/raw/{source}.csv"
    good = raw.read_bytes()
    before = file_digests(workdir / "results")
    upstream.script(PATHS[source], answer)

    run = refresh(workdir)

    assert run.returncode != 0
    assert f"{source}: download failed" in run.output and message in run.output
    assert raw.read_bytes() == good
    assert file_digests(workdir / "results") == before


def test_unreachable_source_says_how_to_use_a_mirror_and_builds_on_the_last_good_file(
    workdir: Path,
):
    """Offline: the download names the mirror override; what was downloaded before stays,
    so a change downstream (a figure's parameter) still builds without the network."""
    raw = workdir / "resources/raw/seatac_weather.csv"
    good = raw.read_bytes()
    config = yaml.safe_load((workdir / "test-overrides.yaml").read_text())
    config["sources"]["seatac_weather"]["url"] = "http://127.0.0.1:9/ghcnd.csv"  # nothing listens
    config["download"] = {**config.get("download", {}), "retries": 0}
    (workdir / "test-overrides.yaml").write_text(yaml.safe_dump(config))

    run = snakemake(workdir, "all_downloads", "--configfile", "test-overrides.yaml")

    assert run.returncode != 0
    assert "Traceback" not in run.output
    assert "seatac_weather: download failed: http://127.0.0.1:9/ghcnd.csv: could not connect" in (
        run.output
    )
    assert (
        "fetch it from a mirror: an extra --configfile that overrides sources.seatac_weather.url"
        in (run.output)
    )
    assert "`snakemake --forcerun download` tries again" in run.output
    assert raw.read_bytes() == good

    figure = snakemake(
        workdir,
        "results/figures/temperature.png",
        "--configfile",
        "test-overrides.yaml",
        "--forcerun",
        "figure",
    )
    assert figure.returncode == 0, figure.output
    assert figure.rules == {"figure"}


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


# --- a shrinking upstream ------------------------------------------------------------------


def without_days(first: date, last: date):
    """Counts without the days first..last (a block deleted upstream, or history cut off)."""

    def mutate(header, rows):
        def day(row: list[str]) -> date:
            return datetime.strptime(row[0], COUNTS_DATE_FORMAT).date()

        return header, [row for row in rows if not first <= day(row) <= last]

    return mutate


def without_hour(hour: int):
    """Counts with one hour of every day deleted: every day still there, 1/24 of the rows gone."""
    stamp = f" {hour:02}:00:00 AM"

    def mutate(header, rows):
        return header, [row for row in rows if not row[0].endswith(stamp)]

    return mutate


def weather_without(first: date, last: date):
    def mutate(rows):
        return [row for row in rows if not first.isoformat() <= row[1] <= last.isoformat()]

    return mutate


HOURLY = "results/tables/hourly_counts.csv"
# (source, served bytes, lines the refusal must contain)
SHRINKING = {
    "history-cut-off": (
        "fremont_bridge",
        counts(without_days(COUNTS_START, date(2020, 2, 29))),
        [
            f"  - 60 days that {HOURLY} has are missing, in 1 range:",
            "      2020-01-01 to 2020-02-29 (60 days)",
        ],
    ),
    "block-deleted": (
        "seatac_weather",
        weather(weather_without(date(2020, 7, 1), date(2020, 7, 10))),
        [
            "  - 10 days that results/tables/weather.csv has are missing, in 1 range:",
            "      2020-07-01 to 2020-07-10 (10 days)",
        ],
    ),
    "an-hour-of-every-day-deleted": (
        "fremont_bridge",
        counts(without_hour(3)),
        [
            f"  - it has 12,581 rows, 4.2% fewer than the 13,128 of {HOURLY} "
            "(at most 1.0% allowed: validation.max_row_drop)"
        ],
    ),
}


@pytest.mark.parametrize("case", SHRINKING)
def test_download_that_lost_published_data_is_refused_and_changes_nothing(
    case: str, workdir: Path, upstream: LoopbackServer
):
    source, body, lines = SHRINKING[case]
    before = file_digests(workdir / "results")
    upstream.serve_file(PATHS[source], body)

    run = refresh(workdir)

    assert run.returncode != 0
    assert "Traceback" not in run.output
    output = run.output.splitlines()
    assert (
        f"ERROR validate: {source}: the new download has lost data that is published, so it is "
        "refused and nothing is built from it:"
    ) in output, run.output
    for line in lines:
        assert line in output, run.output
    assert f"  snakemake --config 'validation={{allow_shrinking: [{source}]}}'" in output
    summary = (workdir / f"logs/validate/{source}.summary.md").read_text()
    assert "| Result | **invalid**: valid, but it has lost data that is published |" in summary
    after = file_digests(workdir / "results")
    assert downstream_of(source, after) == downstream_of(source, before)


def test_a_person_can_allow_a_shrinking_upstream_for_one_run(
    workdir: Path, upstream: LoopbackServer
):
    upstream.serve_file(
        PATHS["fremont_bridge"], counts(without_days(COUNTS_START, date(2020, 2, 29)))
    )
    allow = ("--config", "validation={allow_shrinking: [fremont_bridge]}")

    allowed = snakemake(
        workdir, "--configfile", "test-overrides.yaml", *allow, "--forcerun", "download"
    )

    assert allowed.returncode == 0, allowed.output
    assert "fremont_bridge: allowed for this run (validation.allow_shrinking)" in allowed.output
    daily = (workdir / "results/tables/daily.csv").read_text().splitlines()
    assert daily[1].startswith("2020-03-01,")  # the published tables follow upstream now
    published = file_digests(workdir / "results")

    # The next run, without the permission: it validates once more against what is now
    # published, passes, and gives the same bytes.
    again = snakemake(workdir, "--configfile", "test-overrides.yaml")
    assert again.returncode == 0, again.output
    assert "validate_source" in again.rules
    assert file_digests(workdir / "results") == published


# --- sources that do not overlap (enough): a first run, with nothing published to guard ----


@pytest.fixture
def first_run(tmp_path: Path, upstream: LoopbackServer):
    def run(weather_body: bytes, *targets: str):
        workdir = copy_repository(tmp_path / "repository")
        urls = {
            "fremont_bridge": upstream.serve_file(PATHS["fremont_bridge"], counts_fixture()),
            "seatac_weather": upstream.serve_file(PATHS["seatac_weather"], weather_body),
        }
        write_config(workdir, fixture_config(urls))
        # Targets first: --configfile takes several values, and would take them as files.
        return workdir, snakemake(workdir, *targets, "--configfile", "test-overrides.yaml")

    return run


def test_sources_without_a_common_day_stop_with_both_ranges(first_run):
    """Sea-Tac's weather from its first years: valid, but no day shared with the counts.
    (This used to end in a TypeError in calendar_features.)"""
    workdir, run = first_run(ghcn_text(ghcn_rows(date(1948, 1, 1), 400)).encode())

    assert run.returncode != 0
    assert "Traceback" not in run.output
    assert (
        "ERROR daily_table: fremont_bridge and seatac_weather have no day in common "
        "(fremont_bridge 2020-01-01 to 2021-06-30; seatac_weather 1948-01-01 to 1949-02-03)"
    ) in run.output
    assert not (workdir / "results/tables/daily.csv").exists()
    assert not (workdir / "results/tables/coverage.json").exists()


def test_overlap_shorter_than_the_holdout_stops_the_model_with_both_ranges(first_run):
    """40 common days against a holdout of 2 months (the fixture model's). The target is the
    model's metrics: the drift figure, run beside fit_model, is not this check's to guard."""
    weather_body = ghcn_text(ghcn_rows(date(2021, 5, 20), 40)).encode()
    workdir, run = first_run(weather_body, "results/model/metrics.json")

    assert run.returncode != 0
    assert "Traceback" not in run.output
    assert (
        "ERROR fit_model: The overlap of the sources is too short for the model: fremont_bridge "
        "and seatac_weather share 2021-05-20 to 2021-06-28 (40 days; fremont_bridge 2020-01-01 "
        "to 2021-06-30; seatac_weather 2021-05-20 to 2021-06-28), but the holdout "
        "(model.holdout_months: 2) alone takes the last 2 months, from 2021-04-29"
    ) in run.output
    assert not (workdir / "results/model/metrics.json").exists()
