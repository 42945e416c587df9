"""bikeflow.markdown: tables and numbers written one way on every page, "n/a" for missing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bikeflow.markdown import number, share, table


def test_a_table_aligns_the_first_column_left_and_the_others_right():
    assert table(["lead (days)", "MAE", "coverage"], [["1-7", "120", "80.0%"], ["all", 1, 2]]) == [
        "| lead (days) | MAE | coverage |",
        "|---|---:|---:|",
        "| 1-7 | 120 | 80.0% |",
        "| all | 1 | 2 |",  # cells that are not text are written as text
    ]


def test_a_table_takes_its_alignment_from_the_caller():
    assert table(["a", "b"], [], align="rl")[1] == "|---:|---|"


def test_a_pipe_inside_a_cell_is_escaped_so_the_row_keeps_its_columns():
    lines = table(["feature", "note|header"], [["a|b", "c"]])
    assert lines[0] == "| feature | note\\|header |"
    assert lines[2] == "| a\\|b | c |"


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1234567.891, 0, "1,234,568"),
        (1234567.891, 1, "1,234,567.9"),
        (0.5, 0, "0"),  # rounded half to even, as Python formats
        (-1500, 0, "-1,500"),
        (0.12345, 3, "0.123"),
        (None, 0, "n/a"),
        (math.nan, 1, "n/a"),
        (np.float64("nan"), 0, "n/a"),
    ],
)
def test_number_has_thousands_separators_and_says_n_a_when_missing(value, decimals, text):
    assert number(value, decimals) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.8, "80.0%"),
        (-0.0512, "-5.1%"),
        (None, "n/a"),
        (math.nan, "n/a"),  # a share read back from a CSV where it was empty
        (np.float64("nan"), "n/a"),
    ],
)
def test_share_is_a_percentage_with_one_decimal_and_n_a_when_missing(value, text):
    assert share(value) == text
