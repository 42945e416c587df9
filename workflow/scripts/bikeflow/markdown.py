"""Markdown for the pages people read (the model card, the results index): tables and
numbers written one way everywhere."""

from __future__ import annotations

import math


def table(header: list[str], rows: list[list[str]], align: str | None = None) -> list[str]:
    """A Markdown table: `align` has an "l" or "r" per column (default: first left, the
    rest right); a `|` inside a cell is escaped."""
    align = align or "l" + "r" * (len(header) - 1)
    marks = {"l": "---", "r": "---:"}

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"

    return [line(header), "|" + "|".join(marks[a] for a in align) + "|", *map(line, rows)]


def missing(value: float | None) -> bool:
    """None, or NaN (a value left empty in a CSV reads back as NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, decimals: int = 0) -> str:
    """`value` with thousands separators; "n/a" when missing."""
    return "n/a" if missing(value) else f"{value:,.{decimals}f}"


def share(value: float | None) -> str:
    """`value` as a percentage with one decimal; "n/a" when missing."""
    return "n/a" if missing(value) else f"{value:.1%}"
