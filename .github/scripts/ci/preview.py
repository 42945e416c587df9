"""preview and metrics-diff: what a pull request would change, from its read-only preview run.

The preview job (ci.yml, on `pull_request`) runs the pipeline on the pull request's merge with
its base, then `preview` writes, for the job summary and for the pull request's comment:

- the model's holdout metrics against the base branch's: of the candidate model each side's
  code fits (results/model/candidate/metrics.json: each predictor's scores, the model's error
  by lead band), which is the change's effect even when its candidate would be held back, and
  the promotion decision (results/model/metrics.json) when the change made a different one;
- the rules that re-ran in the preview (its run record, .snakemake/ci-run.json): what the
  merge would re-run on the base branch;
- the figures that would change: results/figures/*.png whose bytes differ from the base
  branch's committed ones, and figures new or gone.

It prints the same Markdown as one hand-over line (handover.py), which the trusted
pr-comment workflow reads from the run's log and posts (comment.py). `metrics-diff` prints
the metrics part alone.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import git
from .handover import MAX_MARKDOWN, Preview, encode
from .records import run_record
from .workflow import CANDIDATE_METRICS, METRICS

FIGURES = "results/figures"
CUT = "\n\n*(The preview is longer than a comment can be: the rest is in the job summary.)*\n"


def number(value: float) -> str:
    return f"{value:.4g}"


def share(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


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
            old_text = "" if old is None else number(old)
            lines.append(f"| {model} | {metric} | {old_text} | {number(value)} | {delta} |")
    return "\n".join(lines) + "\n"


def lead_table(before: list[dict], after: list[dict]) -> str:
    """The model's holdout MAE by lead band (metrics.json `by_lead`) beside the base's, and
    its improvement on the best baseline, base -> this change."""
    old = {row["band"]: row for row in before}
    lines = [
        "Model MAE on the holdout by lead (days after the last count):",
        "",
        "| lead (days) | forecasts | base | this change | change | improvement on the best "
        "baseline |",
        "|---|---|---|---|---|---|",
    ]
    for row in after:
        prior = old.get(row["band"])
        value = row["model_mae"]
        if prior is None:
            base_text = delta = ""
            improvement = share(row.get("improvement"))
        else:
            base_text, delta = number(prior["model_mae"]), f"{value - prior['model_mae']:+.4g}"
            improvement = f"{share(prior.get('improvement'))} → {share(row.get('improvement'))}"
        lines.append(
            f"| {row['band']} | {row['forecasts']} | {base_text} | {number(value)} | {delta} "
            f"| {improvement} |"
        )
    return "\n".join(lines) + "\n"


def promotion_text(before: dict, after: dict) -> str | None:
    """The promotion decision of this change's model, when it is not the base's."""
    decision = after.get("promotion")
    if not decision or decision == before.get("promotion"):
        return None
    verdict = "promoted" if decision["promoted"] else "**held back** (the published one serves)"
    return f"The model this change fits would be {verdict}: {decision['why']}\n"


def metrics_pair(base: str, path: str) -> tuple[dict, dict] | None:
    """The metrics at `path` committed on `base` and in the working tree, if both exist."""
    shown = git.git("show", f"{base}:{path}", check=False)
    if shown.returncode != 0 or not Path(path).exists():
        return None
    return json.loads(shown.stdout), json.loads(Path(path).read_text())


def metrics_diff(base: str) -> str:
    """The metrics section: the candidate model this change fits against the one `base`'s
    code fits (else, in results without candidates, the published ones), and the promotion
    decision when this change made another."""
    candidates = metrics_pair(base, CANDIDATE_METRICS)
    compared = candidates or metrics_pair(base, METRICS)
    if compared is None:
        return f"No metrics to compare (`{METRICS}` missing here or on `{base}`).\n"
    before, after = compared
    parts = [metrics_table(before["scores"], after["scores"], base)]
    if candidates:
        parts.append(
            f"Of the model each side's code fits (`{CANDIDATE_METRICS}`), with the baselines,"
            " on its holdout.\n"
        )
    if after.get("by_lead"):
        parts.append(lead_table(before.get("by_lead") or [], after["by_lead"]))
    published = metrics_pair(base, METRICS)
    promotion = promotion_text(*published) if published else None
    if promotion:
        parts.append(promotion)
    return "\n".join(parts)


def figure_changes(base: str) -> dict[str, list[str]]:
    """The figures (results/figures/*.png) whose bytes differ from those committed on `base`
    ("changed"), that `base` does not have ("new"), and that are gone here ("removed").
    Bytes are compared by git's object id of each file, which is a hash of exactly them."""
    listed = git.lines("ls-tree", "-r", base, "--", f"{FIGURES}/")
    committed = {}
    for entry in listed:
        meta, path = entry.split("\t", 1)
        if path.endswith(".png") and "/" not in path.removeprefix(f"{FIGURES}/"):
            committed[path] = meta.split()[2]
    here = sorted(path.as_posix() for path in Path(FIGURES).glob("*.png"))
    ids = git.lines("hash-object", "--", *here) if here else []
    current = dict(zip(here, ids, strict=True))
    return {
        "changed": sorted(p for p in current if p in committed and current[p] != committed[p]),
        "new": sorted(p for p in current if p not in committed),
        "removed": sorted(p for p in committed if p not in current),
    }


def figures_section(changes: dict[str, list[str]], base: str) -> str:
    lines = ["## Figures that would change", ""]
    for kind, label in [("changed", "changed"), ("new", "new"), ("removed", "removed")]:
        lines += [f"- {label}: `{Path(path).name}`" for path in changes[kind]]
    if len(lines) == 2:
        lines.append(f"None: every figure is byte-identical to `{base}`'s.")
    return "\n".join(lines) + "\n"


def rules_section(record: dict | None) -> str:
    """The rules that re-ran past the downloads, with their jobs; a failed invocation."""
    lines = ["## Rules that re-ran", ""]
    if record is None:
        return "\n".join([*lines, "The preview left no run record: it did not run.", ""])
    jobs: dict[str, int] = {}
    for invocation in record["invocations"]:
        if invocation["name"] != "download":
            for rule, count in invocation["jobs"].items():
                jobs[rule] = jobs.get(rule, 0) + count
    ran = ", ".join(f"`{rule}` ({count})" for rule, count in sorted(jobs.items()))
    lines.append(
        f"{ran}: what merging this pull request would re-run." if ran else "Nothing re-ran."
    )
    failed = [i["name"] for i in record["invocations"] if i["returncode"] != 0]
    if failed:
        lines += ["", f"**The preview run failed** in its `{failed[0]}` step: see the job's log."]
    return "\n".join(lines) + "\n"


def preview_markdown(base: str) -> str:
    """The preview: metrics, rules re-run and figures; after a failed run, only the rules
    that ran and the failure (the metrics and figures would be half old, half new)."""
    record = run_record()
    rules = rules_section(record)
    if record is None or any(i["returncode"] != 0 for i in record["invocations"]):
        return rules
    if not git.succeeds("rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"):
        return "\n".join([f"`{base}` is not a commit here: nothing to compare with.\n", rules])
    return "\n".join([metrics_diff(base), rules, figures_section(figure_changes(base), base)])


def capped(markdown: str, limit: int = MAX_MARKDOWN) -> str:
    """`markdown` cut at a line to fit in `limit` characters, saying so."""
    if len(markdown) <= limit:
        return markdown
    kept = markdown[: limit - len(CUT)]
    return kept[: kept.rfind("\n") + 1].rstrip("\n") + CUT


def preview(base: str, pull_request: int, head_sha: str) -> tuple[str, str]:
    """The preview's Markdown and the hand-over line that carries it."""
    markdown = preview_markdown(base)
    return markdown, encode(Preview(pull_request, head_sha, capped(markdown)))
