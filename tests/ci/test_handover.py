"""ci/handover.py: the preview's one log line, written by the read-only run and found by the
trusted one in GitHub's zip of the run's logs, among other lines, with timestamps or not."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest

from ci.handover import MARKER, HandOverError, Preview, decode, encode, find_preview, preview_lines

SHA = "0123456789abcdef0123456789abcdef01234567"
PREVIEW = Preview(12, SHA, "## Metrics\n\n| model | mae |\n\nünïcode, `code`, @someone\n")


def archive(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as written:
        for name, text in files.items():
            written.writestr(name, text)
    return buffer.getvalue()


def data_of(document: object) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode()


def test_a_preview_is_one_line_of_base64_that_decodes_to_itself():
    line = encode(PREVIEW)
    assert line.startswith(MARKER) and "\n" not in line
    assert set(line.removeprefix(MARKER)) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
    )
    assert decode(line.removeprefix(MARKER)) == PREVIEW


def test_the_line_is_found_among_others_with_or_without_githubs_timestamps():
    line = encode(PREVIEW)
    log = [
        "\ufeff2026-01-05T06:00:01.1234567Z ##[group]Run python .github/scripts/ci preview",
        "2026-01-05T06:00:01.1234568Z python .github/scripts/ci preview --pull-request 12",
        f"2026-01-05T06:00:02.0000001Z {line}",
        "2026-01-05T06:00:02.0000002Z ## Rules that re-ran",
        f"{line}\r\n",
        f"2026-01-05T06:00:02Z {line}",
        f"echo {line}",  # the line must start the log line: an echoed command is not it
        f"{line}x!",  # nor be followed by anything that is not base64
    ]
    assert preview_lines(log) == [line.removeprefix(MARKER)] * 3


def test_find_preview_reads_every_job_file_and_a_line_there_twice_is_one_preview():
    line = encode(PREVIEW)
    job = f"\ufeff2026-01-05T06:00:01.0Z a\n2026-01-05T06:00:02.0Z {line}\n"
    logs = archive(
        {
            "0_Lint.txt": "\ufeff2026-01-05T06:00:01Z 12 passed\n",
            "1_Pipeline preview.txt": job,
            "Pipeline preview/9_Preview.txt": f"\ufeff2026-01-05T06:00:02.0Z {line}\n",
            "Pipeline preview/": "",
        }
    )  # fmt: skip
    assert find_preview(logs) == PREVIEW


def test_a_log_without_a_preview_has_none():
    assert find_preview(archive({"0_Lint.txt": "2026-01-05T06:00:01.0Z ok\n"})) is None


def test_two_different_previews_are_refused():
    other = Preview(13, SHA, "forged")
    logs = archive({"0_Job.txt": f"{encode(PREVIEW)}\n{encode(other)}\n"})
    with pytest.raises(HandOverError, match="2 different previews"):
        find_preview(logs)


def test_a_line_too_long_to_read_is_skipped_and_the_rest_read(monkeypatch):
    monkeypatch.setattr("ci.handover.MAX_LINE", 300)
    line = encode(Preview(1, SHA, "short"))
    logs = archive({"0_Job.txt": MARKER + "A" * 1000 + f"\n{line}\n"})
    assert find_preview(logs) == Preview(1, SHA, "short")


@pytest.mark.parametrize(
    ("data", "objection"),
    [
        pytest.param("not base64!", "not base64 of JSON", id="base64"),
        pytest.param(base64.b64encode(b"\xff\xfe").decode(), "not base64 of JSON", id="utf-8"),
        pytest.param(data_of([1, 2]), "not a version 1 preview", id="not-an-object"),
        pytest.param(
            data_of({"version": 2, "pull_request": 1, "head_sha": SHA, "markdown": ""}),
            "not a version 1 preview",
            id="version",
        ),
        pytest.param(
            data_of({"version": 1, "pull_request": 1, "head_sha": SHA, "markdown": "", "run": 5}),
            "other fields",
            id="extra-field",
        ),
        pytest.param(
            data_of({"version": 1, "pull_request": "1", "head_sha": SHA, "markdown": ""}),
            "not a number",
            id="number-as-text",
        ),
        pytest.param(
            data_of({"version": 1, "pull_request": True, "head_sha": SHA, "markdown": ""}),
            "not a number",
            id="number-as-bool",
        ),
        pytest.param(
            data_of({"version": 1, "pull_request": 0, "head_sha": SHA, "markdown": ""}),
            "not a number",
            id="number-zero",
        ),
        pytest.param(
            data_of({"version": 1, "pull_request": 1, "head_sha": "HEAD", "markdown": ""}),
            "not a commit SHA",
            id="sha",
        ),
        pytest.param(
            data_of({"version": 1, "pull_request": 1, "head_sha": SHA, "markdown": "x" * 70000}),
            "at most 65,536",
            id="too-long",
        ),
    ],
)
def test_anything_but_what_encode_writes_is_refused(data: str, objection: str):
    with pytest.raises(HandOverError, match=objection):
        decode(data)


def test_a_log_that_is_not_a_zip_is_refused():
    with pytest.raises(HandOverError, match="not a zip"):
        find_preview(b"<html>Not Found</html>")
