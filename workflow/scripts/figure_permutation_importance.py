"""Figure permutation_importance: how much worse the model gets on the holdout when one
feature's values are shuffled, with the spread over the repeats."""

import pandas as pd
from matplotlib.figure import Figure

from bikeflow import plotting
from bikeflow.logs import log_to

# What importance_mean measures: the drop in the score permutation_importance was given.
SCORE = "Increase in holdout MAE when the feature is shuffled (bicycles per day)"


def read(path: str) -> pd.DataFrame:
    return pd.read_csv(path)


def draw(importance: pd.DataFrame) -> Figure:
    table = importance.sort_values(["importance_mean", "feature"], ascending=[True, False])
    height = min(8.0, 1.8 + 0.4 * len(table))
    fig, ax = plotting.new_figure(height=height)
    ax.barh(
        table["feature"],
        table["importance_mean"],
        xerr=table["importance_std"],
        color=plotting.COLORS["primary"],
        error_kw={"ecolor": plotting.COLORS["actual"], "elinewidth": 1.2, "capsize": 3},
        height=0.65,
    )
    ax.axvline(0, color=plotting.COLORS["actual"], linewidth=1)
    ax.set_xlabel(SCORE)
    ax.set_ylabel("Feature")
    ax.grid(axis="y", visible=False)
    ax.margins(y=0.02)
    plotting.thousands(ax, axis="x")
    plotting.titles(
        fig,
        "Which weather and calendar features the model relies on",
        "Permutation importance on the holdout: bar = mean over repeats, line = ± 1 standard "
        "deviation",
    )
    return fig


if __name__ == "__main__":
    log = log_to(snakemake.log[0], "figures.permutation_importance")
    plotting.apply_theme()
    importance = read(snakemake.input.importance)
    plotting.save_png(draw(importance), snakemake.output[0])
    log.info("%d features", len(importance))
