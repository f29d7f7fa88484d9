"""Scattering factors and Faber-Ziman weights for neutrons and X-rays.

Neutrons: bound coherent scattering lengths b (fm) of the natural elements from
V. F. Sears, "Neutron scattering lengths and cross sections", Neutron News 3(3), 26-37
(1992) (the table also published by the NIST Center for Neutron Research).

X-rays: neutral-atom form factors f0(Q) (electrons) from the analytical fits of
D. Waasmaier and A. Kirfel, Acta Cryst. A51, 416-431 (1995), as implemented by the
`xraydb` package (`xraydb.f0(element, q)` with q = sin(theta)/lambda = Q / (4 pi)).
Anomalous terms f', f'' and Compton scattering are not included: the X-ray S(Q) here
is the coherent, energy-independent one that diffraction data are reduced to.

Faber-Ziman weights (T. E. Faber and J. M. Ziman, Phil. Mag. 11, 153 (1965)): with
concentrations c_a and scattering factors f_a (b_a for neutrons, f_a(Q) for X-rays),

    S(Q) = sum_a sum_b c_a c_b f_a f_b S_ab(Q) / <f>^2,   <f> = sum_a c_a f_a,

the double sum running over ORDERED pairs. `faber_ziman_weights` returns one weight per
UNORDERED pair (a, b) with the multiplicity included, w_ab = (2 - delta_ab) c_a c_b
f_a f_b / <f>^2, so the weights sum to 1 and S(Q) = sum over unordered pairs of
w_ab S_ab(Q).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

#: Bound coherent scattering lengths in fm, natural isotopic abundance. Source: V. F.
#: Sears, Neutron News 3(3), 26-37 (1992), table of scattering lengths of the elements.
NEUTRON_B_FM: dict[str, float] = {"Si": 4.1491, "O": 5.803, "Cu": 7.718, "Zr": 7.16}

#: 1 barn = 100 fm^2: products b_a b_b in fm^2 times this are in barn.
FM2_TO_BARN = 0.01

XRAY_FORM_FACTOR_SOURCE = ("D. Waasmaier and A. Kirfel, Acta Cryst. A51, 416 (1995), "
                           "via xraydb.f0")


def neutron_lengths_fm(species: Sequence[str]) -> dict[str, float]:
    """Sears (1992) coherent lengths for `species`; KeyError names any missing element."""
    missing = [s for s in species if s not in NEUTRON_B_FM]
    if missing:
        raise KeyError(f"no tabulated neutron scattering length for {missing}; "
                       f"known: {sorted(NEUTRON_B_FM)}")
    return {s: NEUTRON_B_FM[s] for s in species}


def xray_form_factors(species: Sequence[str], Q_inv_A: np.ndarray) -> dict[str, np.ndarray]:
    """Neutral-atom f0(Q) in electrons for each species at scattering vectors Q (1/A)."""
    import xraydb

    q = np.asarray(Q_inv_A, float) / (4.0 * np.pi)  # xraydb wants sin(theta)/lambda
    return {s: np.asarray(xraydb.f0(s, q), float).reshape(np.shape(Q_inv_A)) for s in species}


def mean_factor(concentrations: Mapping[str, float], factors: Mapping[str, np.ndarray | float]):
    """<f> = sum_a c_a f_a (scalar for neutrons, array over Q for X-rays)."""
    return sum(c * np.asarray(factors[s], float) for s, c in concentrations.items())


def faber_ziman_weights(concentrations: Mapping[str, float],
                        factors: Mapping[str, np.ndarray | float]
                        ) -> dict[tuple[str, str], np.ndarray | float]:
    """Faber-Ziman weights per unordered pair (see module doc): sum to 1 at every Q.

    Keys follow the order of `concentrations`: (Si, Si), (Si, O), (O, O).
    """
    species = list(concentrations)
    norm = mean_factor(concentrations, factors) ** 2
    out = {}
    for k, a in enumerate(species):
        for b in species[k:]:
            mult = 1.0 if a == b else 2.0
            w = mult * concentrations[a] * concentrations[b] * np.asarray(factors[a], float) \
                * np.asarray(factors[b], float) / norm
            out[(a, b)] = w if np.ndim(w) else float(w)
    return out


def concentrations_from_counts(counts: Mapping[str, int]) -> dict[str, float]:
    total = sum(counts.values())
    return {s: n / total for s, n in counts.items()}
