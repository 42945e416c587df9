"""Figure holdout_predictions: the model's daily forecasts against the actual totals over the
holdout period, with the two baselines drawn faintly."""

import pandas as pd
from matplotlib.figure import Figure

from bikeflow import plotting
from bikeflow.logs import log_to

# Baseline columns of holdout_predictions.csv -> (legend label, line style), drawn first and
# faintly, under the actual values and the model.
BASELINES = {
    "latest_day": ("Baseline: latest known day", "-."),
    "same_weekday_last_week": ("Baseline: same weekday last week", ":"),
    "seasonal_mean": ("Baseline: seasonal mean", "--"),
}


def read(path: str) -> pd.DataFrame:
    return pd.read_csv(path, parse_dates=["date"])


def mae(predictions: pd.DataFrame, column: str) -> float:
    return float((predictions[column] - predictions["actual"]).abs().mean())


def draw(predictions: pd.DataFrame) -> Figure:
    table = predictions.assign(date=plotting.as_datetime(predictions["date"])).sort_values("date")
    fig, ax = plotting.new_figure(height=5.5)  # room for the legend below
    for column, (label, style) in BASELINES.items():
        if column in table:
            ax.plot(
                table["date"],
                table[column],
                color=plotting.COLORS["neutral"],
                linestyle=style,
                linewidth=1.0,
                alpha=0.7,
                label=f"{label} (MAE {mae(table, column):,.0f})",
            )
    ax.plot(
        table["date"],
        table["actual"],
        color=plotting.COLORS["actual"],
        linewidth=0.8,
        marker="o",
        markersize=2.5,
        label="Actual",
    )
    ax.plot(
        table["date"],
        table["model"],
        color=plotting.COLORS["primary"],
        linewidth=1.4,
        alpha=0.9,
        label=f"Model (MAE {mae(table, 'model'):,.0f})",
    )
    ax.set_ylim(bottom=0)
    ax.set_xlabel("Date")
    ax.set_ylabel("Bicycles per day")
    plotting.date_axis(ax)
    plotting.thousands(ax)
    handles, labels = ax.get_legend_handles_labels()
    order = [len(labels) - 2, len(labels) - 1, *range(len(labels) - 2)]  # actual, model first
    fig.legend(
        [handles[i] for i in order], [labels[i] for i in order], loc="outside lower center", ncols=2
    )
    plotting.titles(
        fig,
        "Model forecasts against actual daily traffic over the holdout period",
        f"{plotting.span_text(table['date'])}, not seen in training; "
        "MAE: mean absolute error in bicycles per day",
    )
    return fig


if __name__ == "__main__":
    log = log_to(snakemake.log[0], "figures.holdout_predictions")
    plotting.apply_theme()
    predictions = read(snakemake.input.predictions)
    plotting.save_png(draw(predictions), snakemake.output[0])
    log.info("%d holdout days", len(predictions))
