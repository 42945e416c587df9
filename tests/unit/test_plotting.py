"""bikeflow.plotting: byte-identical, metadata-free palette PNGs; numbers as people read them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import matplotlib as mpl
import pytest
import seaborn as sns
from PIL import Image, ImageChops
from PIL.PngImagePlugin import PngInfo
from support.figures import draw
from support.workflow import REPOSITORY

from bikeflow import plotting


# The theme the figure rule applies, once per module.
@pytest.fixture(scope="module", autouse=True)
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
plotting.apply_theme()
plotting.save_png(draw("holdout_predictions", Path(sys.argv[1])), sys.argv[2])
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


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (-0.2, "0"), (1500, "1,500"), (-1500, "\N{MINUS SIGN}1,500"), (12000.4, "12,000")],
)
def test_numbers_have_separators_and_a_true_minus(value: float, text: str):
    assert plotting.number(value) == text
