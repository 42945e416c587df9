"""bikeflow.persistence: the model saved with skops, loaded with trusted types, byte-stable."""

from __future__ import annotations

import numpy as np
import pytest
from support.daily_frames import (
    FEATURES,
    REGRESSOR,
)

from bikeflow.model import (
    TRUSTED_TYPES,
    fit_pipeline,
    predict,
)
from bikeflow.persistence import UntrustedModelError, load_model, save_model


def test_saved_model_loads_with_the_trusted_types_and_predicts_the_same(tmp_path, fitted):
    model, X, _ = fitted
    save_model(model, tmp_path / "model.skops")
    loaded = load_model(tmp_path / "model.skops", trusted=TRUSTED_TYPES)
    assert np.array_equal(predict(loaded, X), predict(model, X))
    with pytest.raises(UntrustedModelError, match="TreePredictor"):
        load_model(tmp_path / "model.skops", trusted=[])


def test_refitting_gives_a_byte_identical_model_file(tmp_path, two_years, fitted):
    _, X, y = fitted
    for name in ("a.skops", "b.skops"):
        save_model(fit_pipeline(X, y, FEATURES, REGRESSOR, random_state=0), tmp_path / name)
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "b.skops").read_bytes()
