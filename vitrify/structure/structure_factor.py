"""Faber-Ziman partial and total structure factors, and real-space correlation functions.

Conventions (D. A. Keen, J. Appl. Cryst. 34, 172-177 (2001), "A comparison of various
commonly used correlation functions for describing total scattering"):

* Partial structure factors (Faber-Ziman), from partial g_ab(r) (rdf.py) with the
  TOTAL number density rho0 = N / V:

      S_ab(Q) = 1 + 4 pi rho0 / Q * integral_0^r_max r [g_ab(r) - 1] sin(Q r) M(r) dr

  M(r) = 1, or the Lorch window M(r) = sin(pi r / r_max) / (pi r / r_max), which damps
  the truncation ripples at the price of broadening peaks (resolution ~ 2 pi / r_max);
  always state which was used when comparing peak heights.

* Neutron total scattering, b_a in fm (scattering.NEUTRON_B_FM), c_a concentrations:

      F(Q) = sum_ab c_a c_b b_a b_b [S_ab(Q) - 1]      (barn/sr/atom, -> 0 at high Q)
      S(Q) = 1 + F(Q) / <b>^2                          (normalised, -> 1 at high Q)

  (sums over ordered pairs; 1 barn = 100 fm^2.) This F(Q) is Keen's F(Q), the
  "un-normalised Faber-Ziman" function of most neutron total-scattering papers.

* X-ray: S_X(Q) = 1 + sum_ab c_a c_b f_a(Q) f_b(Q) [S_ab(Q) - 1] / <f(Q)>^2 with
  neutral-atom f0(Q) (scattering.py).

* Neutron real space (Keen's notation, barn and barn/A^2 with b in barn^1/2 units):

      G(r) = sum_ab c_a c_b b_a b_b [g_ab(r) - 1]       (barn; -> -<b>^2 as r -> 0)
      D(r) = 4 pi rho0 r G(r)                          (barn A^-2)
      T(r) = D(r) + 4 pi rho0 r <b>^2                  (barn A^-2)
           = 4 pi rho0 r sum_ab c_a c_b b_a b_b g_ab(r)

  and F(Q) = integral_0^inf D(r) sin(Q r) / Q dr, D(r) = (2/pi) integral Q F(Q) sin(Qr) dQ.
  Keen's G(r) is NOT the G(r) of PDFgui/PDFFIT (that one is D(r) / <b>^2).

The direct reciprocal-space route (independent of g(r)) is in kspace.py and re-exported
here as `direct_partial_sq`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .kspace import direct_partial_sq  # re-exported: the independent check
from .rdf import PartialRDF
from .scattering import (FM2_TO_BARN, faber_ziman_weights, mean_factor, neutron_lengths_fm,
                         xray_form_factors)

__all__ = ["PartialSQ", "RealSpace", "direct_partial_sq", "lorch_window", "neutron_F", "neutron_S",
           "neutron_real_space", "partial_sq", "partial_weights", "real_space_from_F", "sq_from_gr",
           "xray_S"]


def lorch_window(r_A: np.ndarray, r_max_A: float) -> np.ndarray:
    """M(r) = sin(pi r / r_max) / (pi r / r_max) (E. Lorch, J. Phys. C 2, 229 (1969))."""
    return np.sinc(np.asarray(r_A, float) / r_max_A)  # numpy sinc(x) = sin(pi x)/(pi x)


def sq_from_gr(r_A: np.ndarray, g: np.ndarray, rho0_A3: float, Q_inv_A: np.ndarray,
               dr_A: float | None = None, lorch: bool = False, r_max_A: float | None = None
               ) -> np.ndarray:
    """S(Q) = 1 + 4 pi rho0 integral r^2 [g - 1] sin(Qr)/(Qr) M(r) dr (midpoint rule).

    r_A are bin centres of width dr_A (default: their spacing); r_max_A (for the Lorch
    window) defaults to the last bin's upper edge. At Q = 0 sin(Qr)/(Qr) = 1.
    """
    r_A = np.asarray(r_A, float)
    Q = np.asarray(Q_inv_A, float)
    dr = float(dr_A) if dr_A is not None else float(r_A[1] - r_A[0])
    r_max = r_max_A if r_max_A is not None else float(r_A[-1] + dr / 2)
    h = np.nan_to_num(np.asarray(g, float) - 1.0)
    if lorch:
        h = h * lorch_window(r_A, r_max)
    # sinc kernel: np.sinc(Qr/pi) = sin(Qr)/(Qr), finite at Q = 0.
    kernel = np.sinc(np.outer(Q, r_A) / np.pi)
    return 1.0 + 4.0 * np.pi * rho0_A3 * dr * kernel @ (r_A ** 2 * h)


@dataclass(frozen=True)
class PartialSQ:
    """Faber-Ziman partials S_ab(Q) on a Q grid (1/A), with the composition used."""

    Q_inv_A: np.ndarray
    species: tuple[str, ...]
    concentrations: dict[str, float]
    S: dict[tuple[str, str], np.ndarray]
    lorch: bool
    r_max_A: float | None = None

    def pair(self, a: str, b: str) -> np.ndarray:
        return self.S[(a, b)] if (a, b) in self.S else self.S[(b, a)]

    def to_frame(self):
        import pandas as pd

        data = {"Q_inv_A": self.Q_inv_A}
        for (a, b), s in self.S.items():
            data[f"S_{a}_{b}"] = s
        return pd.DataFrame(data)


def partial_sq(rdf: PartialRDF, Q_inv_A: np.ndarray, lorch: bool = False,
               g: Mapping[tuple[str, str], np.ndarray] | None = None) -> PartialSQ:
    """Faber-Ziman S_ab(Q) by Fourier transform of the partial g_ab(r) in `rdf`.

    `g` overrides rdf.g (e.g. one frame, or a replica mean), on the same r grid.
    Valid for Q above ~2 pi / r_max; lower Q is dominated by truncation (see kspace.py
    for a route that is exact at the box's allowed Q).
    """
    g = rdf.g if g is None else g
    dr = float(rdf.edges_A[1] - rdf.edges_A[0])
    r_max = float(rdf.edges_A[-1])
    S = {p: sq_from_gr(rdf.r_A, v, rdf.number_density_A3, Q_inv_A, dr, lorch, r_max)
         for p, v in g.items()}
    return PartialSQ(np.asarray(Q_inv_A, float), rdf.species, rdf.concentrations, S, lorch, r_max)


def _ordered_sum(partials: Mapping[tuple[str, str], np.ndarray], conc: Mapping[str, float],
                 factors: Mapping[str, np.ndarray | float]) -> np.ndarray:
    """sum over ORDERED pairs of c_a c_b f_a f_b [S_ab - 1]."""
    total = 0.0
    for (a, b), s in partials.items():
        mult = 1.0 if a == b else 2.0  # (a, b) and (b, a) both contribute
        total = total + mult * conc[a] * conc[b] * np.asarray(factors[a]) * np.asarray(factors[b]) \
            * (np.asarray(s) - 1.0)
    return np.asarray(total, float)


def neutron_F(sq: PartialSQ, lengths_fm: Mapping[str, float] | None = None) -> np.ndarray:
    """Un-normalised Faber-Ziman neutron F(Q) in barn/sr/atom (module doc)."""
    b = lengths_fm if lengths_fm is not None else neutron_lengths_fm(sq.species)
    return FM2_TO_BARN * _ordered_sum(sq.S, sq.concentrations, b)


def neutron_S(sq: PartialSQ, lengths_fm: Mapping[str, float] | None = None) -> np.ndarray:
    """Normalised neutron S(Q) = 1 + F(Q) / <b>^2 = sum of w_ab S_ab."""
    b = lengths_fm if lengths_fm is not None else neutron_lengths_fm(sq.species)
    return 1.0 + _ordered_sum(sq.S, sq.concentrations, b) / mean_factor(sq.concentrations, b) ** 2


def xray_S(sq: PartialSQ, form_factors: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """Normalised X-ray S(Q) = 1 + sum c c f f [S_ab - 1] / <f(Q)>^2 (neutral-atom f0)."""
    f = form_factors if form_factors is not None else xray_form_factors(sq.species, sq.Q_inv_A)
    return 1.0 + _ordered_sum(sq.S, sq.concentrations, f) / mean_factor(sq.concentrations, f) ** 2


def partial_weights(sq: PartialSQ, radiation: str = "neutron"):
    """Faber-Ziman weights of `sq`'s pairs for 'neutron' (scalars) or 'xray' (arrays over Q)."""
    if radiation == "neutron":
        return faber_ziman_weights(sq.concentrations, neutron_lengths_fm(sq.species))
    if radiation == "xray":
        return faber_ziman_weights(sq.concentrations, xray_form_factors(sq.species, sq.Q_inv_A))
    raise ValueError(f"radiation must be 'neutron' or 'xray', got {radiation!r}")


@dataclass(frozen=True)
class RealSpace:
    """Keen (2001) neutron real-space functions on r_A: G (barn), D and T (barn/A^2)."""

    r_A: np.ndarray
    G: np.ndarray
    D: np.ndarray
    T: np.ndarray


def neutron_real_space(rdf: PartialRDF, lengths_fm: Mapping[str, float] | None = None,
                       g: Mapping[tuple[str, str], np.ndarray] | None = None) -> RealSpace:
    """G(r), D(r), T(r) of Keen (2001) from partial g_ab(r) (module doc for formulas)."""
    g = rdf.g if g is None else g
    b = lengths_fm if lengths_fm is not None else neutron_lengths_fm(rdf.species)
    conc = rdf.concentrations
    G = FM2_TO_BARN * _ordered_sum({p: np.nan_to_num(v) for p, v in g.items()}, conc, b)
    rho0 = rdf.number_density_A3
    r = rdf.r_A
    D = 4.0 * np.pi * rho0 * r * G
    T = D + 4.0 * np.pi * rho0 * r * FM2_TO_BARN * mean_factor(conc, b) ** 2
    return RealSpace(r, G, D, T)


def real_space_from_F(Q_inv_A: np.ndarray, F: np.ndarray, r_A: np.ndarray, rho0_A3: float,
                      mean_b_sq_barn: float, lorch: bool = True) -> RealSpace:
    """Keen's D(r) = (2/pi) integral Q F(Q) sin(Qr) M(Q) dQ, and G, T from it.

    For measured (or model) F(Q) in barn/sr/atom on a uniform or non-uniform Q grid
    (trapezoidal rule). M(Q) is the Lorch window sin(pi Q/Q_max)/(pi Q/Q_max) if
    `lorch`, with Q_max the last Q. mean_b_sq_barn is <b>^2 in barn.
    """
    Q = np.asarray(Q_inv_A, float)
    y = Q * np.asarray(F, float)
    if lorch:
        y = y * np.sinc(Q / Q[-1])
    r = np.asarray(r_A, float)
    D = 2.0 / np.pi * np.trapezoid(y[None, :] * np.sin(np.outer(r, Q)), Q, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        G = np.where(r > 0, D / (4.0 * np.pi * rho0_A3 * r), np.nan)
    T = D + 4.0 * np.pi * rho0_A3 * r * mean_b_sq_barn
    return RealSpace(r, G, D, T)
