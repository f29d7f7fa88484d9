"""Diffraction-peak parameters: the first sharp diffraction peak (FSDP) and principal peak.

A peak is fitted in a Q window [Q_lo, Q_hi] (1/A) chosen by the caller (or centred on
the highest point of a search range, `window_around_max`) by least squares with one of

    lorentzian:  A / (1 + (2 (Q - Q1) / W)^2)           + c0 + c1 (Q - Q1)
    gaussian:    A exp(-4 ln 2 (Q - Q1)^2 / W^2)        + c0 + c1 (Q - Q1)

i.e. a peak of full width at half maximum W on a linear background. Reported:

* Q1: the fitted peak centre (1/A).
* height: the fitted curve at Q1, A + c0 = "S(Q1)" as read off the curve
  (peak plus background); `amplitude` = A is the height above the linear background.
* fwhm: W (1/A), the width of the peak function alone (background excluded).
* periodicity_A = 2 pi / Q1: the real-space period associated with the peak.
* coherence_length_A = 2 pi / W: the convention used here for the correlation length
  over which that periodicity persists (other papers use e.g. 5 / W or a Scherrer
  constant: compare like with like).

Across replicas, `summarise` gives mean, sample standard deviation and standard error.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np
from scipy.optimize import curve_fit

MODELS = ("lorentzian", "gaussian")


def lorentzian(Q, Q1, A, W, c0, c1):
    return A / (1.0 + (2.0 * (Q - Q1) / W) ** 2) + c0 + c1 * (Q - Q1)


def gaussian(Q, Q1, A, W, c0, c1):
    return A * np.exp(-4.0 * np.log(2.0) * (Q - Q1) ** 2 / W ** 2) + c0 + c1 * (Q - Q1)


_FUNCS = {"lorentzian": lorentzian, "gaussian": gaussian}


@dataclass(frozen=True)
class PeakFit:
    Q1_inv_A: float
    height: float
    amplitude: float
    fwhm_inv_A: float
    periodicity_A: float
    coherence_length_A: float
    model: str
    window_inv_A: tuple[float, float]
    rms_residual: float

    def as_dict(self) -> dict:
        return asdict(self)


def window_around_max(Q: np.ndarray, S: np.ndarray, search_inv_A: tuple[float, float],
                      half_width_inv_A: float) -> tuple[float, float]:
    """Window of +-half_width centred on the highest point of S within the search range."""
    Q, S = np.asarray(Q), np.asarray(S)
    sel = (Q >= search_inv_A[0]) & (Q <= search_inv_A[1]) & np.isfinite(S)
    if not sel.any():
        raise ValueError(f"no data in the search range {search_inv_A} 1/A")
    q_peak = Q[sel][np.argmax(S[sel])]
    return (float(q_peak - half_width_inv_A), float(q_peak + half_width_inv_A))


def fit_peak(Q: np.ndarray, S: np.ndarray, window_inv_A: tuple[float, float],
             model: str = "lorentzian") -> PeakFit:
    """Fit one peak plus a linear background inside `window_inv_A` (module doc)."""
    if model not in _FUNCS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    Q, S = np.asarray(Q, float), np.asarray(S, float)
    lo, hi = window_inv_A
    sel = (Q >= lo) & (Q <= hi) & np.isfinite(S)
    if sel.sum() < 6:
        raise ValueError(f"only {int(sel.sum())} points in the fit window {window_inv_A} 1/A; need >= 6")
    q, s = Q[sel], S[sel]
    # Starting guesses: the highest point, a straight line through the window's ends.
    k = int(np.argmax(s))
    slope = (s[-1] - s[0]) / (q[-1] - q[0])
    base = s[0] + slope * (q[k] - q[0])
    p0 = [q[k], max(s[k] - base, 1e-6), (hi - lo) / 2.0, base, slope]
    bounds = ([lo, 0.0, 1e-4, -np.inf, -np.inf], [hi, np.inf, 4.0 * (hi - lo), np.inf, np.inf])
    func = _FUNCS[model]
    popt, _ = curve_fit(func, q, s, p0=p0, bounds=bounds, maxfev=20000)
    Q1, A, W, c0, _c1 = (float(v) for v in popt)
    resid = s - func(q, *popt)
    return PeakFit(Q1_inv_A=Q1, height=A + c0, amplitude=A, fwhm_inv_A=W,
                   periodicity_A=2.0 * np.pi / Q1, coherence_length_A=2.0 * np.pi / W,
                   model=model, window_inv_A=(float(lo), float(hi)),
                   rms_residual=float(np.sqrt(np.mean(resid ** 2))))


def summarise(fits: Sequence[PeakFit]) -> dict[str, dict[str, float]]:
    """Mean, sample std (ddof=1) and standard error over replicas for each numeric field.

    With one replica std and sem are NaN.
    """
    keys = ["Q1_inv_A", "height", "amplitude", "fwhm_inv_A", "periodicity_A", "coherence_length_A"]
    out = {}
    for key in keys:
        v = np.array([getattr(f, key) for f in fits], float)
        n = len(v)
        std = float(v.std(ddof=1)) if n > 1 else float("nan")
        out[key] = {"mean": float(v.mean()), "std": std,
                    "sem": std / np.sqrt(n) if n > 1 else float("nan"), "n": n}
    return out
