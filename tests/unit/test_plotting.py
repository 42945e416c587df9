"""bikeflow.plotting: byte-identical, metadata-free palette PNGs; numbers as people read them."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.figures import draw

from bikeflow import plotting


# The theme the figure rule applies, once per module.
@pytest.fixture(scope="module", autouse=True)
def theme():
    plotting.apply_theme()


def test_save_png_is_byte_identical_for_the_same_figure_drawn_twice(tmp_path: Path):
    first, second = tmp_path / "first.png", tmp_path / "second.png"
    plotting.save_png(draw("daily_traffic", tmp_path), first)
    plotting.save_png(draw("daily_traffic", tmp_path), second)
    assert first.read_bytes() == second.read_bytes()
    assert sorted(path.name for path in tmp_path.iterdir() if path.suffix == ".png") == [
        "first.png",
        "second.png",
    ], "no temporary file left behind"


def test_saved_png_has_no_text_or_time_chunks(tmp_path: Path):
    path = tmp_path / "figure.png"
    plotting.save_png(draw("temperature", tmp_path), path)
    kinds = [kind for kind, _ in plotting.png_chunks(path.read_bytes())]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
    assert not {b"tEXt", b"zTXt", b"iTXt", b"tIME"} & set(kinds), kinds
    assert b"atplotlib" not in path.read_bytes()


def test_strip_text_chunks_removes_what_matplotlib_writes_by_default():
    import io

    fig, ax = plotting.new_figure()
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Creation Time": "2026-01-01", "Title": "x"})
    kinds = [kind for kind, _ in plotting.png_chunks(buffer.getvalue())]
    assert b"tEXt" in kinds
    stripped = plotting.strip_text_chunks(buffer.getvalue())
    assert b"tEXt" not in [kind for kind, _ in plotting.png_chunks(stripped)]
    rendered = plotting.render_png(fig)
    assert not {b"tEXt", b"iTXt", b"zTXt", b"tIME"} & {k for k, _ in plotting.png_chunks(rendered)}


def test_rendered_png_is_a_palette_image_of_the_same_picture():
    import io

    from PIL import Image, ImageChops

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


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (-0.2, "0"), (1500, "1,500"), (-1500, "\N{MINUS SIGN}1,500"), (12000.4, "12,000")],
)
def test_numbers_have_separators_and_a_true_minus(value: float, text: str):
    assert plotting.number(value) == text
