"""Scattering lengths, form factors and Faber-Ziman weights."""

from __future__ import annotations

import numpy as np
import pytest

from vitrify.structure.scattering import (NEUTRON_B_FM, faber_ziman_weights, mean_factor,
                                          neutron_lengths_fm, xray_form_factors)


def test_sears_lengths_agree_with_an_independent_tabulation():
    # periodictable tabulates Rauch & Waschkowski's later compilation: the coherent
    # lengths of these elements differ from Sears (1992) by at most 0.002 fm.
    import periodictable

    for el, b in NEUTRON_B_FM.items():
        assert getattr(periodictable, el).neutron.b_c == pytest.approx(b, abs=0.005), el
    with pytest.raises(KeyError, match="no tabulated neutron scattering length"):
        neutron_lengths_fm(["Si", "Xx"])


def test_neutron_weights_of_silica():
    conc = {"Si": 1 / 3, "O": 2 / 3}
    w = faber_ziman_weights(conc, neutron_lengths_fm(conc))
    assert sum(w.values()) == pytest.approx(1.0)
    b_si, b_o = NEUTRON_B_FM["Si"], NEUTRON_B_FM["O"]
    mean_b = conc["Si"] * b_si + conc["O"] * b_o
    assert w[("Si", "O")] == pytest.approx(2 * conc["Si"] * conc["O"] * b_si * b_o / mean_b ** 2)
    # Values quoted in the project notes: O-O 0.543, Si-O 0.388, Si-Si 0.069.
    assert w[("O", "O")] == pytest.approx(0.543, abs=5e-4)
    assert w[("Si", "O")] == pytest.approx(0.388, abs=5e-4)
    assert w[("Si", "Si")] == pytest.approx(0.069, abs=5e-4)


def test_xray_form_factors_and_weights():
    Q = np.array([0.0, 1.5, 10.0])
    f = xray_form_factors(["Si", "O"], Q)
    # f0(0) is the number of electrons of the neutral atom.
    assert f["Si"][0] == pytest.approx(14.0, abs=0.05)
    assert f["O"][0] == pytest.approx(8.0, abs=0.05)
    assert f["Si"][1] == pytest.approx(11.584, abs=0.01)
    assert f["O"][1] == pytest.approx(6.964, abs=0.01)
    assert np.all(np.diff(f["O"]) < 0)
    conc = {"Si": 1 / 3, "O": 2 / 3}
    w = faber_ziman_weights(conc, f)
    np.testing.assert_allclose(sum(w.values()), 1.0)
    np.testing.assert_allclose(mean_factor(conc, f)[0], 10.0, atol=0.05)
