"""EHCP_FORECAST's interval: its constants are what the DfE age bands give (recomputed here)."""

from __future__ import annotations

import numpy as np
import pytest

from models import ehcp_forecast
from models.forecast import split_bands
from workbooks.demand_data import load_demand_data


@pytest.fixture(scope="module")
def data(dfe_dir):
    return load_demand_data(dfe_dir)


def test_interval_constants_are_the_measured_error_percentiles(data):
    # The 10th and 90th percentiles of the ages-only form's one-year log errors, every council,
    # origins 2019-2021, from DfE's 2022 release of plans by age band.
    q = ehcp_forecast.calibrate_intervals(data.bands[data.councils], data.years)
    assert np.allclose(q, ehcp_forecast.ONE_YEAR_LOG_ERRORS, atol=5e-7)
    assert (q[:, 0] < 0).all() and (q[:, 1] > 0).all()


def test_the_interval_covers_about_eight_in_ten_of_the_calibration_years(data):
    # In-sample check of the construction: P10-P90 one year on holds 80% of the actuals it was
    # read from, per age group (the percentiles are of those very errors).
    councils = data.councils
    inside = []
    for origin in ehcp_forecast.CALIBRATION_ORIGINS:
        idx = [int(np.flatnonzero(data.years == y)[0]) for y in range(origin - 3, origin + 2)]
        window = data.bands[councils][:, idx]
        ok = ~np.isnan(window).any((-1, -2))
        point = ehcp_forecast.by_group(
            ehcp_forecast.project_ages(split_bands(window[ok, :-1]), [0, 1, 2], 1)[:, 0]
        )
        band = np.stack(
            [ehcp_forecast.bands_of(p[None], ehcp_forecast.ONE_YEAR_LOG_ERRORS)[0] for p in point]
        )
        actual = ehcp_forecast.by_group(split_bands(window[ok, -1]))
        inside.append((band[..., 0] <= actual) & (actual <= band[..., 2]))
    share = np.concatenate(inside).mean(0)
    assert ((share > 0.75) & (share < 0.85)).all(), share
