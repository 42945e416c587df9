"""Figure temperature: the daily bicycle total against the day's maximum temperature."""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bikeflow import plotting
from bikeflow.logs import log_to
from bikeflow.table_io import read_table

BIN_C = 2.0  # width of the temperature bins whose mean is drawn as a line
MIN_DAYS_PER_BIN = 10  # bins with fewer days are left out of the line


def days(daily: pd.DataFrame) -> pd.DataFrame:
    """Complete days with a temperature: day type, tmax_c and total as floats."""
    table = pd.DataFrame(
        {
            "day_type": plotting.day_type(daily["date"]).to_numpy(),
            "tmax_c": pd.to_numeric(daily["tmax_c"]).to_numpy(dtype=float),
            "total": daily["total"].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
        }
    )
    return table.dropna(subset=["tmax_c", "total"])


def binned_means(table: pd.DataFrame) -> pd.DataFrame:
    """Mean total per day type and BIN_C-wide temperature bin (at the bin's centre)."""
    centre = (np.floor(table["tmax_c"] / BIN_C) + 0.5) * BIN_C
    grouped = table.assign(centre=centre).groupby(["day_type", "centre"])["total"]
    means = grouped.agg(["mean", "size"]).reset_index()
    return means[means["size"] >= MIN_DAYS_PER_BIN]


def draw(daily: pd.DataFrame) -> Figure:
    table = days(daily)
    means = binned_means(table)
    fig, ax = plotting.new_figure()
    for kind, color in plotting.DAY_TYPE_COLORS.items():
        rows = table[table["day_type"] == kind]
        ax.scatter(rows["tmax_c"], rows["total"], s=6, color=color, alpha=0.25, linewidths=0)
        line = means[means["day_type"] == kind]
        ax.plot(line["centre"], line["mean"], color=color, lw=2.5, label=f"{kind}s")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("Maximum temperature at Sea-Tac (°C)")
    ax.set_ylabel("Bicycles per day")
    plotting.thousands(ax)
    ax.legend(loc="upper left", title=f"Mean per {BIN_C:g} °C")
    plotting.titles(
        fig,
        "Daily bicycle traffic against the day's maximum temperature",
        f"Dots: complete days ({len(table):,}); lines: mean per {BIN_C:g} °C bin "
        f"with at least {MIN_DAYS_PER_BIN} days; {plotting.span_text(daily['date'])}",
    )
    return fig


if __name__ == "__main__":
    log = log_to(snakemake.log[0], "figures.temperature")
    plotting.apply_theme()
    daily = read_table(snakemake.input.daily)
    plotting.save_png(draw(daily), snakemake.output[0])
    log.info("%d complete days with a temperature", len(days(daily)))
