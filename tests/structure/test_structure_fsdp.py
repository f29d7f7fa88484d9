"""Peak fits on synthetic peaks with known parameters."""

from __future__ import annotations

import numpy as np
import pytest

from vitrify.structure.fsdp import fit_peak, gaussian, lorentzian, summarise, window_around_max

TRUE = dict(Q1=1.52, A=0.9, W=0.55, c0=0.4, c1=0.15)


@pytest.mark.parametrize("model,func", [("lorentzian", lorentzian), ("gaussian", gaussian)])
def test_fit_recovers_known_peak(model, func):
    Q = np.linspace(0.3, 4.0, 741)
    rng = np.random.default_rng(1)
    S = func(Q, *TRUE.values()) + rng.normal(0, 0.005, len(Q))
    fit = fit_peak(Q, S, (1.0, 2.1), model=model)
    assert fit.Q1_inv_A == pytest.approx(TRUE["Q1"], abs=0.005)
    assert fit.fwhm_inv_A == pytest.approx(TRUE["W"], rel=0.03)
    assert fit.amplitude == pytest.approx(TRUE["A"], rel=0.03)
    assert fit.height == pytest.approx(TRUE["A"] + TRUE["c0"], abs=0.01)
    assert fit.periodicity_A == pytest.approx(2 * np.pi / fit.Q1_inv_A)
    assert fit.coherence_length_A == pytest.approx(2 * np.pi / fit.fwhm_inv_A)
    assert fit.rms_residual < 0.007


def test_window_and_replica_summary():
    Q = np.linspace(0.3, 4.0, 371)
    fits = []
    for k, q1 in enumerate((1.50, 1.52, 1.54)):
        S = lorentzian(Q, q1, 1.0, 0.5, 0.2, 0.0)
        window = window_around_max(Q, S, (1.0, 2.0), 0.5)
        assert window[0] == pytest.approx(q1 - 0.5, abs=0.011)
        fits.append(fit_peak(Q, S, window))
    summary = summarise(fits)
    assert summary["Q1_inv_A"]["mean"] == pytest.approx(1.52, abs=1e-4)
    assert summary["Q1_inv_A"]["std"] == pytest.approx(0.02, abs=1e-4)
    assert summary["Q1_inv_A"]["sem"] == pytest.approx(0.02 / np.sqrt(3), abs=1e-4)
    assert summary["Q1_inv_A"]["n"] == 3


def test_too_few_points_is_an_error():
    Q = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="points in the fit window"):
        fit_peak(Q, Q, (0, 1))
