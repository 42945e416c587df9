"""How results are written for people and for git: dates as ISO text, numbers rounded to a
few significant digits, stable JSON and CSV text.

Rounding is what keeps committed results quiet: a model refitted on the same data gives the
same text, and a difference in the 12th digit never shows as a change.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

SIGNIFICANT_DIGITS = 4


def iso(day) -> str:
    return pd.Timestamp(day).strftime("%Y-%m-%d")


def significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """`value` rounded to `digits` significant digits, but never below the units
    (12345.6 -> 12346.0, 345.678 -> 345.7, 0.0123456 -> 0.01235)."""
    if not math.isfinite(value) or value == 0:
        return value
    decimals = digits - 1 - math.floor(math.log10(abs(value)))
    return round(value, max(decimals, 0))


def rounded(node):
    """A JSON-ready copy: floats to significant digits, NaN and infinities as null."""
    if isinstance(node, dict):
        return {key: rounded(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [rounded(value) for value in node]
    if isinstance(node, bool | np.bool_):
        return bool(node)
    if isinstance(node, int | np.integer):
        return int(node)
    if isinstance(node, float | np.floating):
        value = float(node)
        return significant(value) if math.isfinite(value) else None
    return node


def json_text(document: dict) -> str:
    """Stable, readable JSON: rounded numbers, key order as built, a final newline."""
    return json.dumps(rounded(document), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def rounded_columns(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """A copy with `columns` rounded to significant digits (missing values kept)."""
    table = table.copy()
    for column in columns:
        table[column] = [significant(float(value)) for value in table[column]]
    return table


def csv_text(table: pd.DataFrame) -> str:
    """CSV with Unix newlines, no index, floats as Python writes them (shortest exact),
    dates as ISO days."""
    return table.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes, read in chunks (the standard library's own)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
