"""metrics-diff: a pull request's preview, its model metrics against the base branch's, as
a Markdown table for the job summary (later also the pull request's comment)."""

from __future__ import annotations

import json
from pathlib import Path

from . import git
from .workflow import METRICS


def metrics_table(before: dict, after: dict, base: str) -> str:
    """Every score of `after` (model -> metric -> value) beside the same score of `before`
    and the change; a model or metric new in `after` has no base value."""
    lines = [
        f"## Metrics: this change against `{base}`",
        "",
        "| model | metric | base | this change | change |",
        "|---|---|---|---|---|",
    ]
    for model in after:
        for metric, value in after[model].items():
            old = before.get(model, {}).get(metric)
            delta = "" if old is None else f"{value - old:+.4g}"
            old_text = "" if old is None else f"{old:.4g}"
            lines.append(f"| {model} | {metric} | {old_text} | {value:.4g} | {delta} |")
    return "\n".join(lines) + "\n"


def metrics_diff(base: str) -> str:
    shown = git.git("show", f"{base}:{METRICS}", check=False)
    if shown.returncode != 0 or not Path(METRICS).exists():
        return f"No metrics to compare (`{METRICS}` missing here or on `{base}`).\n"
    before = json.loads(shown.stdout)["scores"]
    after = json.loads(Path(METRICS).read_text())["scores"]
    return metrics_table(before, after, base)
