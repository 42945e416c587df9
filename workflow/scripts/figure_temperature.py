"""Figure temperature: the daily bicycle total against the day's maximum temperature."""

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from bikeflow import plotting

BIN_C = 2.0  # width of the temperature bins whose mean is drawn as a line
MIN_DAYS_PER_BIN = 10  # bins with fewer days are left out of the line


def in_full_bins(days: pd.DataFrame) -> pd.DataFrame:
    """The days with the centre of their BIN_C-wide temperature bin (`bin_c`), in the bins
    that have at least MIN_DAYS_PER_BIN days of their day type."""
    binned = days.assign(bin_c=(np.floor(days["tmax_c"] / BIN_C) + 0.5) * BIN_C)
    size = binned.groupby(["day_type", "bin_c"])["total"].transform("size")
    return binned[size >= MIN_DAYS_PER_BIN]


def draw(daily: pd.DataFrame, context: plotting.Context) -> Figure:
    days = plotting.day_values(daily, ["tmax_c", "total"])
    fig, ax = plotting.new_figure()
    sns.scatterplot(
        data=days,
        x="tmax_c",
        y="total",
        legend=False,
        ax=ax,
        **plotting.DAY_DOTS,
        **plotting.BY_DAY_TYPE,
    )
    sns.lineplot(
        data=in_full_bins(days),
        x="bin_c",
        y="total",
        estimator="mean",
        errorbar=None,
        linewidth=2.5,
        ax=ax,
        **plotting.BY_DAY_TYPE,
    )
    ax.set_xlabel(f"Maximum temperature at {context.dataset['weather_station']} (°C)")
    plotting.count_axis(ax, "Bicycles per day")
    ax.legend(loc="upper left", title=f"Mean per {BIN_C:g} °C")
    plotting.titles(
        fig,
        "Daily bicycle traffic against the day's maximum temperature",
        f"Dots: complete days ({len(days):,}); lines: mean per {BIN_C:g} °C bin "
        f"with at least {MIN_DAYS_PER_BIN} days; {plotting.span_text(daily['date'])}",
    )
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
