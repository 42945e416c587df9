"""Figure permutation_importance: how much worse the model gets on the holdout when one
feature's values are shuffled, with the spread over the repeats."""

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from bikeflow import plotting


def draw(importance: pd.DataFrame, context: plotting.Context) -> Figure:
    table = importance.sort_values(["importance_mean", "feature"], ascending=[False, True])
    fig, ax = plotting.new_figure(height=min(8.0, 1.8 + 0.4 * len(table)))
    sns.barplot(
        data=table,
        x="importance_mean",
        y="feature",
        color=plotting.COLORS["primary"],
        width=0.65,
        saturation=1,
        ax=ax,
    )
    ax.errorbar(  # the spread comes with the data: seaborn would compute its own
        table["importance_mean"],
        range(len(table)),
        xerr=table["importance_std"],
        fmt="none",
        ecolor=plotting.COLORS["actual"],
        elinewidth=1.2,
        capsize=3,
    )
    ax.axvline(0, color=plotting.COLORS["actual"], linewidth=1)
    ax.set_xlabel("Increase in holdout MAE when the feature is shuffled (bicycles per day)")
    ax.set_ylabel("Feature")
    ax.grid(axis="y", visible=False)
    plotting.thousands(ax, axis="x")
    plotting.titles(
        fig,
        "Which features the model relies on",
        "Permutation importance on the holdout\n"
        "Bar: mean over the repeats; line: ± 1 standard deviation",
    )
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
