"""The figures' shared look and their byte-stable PNG files.

One figure size and resolution, axis helpers, and save_png. Figures are matplotlib `Figure`
objects made without pyplot, so nothing depends on a display or on pyplot's global list of
open figures.

**Theme:** `seaborn.set_theme(**THEME)`, in apply_theme(): seaborn's, with the colour-blind
palette and the DejaVu Sans font matplotlib ships (no system font changes a figure). The
heat maps' colormap is seaborn's `mako_r`, by name.

**PNG files:** unchanged inputs give byte-identical files. The figure is rendered to raw
pixels by Agg and saved by Pillow as a palette PNG (median cut to 256 colours, no dithering,
`optimize`), with no `pnginfo`, so no text or time chunk is written: no software, version or
date. The palette file is about 60 % smaller than matplotlib's own full-colour PNG of the same
figure (measured on the eleven figures: 61 % on the real data, 62 % on the tests' synthetic
inputs), and every redrawn figure is a new object in the repository's history. A full-colour
PNG would be `fig.savefig(path, metadata={"Software": None})`, matplotlib's switch for its
only text chunk. SOURCE_DATE_EPOCH does not apply: matplotlib reads it for the dates it
writes into PDF, PS and SVG files, and neither it nor Pillow writes a date into a PNG.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from bikeflow.atomic import atomic_path

matplotlib.use("Agg")  # no display: render with Agg whatever the environment says

DPI = 120  # 1200 x 600 pixels: sharp on GitHub, text readable when scaled to the page
WIDTH_IN = 10.0
HEIGHT_IN = 5.0
PALETTE_COLOURS = 256

THEME = {
    "context": "notebook",
    "style": "whitegrid",
    "palette": "colorblind",
    "font": "DejaVu Sans",  # ships with matplotlib: no system font changes a figure
    "rc": {
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "axes.titlesize": 11,
        "axes.titlelocation": "left",
        "axes.titlecolor": "#444444",
        "figure.titlesize": 15,
        "figure.titleweight": "bold",
        "axes.labelsize": 12,
        "legend.fontsize": 11,
        "legend.title_fontsize": 11,
        "legend.frameon": False,
        "grid.linewidth": 0.6,
    },
}
HEATMAP_CMAP = "mako_r"  # seaborn's sequential colormap, by name: light = few, dark = many

_PALETTE = sns.color_palette(THEME["palette"]).as_hex()
COLORS = {
    "primary": _PALETTE[0],  # blue: the quantity the figure is about
    "secondary": _PALETTE[1],  # orange: the comparison (weekends) or a summary line
    "highlight": _PALETTE[3],  # red: what crosses a threshold
    "neutral": _PALETTE[7],  # grey: context (individual days, baselines, thresholds)
    "actual": "#222222",  # near black: observed values
}
DAY_TYPE_COLORS = {"Weekday": COLORS["primary"], "Weekend": COLORS["secondary"]}


def apply_theme() -> None:
    """Set the one theme every figure uses (matplotlib's global rcParams)."""
    sns.set_theme(**THEME)


def new_figure(
    width: float = WIDTH_IN, height: float = HEIGHT_IN, **subplots
) -> tuple[Figure, Axes | np.ndarray]:
    """A figure of the standard size with constrained layout (no overlapping labels) and
    its axes; keyword arguments go to Figure.subplots (nrows, ncols, width_ratios, ...)."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return fig, fig.subplots(**subplots)


def titles(fig: Figure, title: str, subtitle: str | None = None, ax: Axes | None = None) -> None:
    """A bold figure title saying what the figure shows; the subtitle (data span, how to
    read it) goes on `ax`, or the figure's first axes, in smaller grey type."""
    fig.suptitle(title, x=0.01, horizontalalignment="left")
    if subtitle:
        (ax or fig.axes[0]).set_title(subtitle)


def as_datetime(values: Iterable) -> pd.Series | pd.DatetimeIndex:
    """Dates (datetime.date objects, strings or timestamps) as pandas datetimes."""
    return pd.to_datetime(values)


def date_axis(ax: Axes, axis: str = "x") -> None:
    """Concise year/month ticks on a time axis."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=12)
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(locator)
    target.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))


def thousands(ax: Axes, axis: str = "y") -> None:
    """Tick labels with thousands separators and a true minus sign (−1,500, not -1500)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda value, _: number(value)))


def number(value: float, decimals: int = 0) -> str:
    """`value` with thousands separators and a typographic minus: '−1,500'."""
    text = f"{value:,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        text = text.lstrip("-")  # no "−0" for values that round to zero
    return text.replace("-", "\N{MINUS SIGN}")


def span_text(dates: Sequence | pd.Series) -> str:
    """'2012-10-02 to 2021-12-31': the first and last of `dates`."""
    stamps = as_datetime(pd.Series(dates)).dropna()
    if stamps.empty:
        return "no dates"
    return f"{stamps.min():%Y-%m-%d} to {stamps.max():%Y-%m-%d}"


def day_type(dates: Iterable) -> pd.Series:
    """'Weekend' for Saturdays and Sundays, 'Weekday' otherwise."""
    stamps = as_datetime(pd.Series(dates))
    return pd.Series(np.where(stamps.dt.day_of_week >= 5, "Weekend", "Weekday"), index=stamps.index)


# ---- PNG files -----------------------------------------------------------------------------


def render_png(fig: Figure) -> bytes:
    """The figure as a palette PNG at its own size and resolution, with no text or time
    chunk (see the module's docstring)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="rgba", dpi=fig.dpi)  # raw pixels: nothing encoded twice
    size = fig.canvas.get_width_height(physical=True)
    rendered = Image.frombuffer("RGBA", size, buffer.getvalue(), "raw", "RGBA", 0, 1)
    palette = rendered.convert("RGB").quantize(
        colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    png = io.BytesIO()
    palette.save(png, format="PNG", optimize=True, pnginfo=PngInfo())  # no text chunks
    return png.getvalue()


def save_png(fig: Figure, path: str | os.PathLike) -> None:
    """Write the figure as a byte-stable PNG at `path`, atomically."""
    data = render_png(fig)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
