"""bikeflow.theme carries seaborn's theme as data; seaborn itself says whether it still holds."""

from __future__ import annotations

import subprocess
import sys

from support.workflow import REPOSITORY

from bikeflow import theme


def test_the_carried_theme_is_what_seaborn_sets():
    palette, rc_params = theme.seaborn_settings()
    assert palette == theme.PALETTE_COLORS, "regenerate with `python -m bikeflow.theme`"
    assert rc_params == theme.RC_PARAMS, "regenerate with `python -m bikeflow.theme`"


def test_drawing_a_figure_does_not_import_seaborn_or_scipy():
    """The point of carrying the theme: a figure of matplotlib alone starts without them."""
    code = (
        "import sys; from bikeflow import plotting; plotting.apply_theme();"
        "fig, ax = plotting.new_figure(); ax.plot([0, 1], [1, 0]); plotting.render_png(fig);"
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
