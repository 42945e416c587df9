"""Figure residuals: the model's holdout errors by lead, and over time."""

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from bikeflow import plotting
from bikeflow.publication import band_labels, lead_band


def errors(holdout: pd.DataFrame, bands: list[int]) -> pd.DataFrame:
    """Each holdout forecast's error (forecast − actual), lead band and day."""
    return pd.DataFrame(
        {
            "date": pd.to_datetime(holdout["date"]),
            "error": holdout["model"] - holdout["actual"],
            "lead": lead_band(holdout["lead_days"], bands),
        }
    ).dropna()


def draw(holdout: pd.DataFrame, context: plotting.Context) -> Figure:
    bands = list(context.lead_bands)
    table = errors(holdout, bands)
    fig, (by_lead, over_time) = plotting.new_figure(ncols=2, width_ratios=[1, 2], sharey=True)
    sns.boxplot(
        data=table,
        x="lead",
        y="error",
        order=band_labels(bands),
        color=plotting.COLORS["primary"],
        fliersize=1.5,
        ax=by_lead,
    )
    by_lead.set_xlabel("Lead: days after the last count")
    by_lead.set_ylabel("Forecast − actual (bicycles per day)")
    daily = table.groupby("date")["error"].mean()
    plotting.rolling_line(over_time, daily, 14, 7, color=plotting.COLORS["secondary"])
    sns.scatterplot(
        x=daily.index,
        y=daily.values,
        color=plotting.COLORS["primary"],
        label="Mean error of the day's forecasts",
        ax=over_time,
        **plotting.DAY_DOTS,
    )
    for ax in (by_lead, over_time):
        ax.axhline(0, color=plotting.COLORS["actual"], linewidth=1)
    plotting.thousands(by_lead)
    plotting.time_axis(over_time, context.events)
    plotting.legend_below(fig, over_time, markerscale=2)
    plotting.titles(
        fig,
        f"Model errors over the holdout, {plotting.span_text(table['date'])}",
        "Above zero: more bicycles forecast than came; boxes: middle half of the forecasts",
        ax=by_lead,
    )
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
