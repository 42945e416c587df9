"""bikeflow.persistence: the model saved with skops, loaded with trusted types, byte-stable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.daily_frames import PUBLICATION, SETTINGS

from bikeflow.features import feature_frame
from bikeflow.model import TRUSTED_TYPES, fit, predict, simulated_pairs
from bikeflow.persistence import UntrustedModelError, load_model, save_model


def test_saved_model_loads_with_the_trusted_types_and_predicts_the_same(tmp_path, fitted):
    model, days = fitted
    pairs = simulated_pairs(
        days, PUBLICATION, pd.Timestamp("2020-11-10"), pd.Timestamp("2020-11-20")
    )
    X = feature_frame(days, pairs, SETTINGS.features)
    save_model(model, tmp_path / "model.skops")
    loaded = load_model(tmp_path / "model.skops", trusted=TRUSTED_TYPES)
    assert np.array_equal(predict(loaded, X), predict(model, X))
    for refused in ("TreePredictor", "LevelRatioRegressor"):
        trusted = [name for name in TRUSTED_TYPES if refused not in name]
        with pytest.raises(UntrustedModelError, match=refused):
            load_model(tmp_path / "model.skops", trusted=trusted)


def test_refitting_gives_a_byte_identical_model_file(tmp_path, fitted):
    _, days = fitted
    for name in ("a.skops", "b.skops"):
        model, _ = fit(days, pd.Timestamp("2020-10-31"), PUBLICATION, SETTINGS)
        save_model(model, tmp_path / name)
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "b.skops").read_bytes()
