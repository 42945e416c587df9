"""bikeflow.plotting: the figure job's runner, seaborn's theme, byte-identical palette PNGs
without metadata, numbers as people read them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import matplotlib as mpl
import pandas as pd
import pytest
import seaborn as sns
from PIL import Image, ImageChops
from PIL.PngImagePlugin import PngInfo
from support.figures import CONTEXT, draw, load, write_inputs
from support.workflow import REPOSITORY

from bikeflow import plotting


# The theme the figure job applies.
@pytest.fixture(autouse=True)
def theme():
    plotting.apply_theme()


def test_the_theme_is_seaborns_with_the_projects_settings():
    cycle = [
        mpl.colors.to_hex(color) for color in mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    ]
    assert cycle == sns.color_palette("colorblind").as_hex()
    assert mpl.rcParams["font.family"] == ["DejaVu Sans"]
    assert mpl.rcParams["axes.grid"] and mpl.rcParams["figure.dpi"] == plotting.DPI
    # The heat maps' colormap by name: seaborn registers it when imported.
    assert mpl.colormaps[plotting.HEATMAP_CMAP].name == "mako_r"


RENDER = """
import sys
from pathlib import Path
from support.figures import draw
from bikeflow import plotting
plotting.save_png(draw("holdout_forecasts", Path(sys.argv[1])), sys.argv[2])
"""


def render_in_a_new_process(directory: Path, name: str) -> bytes:
    path = directory / name
    subprocess.run(
        [sys.executable, "-c", RENDER, str(directory), str(path)],
        cwd=REPOSITORY,
        env={**os.environ, "PYTHONPATH": "workflow/scripts:tests"},
        check=True,
    )
    return path.read_bytes()


def test_the_same_figure_drawn_in_two_processes_gives_the_same_bytes(tmp_path: Path):
    """What a re-run of the workflow does: no state of one process (font caches, object
    addresses, hash seeds) reaches the file."""
    first = render_in_a_new_process(tmp_path, "first.png")
    second = render_in_a_new_process(tmp_path, "second.png")
    assert first == second
    assert sorted(path.name for path in tmp_path.glob("*.png")) == ["first.png", "second.png"]
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file left behind"


def test_the_png_carries_no_text_and_no_time(tmp_path: Path):
    path = tmp_path / "figure.png"
    plotting.save_png(draw("temperature", tmp_path), path)
    with Image.open(path) as image:
        assert image.text == {}
        assert image.info == {}, "no text, date, resolution or profile chunk"
    assert b"tIME" not in path.read_bytes()  # Pillow reads no time chunk: it is not there


def test_the_checks_above_see_what_matplotlib_and_pillow_write_when_asked(tmp_path: Path):
    """The checks can fail: matplotlib's own PNG names the software; a time chunk shows."""
    fig, ax = plotting.new_figure()
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    with Image.open(buffer) as image:
        assert "Software" in image.text
    timed = io.BytesIO()
    info = PngInfo()
    info.add(b"tIME", bytes([7, 234, 1, 1, 0, 0, 0]))
    Image.new("P", (2, 2)).save(timed, format="PNG", pnginfo=info)
    assert b"tIME" in timed.getvalue()


def test_rendered_png_is_a_palette_image_of_the_same_picture():
    fig, ax = plotting.new_figure()
    ax.plot([0, 1, 2], [0, 1, 0], label="a line")
    ax.fill_between([0, 1, 2], [0, 0.5, 0], alpha=0.3)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi)
    full = Image.open(buffer).convert("RGB")
    rendered = plotting.render_png(fig)
    palette = Image.open(io.BytesIO(rendered))
    assert palette.mode == "P" and palette.size == full.size
    assert len(palette.getcolors()) <= plotting.PALETTE_COLOURS
    difference = ImageChops.difference(full, palette.convert("RGB")).getextrema()
    assert max(high for _, high in difference) <= 40  # of 255 per channel: no visible change
    assert plotting.render_png(fig) == rendered  # deterministic
    assert len(rendered) < 0.6 * len(buffer.getvalue())  # why palette: much smaller files


# ---- The runner -----------------------------------------------------------------------------


class Snakemake:
    """What the runner reads of the `snakemake` object a script rule gets."""

    def __init__(self, inputs: dict, output: Path, log: Path, params: dict):
        self.input, self.output, self.log, self.params = inputs, [output], [log], params


def test_main_draws_the_figure_from_the_named_inputs_and_logs_one_line(tmp_path: Path):
    paths = write_inputs("backtest_error", tmp_path)
    inputs = {**paths, "code": ["workflow/scripts/bikeflow/plotting.py"], "env": "figures.yaml"}
    params = {
        "dataset": {"counter": "A", "weather_station": "B"},
        "events": [{"date": "2020-03-01", "label": "Change", "description": "What changed"}],
        "lead_bands": [7, 14, 28],
        "counts": {"total": "Both"},
    }
    output, log = tmp_path / "figures/backtest_error.png", tmp_path / "logs/backtest_error.log"
    plotting.main(Snakemake(inputs, output, log, params), load("backtest_error").draw)
    with Image.open(output) as image:
        assert image.format == "PNG" and image.size == (1200, 780)
    assert log.read_text().splitlines() == [
        f"INFO figures.backtest_error: {output} drawn from {paths['months']}, {paths['folds']}, "
        f"{paths['monitor']}"
    ]


def test_inputs_are_read_by_their_file_type(tmp_path: Path):
    paths = write_inputs("drift_backtest", tmp_path) | write_inputs("daily_traffic", tmp_path)
    assert isinstance(plotting.read_input(paths["alarms"]), pd.DataFrame)  # .csv
    assert isinstance(plotting.read_input(paths["summary"]), dict)  # .json
    daily = plotting.read_input(paths["daily"])  # .parquet, types kept
    assert daily["total"].dtype == "Int64"
    with pytest.raises(ValueError, match=r"no reader for '\.txt' files"):
        plotting.read_input(tmp_path / "notes.txt")


def test_draw_must_take_the_context_last():
    def draw(daily, context):
        return None

    def without_context(daily):
        return None

    assert plotting.input_names(draw) == ["daily"]
    with pytest.raises(TypeError, match="`context` as its last parameter"):
        plotting.input_names(without_context)


def test_the_context_comes_from_the_rules_params():
    assert CONTEXT.dataset == {"counter": "Test Counter", "weather_station": "Test Station"}
    (event,) = CONTEXT.events
    assert event == plotting.Event(pd.Timestamp("2020-03-01"), "Test event", "A change")


# ---- Axes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (-0.2, "0"), (1500, "1,500"), (-1500, "\N{MINUS SIGN}1,500"), (12000.4, "12,000")],
)
def test_numbers_have_separators_and_a_true_minus(value: float, text: str):
    assert plotting.number(value) == text


@pytest.mark.parametrize(
    ("ticks", "labels"),
    [
        ([0, 2.5, 5, 7.5], ["0.0", "2.5", "5.0", "7.5"]),  # not 0, 2, 5, 8
        ([-1000, 0, 1000, 2000], ["\N{MINUS SIGN}1,000", "0", "1,000", "2,000"]),
        ([0, 0.05, 0.1], ["0.00", "0.05", "0.10"]),
    ],
)
def test_tick_labels_show_the_values_they_stand_for(ticks: list[float], labels: list[str]):
    fig, ax = plotting.new_figure()
    ax.set_ylim(ticks[0], ticks[-1])
    ax.set_yticks(ticks)
    plotting.thousands(ax)
    fig.draw_without_rendering()
    assert [label.get_text() for label in ax.get_yticklabels()] == labels


def test_a_broken_line_breaks_where_values_are_missing_and_is_one_legend_entry():
    fig, ax = plotting.new_figure()
    data = pd.DataFrame({"x": range(6), "y": [1, 2, None, None, 3, 4]})
    plotting.broken_line(data, "x", "y", ax, label="line")
    assert [list(line.get_xdata()) for line in ax.lines] == [[0, 1], [4, 5]]
    assert ax.get_legend_handles_labels()[1] == ["line"]


def test_rolling_mean_counts_a_missing_day_as_missing():
    dates = pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-05", "2020-01-06"])
    mean = plotting.rolling_mean(pd.Series([1.0, 2.0, 3.0, 5.0, 6.0], index=dates), 3, 3)
    assert list(mean.index.day) == [1, 2, 3, 4, 5, 6]  # the missing 4th is a day too
    assert mean.tolist()[1] == 2.0
    assert mean.isna().tolist() == [True, False, True, True, True, True]
