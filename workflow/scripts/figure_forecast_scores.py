"""Figure forecast_scores: how the published forecasts did once their counts came, by lead
against the error expected of them, and month by month against the live-error alarm."""

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from bikeflow import plotting


def draw(
    scores: pd.DataFrame, months: pd.DataFrame, monitor: dict, context: plotting.Context
) -> Figure:
    if scores.empty:
        fig, ax = plotting.new_figure(height=2.5)
        ax.set_axis_off()
        ax.text(
            0.5, 0.5, "A forecast is scored once the counts of its day are published.", ha="center"
        )
        plotting.titles(fig, "Published forecasts: none scored yet")
        return fig
    fig, (by_lead, over_time) = plotting.new_figure(ncols=2, width_ratios=[1, 2])
    bands = scores[scores["band"] != "all"].melt(
        "band", ["mae", "expected_mae"], var_name="error", value_name="bicycles"
    )
    bands["error"] = bands["error"].map({"mae": "Live MAE", "expected_mae": "Expected at issue"})
    sns.barplot(
        data=bands,
        x="band",
        y="bicycles",
        hue="error",
        palette=[plotting.COLORS["primary"], plotting.COLORS["neutral"]],
        saturation=1,
        ax=by_lead,
    )
    by_lead.set_xlabel("Lead: days after the last count")
    plotting.count_axis(by_lead, "Mean absolute error (bicycles per day)")
    by_lead.legend(title=None, loc="upper left")

    plotting.alarm_ratio_line(
        over_time,
        months,
        monitor,
        label=f"Live error over expected, last {monitor['window_days']} days",
    )
    over_time.set_ylabel("Error over expected")
    plotting.time_axis(over_time, context.events, "Month end")
    plotting.legend_below(fig, over_time)
    total = scores.set_index("band").loc["all"]
    plotting.titles(
        fig,
        f"Published forecasts of {context.dataset['counter']} traffic, scored",
        f"{int(total['forecasts']):,} forecasts: MAE {plotting.number(total['mae'])}, "
        f"{total['coverage']:.0%} inside their intervals",
        ax=by_lead,
    )
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
