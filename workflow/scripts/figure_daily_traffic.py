"""Figure daily_traffic: the daily bicycle total over time and its 28-day rolling mean."""

import pandas as pd
from matplotlib.figure import Figure

from bikeflow import plotting
from bikeflow.logs import log_to
from bikeflow.table_io import read_table

ROLLING_DAYS = 28
MIN_DAYS = 21  # complete days a window needs for its mean to be drawn


def draw(daily: pd.DataFrame) -> Figure:
    """Each complete day as a faint dot, the centred rolling mean as a line (broken where
    too many days of a window are missing)."""
    days = pd.Series(
        daily["total"].astype("Float64").to_numpy(dtype=float, na_value=float("nan")),
        index=plotting.as_datetime(daily["date"]),
    ).sort_index()
    days = days.reindex(pd.date_range(days.index.min(), days.index.max(), freq="D"))
    rolling = days.rolling(ROLLING_DAYS, center=True, min_periods=MIN_DAYS).mean()

    fig, ax = plotting.new_figure()
    ax.scatter(
        days.index,
        days,
        s=3,
        color=plotting.COLORS["neutral"],
        alpha=0.45,
        linewidths=0,
        label="Daily total",
        rasterized=False,
    )
    ax.plot(
        rolling.index,
        rolling,
        color=plotting.COLORS["primary"],
        linewidth=2,
        label=f"{ROLLING_DAYS}-day rolling mean",
    )
    ax.set_ylim(bottom=0)
    ax.set_xlabel("Date")
    ax.set_ylabel("Bicycles per day")
    plotting.date_axis(ax)
    plotting.thousands(ax)
    ax.legend(loc="upper right", markerscale=4)
    plotting.titles(
        fig,
        "Daily bicycle traffic over the Fremont Bridge",
        f"Both directions, {plotting.span_text(days.index)}; incomplete days left out",
    )
    return fig


if __name__ == "__main__":
    log = log_to(snakemake.log[0], "figures.daily_traffic")
    plotting.apply_theme()
    daily = read_table(snakemake.input.daily)
    plotting.save_png(draw(daily), snakemake.output[0])
    log.info("%d days, %d with a total", len(daily), int(daily["total"].notna().sum()))
