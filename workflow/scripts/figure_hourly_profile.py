"""Figure hourly_profile: mean bicycles per hour of the day, weekdays against weekends."""

import pandas as pd
from matplotlib.figure import Figure

from bikeflow import plotting
from bikeflow.logs import log_to
from bikeflow.table_io import read_table

BAND = (0.25, 0.75)  # the shaded band: quartiles of the hour's counts


def profile(hourly: pd.DataFrame) -> pd.DataFrame:
    """Mean and quartiles of the count per (day type, hour); blank hours left out."""
    counts = pd.DataFrame(
        {
            "day_type": plotting.day_type(hourly["date"]).to_numpy(),
            "hour": hourly["hour"].astype(int).to_numpy(),
            "total": hourly["total"].astype("Float64").to_numpy(dtype=float, na_value=float("nan")),
        }
    ).dropna(subset=["total"])
    grouped = counts.groupby(["day_type", "hour"])["total"]
    return pd.DataFrame(
        {
            "mean": grouped.mean(),
            "low": grouped.quantile(BAND[0]),
            "high": grouped.quantile(BAND[1]),
        }
    ).reset_index()


def draw(hourly: pd.DataFrame) -> Figure:
    table = profile(hourly)
    fig, ax = plotting.new_figure()
    for kind, color in plotting.DAY_TYPE_COLORS.items():
        rows = table[table["day_type"] == kind]
        if rows.empty:
            continue
        ax.fill_between(rows["hour"], rows["low"], rows["high"], color=color, alpha=0.15, lw=0)
        ax.plot(rows["hour"], rows["mean"], color=color, lw=2.2, marker="o", ms=4, label=kind)
    ax.set_xlim(-0.5, 23.5)
    ax.set_xticks(range(0, 24, 2))
    ax.set_ylim(bottom=0)
    ax.set_xlabel("Hour of day (local time; 8 = 08:00 to 08:59)")
    ax.set_ylabel("Bicycles per hour")
    plotting.thousands(ax)
    ax.legend(loc="upper left")
    plotting.titles(
        fig,
        "Bicycles per hour of the day over the Fremont Bridge: weekdays and weekends",
        f"Line: mean count; band: middle 50% of the hours; {plotting.span_text(hourly['date'])}",
    )
    return fig


if __name__ == "__main__":
    log = log_to(snakemake.log[0], "figures.hourly_profile")
    plotting.apply_theme()
    hourly = read_table(snakemake.input.hourly)
    plotting.save_png(draw(hourly), snakemake.output[0])
    log.info("%d hours, %d with a count", len(hourly), int(hourly["total"].notna().sum()))
