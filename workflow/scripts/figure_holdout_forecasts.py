"""Figure holdout_forecasts: the published model's holdout forecasts against what came, each
day as first forecast (a week or more ahead, its weather unknown) and as last forecast before
its count was published (its weather observed)."""

import pandas as pd
from matplotlib.figure import Figure

from bikeflow import plotting

SERIES = {
    "actual": ("Counted", "actual"),
    "first": ("First forecast (a week or more ahead)", "secondary"),
    "last": ("Last forecast before the count", "primary"),
}


def by_day(holdout: pd.DataFrame) -> pd.DataFrame:
    """One row a day, every day from the first to the last: the count, and the forecasts of
    the day's first issue (its longest lead) and its last (its shortest)."""
    by_lead = holdout.assign(date=pd.to_datetime(holdout["date"])).sort_values("lead_days")
    days = by_lead.groupby("date")
    table = pd.DataFrame(
        {
            "actual": days["actual"].first(),
            "first": days["model"].last(),
            "last": days["model"].first(),
        }
    )
    every_day = pd.date_range(table.index.min(), table.index.max(), freq="D")
    return table.reindex(every_day).rename_axis("date").reset_index()


def draw(holdout: pd.DataFrame, context: plotting.Context) -> Figure:
    table = by_day(holdout)
    fig, ax = plotting.new_figure()
    for column, (label, color) in SERIES.items():
        plotting.broken_line(
            table, "date", column, ax, label=label, color=plotting.COLORS[color], linewidth=1.3
        )
    plotting.count_axis(ax, "Bicycles per day")
    plotting.time_axis(ax, context.events)
    plotting.legend_below(fig, ax)
    plotting.titles(
        fig,
        f"Holdout: {context.dataset['counter']} forecasts against the counts",
        f"{plotting.span_text(table['date'])}: each day forecast from the counts published "
        "by its issue dates",
    )
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
