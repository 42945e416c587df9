"""Every figure's shared parts: the seaborn theme, the figure job's runner, a few axis helpers
and the byte-stable PNG file.

**A figure script** (workflow/scripts/figure_<name>.py) defines one function,
`draw(<its named inputs>, context) -> Figure`, and ends with

    if __name__ == "__main__":
        plotting.main(snakemake, draw)

The parameters of `draw` are the names of the rule's inputs for that figure (FIGURE_INPUTS in
workflow/rules/common.smk), each given loaded by its file type: a `.parquet` or `.csv` table
as a pandas DataFrame, a `.json` file as what it holds. `context` says what the figure may
say about the data beyond its inputs: the dataset's names and the events to mark on time
axes, from config/config.yaml through the rule's params (never written into a script, so a
fork's figures speak of its own data). main() does the rest: it reads the inputs, applies
the theme, calls `draw`, writes the PNG and logs one line. The tests call draw_figure(), the
same path without Snakemake.

**Style: seaborn's function interface**, `sns.lineplot / scatterplot / barplot / boxplot /
heatmap(data=<long-form DataFrame>, x=..., y=..., hue=..., ax=ax)`, on the axes of a
matplotlib Figure made without pyplot (no display, no global list of open figures). It is
the interface `seaborn.set_theme` styles, it draws on the axes it is given, so a figure with
two panels or a colour bar is ordinary matplotlib layout, and it has every plot the figures
need (the objects interface of seaborn 0.13 has no heatmap or box plot). Matplotlib is used
for what seaborn leaves to it: titles, reference lines, annotations, axis formatters,
legends placed outside the axes.

**Theme:** `seaborn.set_theme(**THEME)`, applied by the runner, once per job.

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

import inspect
import io
import json
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import MatplotlibDeprecationWarning
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from bikeflow.atomic import atomic_path
from bikeflow.logs import log_to
from bikeflow.table_io import read_table

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
    "actual": "#222222",  # near black: observed values, events
}
DAY_TYPE_COLORS = {"Weekday": COLORS["primary"], "Weekend": COLORS["secondary"]}
# seaborn's arguments for rows of day_values() coloured by day type: sns.lineplot(...,
# **plotting.BY_DAY_TYPE), the same colours and order in every figure.
BY_DAY_TYPE = {"hue": "day_type", "hue_order": list(DAY_TYPE_COLORS), "palette": DAY_TYPE_COLORS}
# Individual days as faint dots under a summary line: sns.scatterplot(..., **plotting.DAY_DOTS).
DAY_DOTS = {"s": 3, "alpha": 0.45, "linewidth": 0}


def apply_theme() -> None:
    """Set the one theme every figure uses (matplotlib's global rcParams)."""
    sns.set_theme(**THEME)
    # seaborn 0.13.2 still passes `vert=` to matplotlib 3.11's boxplot: not ours to fix.
    warnings.filterwarnings("ignore", "vert: bool was deprecated", MatplotlibDeprecationWarning)


# ---- The figure job ------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """A dated event marked on time axes: a dashed line and `label` in the legend."""

    date: pd.Timestamp
    label: str
    description: str = ""


@dataclass(frozen=True)
class Context:
    """What a figure says about the data beyond its inputs: `dataset` names what the data
    are (config `dataset`: "counter", "weather_station"), `events` are marked on time axes,
    `lead_bands` group forecasts by lead (config `forecasts.lead_bands`), `counts` names each
    count column in words (its `title` in the counts source's schema: "total" -> "Both
    sidewalks")."""

    dataset: Mapping[str, str]
    events: tuple[Event, ...] = ()
    lead_bands: tuple[int, ...] = ()
    counts: Mapping[str, str] = field(default_factory=dict)

    def count_words(self, column: str) -> str:
        """The words of a count column, or its name when the schema gives none."""
        return self.counts.get(column, column)

    @classmethod
    def from_params(cls, params: Any) -> Context:
        """From the rule's params (snakemake.params, or a dict with the same keys)."""
        events = tuple(
            Event(pd.Timestamp(event["date"]), event["label"], event.get("description", ""))
            for event in params["events"]
        )
        return cls(
            dataset=dict(params["dataset"]),
            events=events,
            lead_bands=tuple(params["lead_bands"]),
            counts=dict(params["counts"]),
        )


def _read_json(path: str | os.PathLike) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


READERS: dict[str, Callable[[str], Any]] = {
    ".parquet": read_table,
    ".csv": pd.read_csv,
    ".json": _read_json,
}


def read_input(path: str | os.PathLike) -> Any:
    """One input of a figure, loaded by its file type (READERS)."""
    suffix = Path(path).suffix
    if suffix not in READERS:
        raise ValueError(f"{path}: no reader for {suffix!r} files (known: {sorted(READERS)})")
    return READERS[suffix](path)


def input_names(draw: Callable[..., Figure]) -> list[str]:
    """The named inputs a figure's draw() takes: its parameters but `context`."""
    names = list(inspect.signature(draw).parameters)
    if names[-1:] != ["context"]:
        raise TypeError(f"{draw.__module__}.draw must take `context` as its last parameter")
    return names[:-1]


def draw_figure(
    draw: Callable[..., Figure], paths: Mapping[str, str | os.PathLike], context: Context
) -> Figure:
    """Read the inputs draw() names from `paths`, apply the theme and draw."""
    inputs = {name: read_input(paths[name]) for name in input_names(draw)}
    apply_theme()
    return draw(**inputs, context=context)


def main(snakemake: Any, draw: Callable[..., Figure]) -> None:
    """The figure job (rule figure): draw from the rule's named inputs and params, write
    the PNG atomically, log one line."""
    output = snakemake.output[0]
    log = log_to(snakemake.log[0], f"figures.{Path(output).stem}")
    paths = {name: snakemake.input[name] for name in input_names(draw)}
    save_png(draw_figure(draw, paths, Context.from_params(snakemake.params)), output)
    log.info("%s drawn from %s", output, ", ".join(str(paths[name]) for name in paths))


# ---- Drawing helpers -----------------------------------------------------------------------


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


def time_axis(ax: Axes, events: Sequence[Event], label: str = "Date") -> None:
    """The x axis as a time axis: concise date ticks, its label, the events in its range."""
    mark_events(ax, events)
    date_axis(ax)
    ax.set_xlabel(label)


def count_axis(ax: Axes, label: str, axis: str = "y") -> None:
    """An axis of counts: from zero, its label, numbers with thousands separators."""
    if axis == "y":
        ax.set_ylim(bottom=0)
        ax.set_ylabel(label)
    else:
        ax.set_xlim(left=0)
        ax.set_xlabel(label)
    thousands(ax, axis)


def date_axis(ax: Axes, axis: str = "x") -> None:
    """Concise year/month ticks on a time axis."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=12)
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(locator)
    target.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))


class NumberFormatter(Formatter):
    """Tick labels as number() writes them, with as many decimals as the ticks need to
    show the values they stand for: 0, 2.5, 5.0, 7.5, never 0, 2, 5, 8."""

    decimals = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        self.decimals = decimals_needed(locs)

    def __call__(self, value: float, pos: int | None = None) -> str:
        return number(value, self.decimals)


def decimals_needed(values: Sequence[float], most: int = 6) -> int:
    """The fewest decimals (up to `most`) that write every value exactly."""
    for decimals in range(most):
        if all(
            abs(value - round(value, decimals)) <= 1e-9 * max(1, abs(value)) for value in values
        ):
            return decimals
    return most


def thousands(ax: Axes, axis: str = "y") -> None:
    """Tick labels with thousands separators and a true minus sign (−1,500, not -1500)."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(NumberFormatter())


def number(value: float, decimals: int = 0) -> str:
    """`value` with thousands separators and a typographic minus: '−1,500'."""
    text = f"{value:,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        text = text.lstrip("-")  # no "−0" for values that round to zero
    return text.replace("-", "\N{MINUS SIGN}")


def span_text(dates: Sequence | pd.Series) -> str:
    """'2012-10-02 to 2021-12-31': the first and last of `dates`."""
    stamps = pd.to_datetime(pd.Series(dates)).dropna()
    if stamps.empty:
        return "no dates"
    return f"{stamps.min():%Y-%m-%d} to {stamps.max():%Y-%m-%d}"


def day_values(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Long-form rows for seaborn: `date`, its `day_type` ('Weekday' or 'Weekend') and
    `columns` as floats, without the rows that lack any of them (blank counts, incomplete
    days, missing weather)."""
    dates = pd.to_datetime(table["date"])
    frame = pd.DataFrame(
        {
            "date": dates,
            "day_type": np.where(dates.dt.day_of_week >= 5, "Weekend", "Weekday"),
            **{
                column: pd.to_numeric(table[column])
                .astype("Float64")
                .to_numpy(dtype=float, na_value=np.nan)
                for column in columns
            },
        }
    )
    return frame.dropna(subset=list(columns)).reset_index(drop=True)


def rolling_mean(values: pd.Series, days: int, min_days: int) -> pd.Series:
    """The centred `days`-day rolling mean of a series indexed by date, over every day from
    the first to the last (a missing day counts as missing); NaN where a window has fewer
    than `min_days` values."""
    values = values.sort_index()
    every_day = pd.date_range(values.index.min(), values.index.max(), freq="D")
    return values.reindex(every_day).rolling(days, center=True, min_periods=min_days).mean()


def rolling_line(ax: Axes, values: pd.Series, days: int, min_days: int, **kwargs) -> None:
    """The rolling_mean() of a series indexed by date, drawn as a broken_line() labelled
    "<days>-day rolling mean"."""
    mean = rolling_mean(values, days, min_days).rename_axis("date").reset_index(name="mean")
    kwargs = {"linewidth": 2, "label": f"{days}-day rolling mean", **kwargs}
    broken_line(mean, "date", "mean", ax, **kwargs)


def broken_line(data: pd.DataFrame, x: str, y: str, ax: Axes, **kwargs) -> None:
    """sns.lineplot of `y` against `x`, broken where `y` is missing: seaborn drops rows
    with a missing value and would join the line across the gap. Each unbroken run is a
    unit of its own; the `label` (legend entry), if any, goes on the first."""
    runs = data[y].isna().cumsum().rename("run")
    present = data.assign(run=runs).dropna(subset=[y])
    drawn = len(ax.lines)
    sns.lineplot(data=present, x=x, y=y, units="run", estimator=None, ax=ax, **kwargs)
    for line in ax.lines[drawn + 1 :]:
        line.set_label(f"_{line.get_label()}")  # one legend entry for the whole line


def alarm_ratio_line(ax: Axes, months: pd.DataFrame, monitor: dict, **kwargs) -> None:
    """The live-error alarm month by month: the ratio of the error to the error expected
    (`months`: as_of, ratio), and the line above which it fires (`monitor`: max_ratio)."""
    months = months.assign(as_of=pd.to_datetime(months["as_of"]))
    broken_line(months, "as_of", "ratio", ax, color=COLORS["primary"], marker="o", **kwargs)
    ax.axhline(
        monitor["max_ratio"],
        color=COLORS["highlight"],
        linestyle=":",
        label=f"The alarm fires above {monitor['max_ratio']:g}",
    )
    ax.set_ylim(bottom=0)


def mark_events(
    ax: Axes, events: Sequence[Event], position: Callable[[pd.Timestamp], float] | None = None
) -> None:
    """A dashed vertical line at each event inside the axes' x range, its date and label in
    the legend. `position` maps a date to x (default: matplotlib's date axis)."""
    where = position or mdates.date2num
    low, high = sorted(ax.get_xlim())
    for event in events:
        x = where(event.date)
        if low <= x <= high:
            ax.axvline(
                x,
                color=COLORS["actual"],
                linestyle="--",
                linewidth=1.2,
                label=f"{event.date:%Y-%m-%d}: {event.label}",
            )


def legend_below(fig: Figure, ax: Axes, ncols: int = 3, **kwargs) -> None:
    """The legend of `ax` (seaborn's included) under the figure, outside every axes, so it
    never hides data; none if nothing drawn has a label."""
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=ncols, **kwargs)


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
