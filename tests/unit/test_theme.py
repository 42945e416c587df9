"""bikeflow.theme carries seaborn's theme as data; seaborn itself says whether it still holds."""

from __future__ import annotations

import subprocess
import sys

import matplotlib as mpl
import numpy as np
import seaborn  # noqa: F401 (registers seaborn's colormaps by name)
from support.workflow import REPOSITORY

from bikeflow import plotting, theme


def test_the_carried_theme_is_what_seaborn_sets():
    palette, rc_params = theme.seaborn_settings()
    assert palette == theme.PALETTE_COLORS, "regenerate with `python -m bikeflow.theme`"
    assert rc_params == theme.RC_PARAMS, "regenerate with `python -m bikeflow.theme`"


def test_the_carried_heatmap_colormap_is_seaborns():
    colors = theme.seaborn_colormap(theme.HEATMAP_COLORMAP)
    assert colors == theme.HEATMAP_COLORS, "regenerate with `python -m bikeflow.theme`"


def test_the_heatmap_colormap_draws_what_seaborns_does():
    """The colours each value maps to, as the renderer gets them (bytes), not only the list."""
    values = np.linspace(0, 1, 1001)
    carried = plotting.HEATMAP_CMAP(values, bytes=True)
    assert plotting.HEATMAP_CMAP.name == theme.HEATMAP_COLORMAP
    assert (carried == mpl.colormaps[theme.HEATMAP_COLORMAP](values, bytes=True)).all()


def test_drawing_a_figure_does_not_import_seaborn_or_scipy():
    """The point of carrying the theme: a figure of matplotlib alone, heatmaps included,
    starts without them."""
    code = (
        "import sys; from bikeflow import plotting; plotting.apply_theme();"
        "fig, ax = plotting.new_figure(); ax.plot([0, 1], [1, 0]);"
        "ax.pcolormesh([[0, 1], [1, 0]], cmap=plotting.HEATMAP_CMAP); plotting.render_png(fig);"
        "print(sorted(m for m in ('seaborn', 'scipy') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPOSITORY / "workflow/scripts",
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert loaded.strip() == "[]"
