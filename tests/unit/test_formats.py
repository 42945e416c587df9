"""bikeflow.formats: numbers rounded to significant digits, JSON and CSV text."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from bikeflow.formats import json_text, rounded, significant


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (345.678, 345.7),
        (12345.6, 12346.0),
        (0.0123456, 0.01235),
        (0.81234, 0.8123),
        (-2.5e-7, -2.5e-7),
        (0.0, 0.0),
    ],
)
def test_significant_digits(value, expected):
    assert significant(value) == expected


def test_json_text_rounds_and_writes_nan_as_null():
    document = {"b": np.float64(1 / 3), "a": [np.int64(2), math.nan, np.bool_(True)]}
    assert rounded(document) == {"b": 0.3333, "a": [2, None, True]}
    text = json_text(document)
    assert text.endswith("}\n") and json.loads(text) == {"b": 0.3333, "a": [2, None, True]}
    assert text.index('"b"') < text.index('"a"')  # order as built
