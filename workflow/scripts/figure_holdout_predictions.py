"""Figure holdout_predictions: the model's daily forecasts against the actual totals over the
holdout period, with the baselines drawn faintly."""

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from bikeflow import plotting

# Baseline columns of holdout_predictions.csv -> (legend label, dash pattern), drawn faintly,
# under the actual values and the model.
BASELINES = {
    "latest_day": ("Baseline: latest known day", (4, 1.5, 1, 1.5)),
    "same_weekday_last_week": ("Baseline: same weekday last week", (1, 1.5)),
    "seasonal_mean": ("Baseline: seasonal mean", (4, 2)),
}


def draw(predictions: pd.DataFrame, context: plotting.Context) -> Figure:
    table = predictions.assign(date=pd.to_datetime(predictions["date"]))

    def mae(column: str) -> str:
        return f"MAE {(table[column] - table['actual']).abs().mean():,.0f}"

    names = {  # baseline column -> its legend entry
        column: f"{label} ({mae(column)})"
        for column, (label, _) in BASELINES.items()
        if column in table
    }
    baselines = table.rename(columns=names).melt(
        id_vars="date", value_vars=list(names.values()), var_name="series", value_name="bicycles"
    )

    fig, ax = plotting.new_figure(height=5.5)  # room for the legend below
    on_top = {"data": table, "x": "date", "ax": ax, "zorder": 3}
    sns.lineplot(
        y="actual",
        color=plotting.COLORS["actual"],
        linewidth=0.8,
        marker="o",
        markersize=3,
        markeredgewidth=0,
        label="Actual",
        **on_top,
    )
    sns.lineplot(
        y="model",
        color=plotting.COLORS["primary"],
        linewidth=1.4,
        alpha=0.9,
        label=f"Model ({mae('model')})",
        **on_top,
    )
    sns.lineplot(
        data=baselines,
        x="date",
        y="bicycles",
        hue="series",
        style="series",
        palette={name: plotting.COLORS["neutral"] for name in names.values()},
        dashes={names[column]: BASELINES[column][1] for column in names},
        linewidth=1.0,
        alpha=0.7,
        ax=ax,
    )
    plotting.time_axis(ax, context.events)
    plotting.count_axis(ax, "Bicycles per day")
    plotting.legend_below(fig, ax, ncols=2)
    plotting.titles(
        fig,
        "Model forecasts against actual daily traffic over the holdout period",
        f"{plotting.span_text(table['date'])}, not seen in training; "
        "MAE: mean absolute error in bicycles per day",
    )
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
