"""GFN1-xTB labels through tblite: shapes, units and signs checked against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from vitrify.reference.labelers import LabelFailed, LabelKeys, XTBLabeler
from vitrify.reference.structures import build_polymorph, crystal_variant, rattled

pytest.importorskip("tblite", reason="tblite (pip) provides GFN1-xTB")


@pytest.fixture(scope="module")
def quartz72():
    return crystal_variant("alpha-quartz", strain=0.02, rattle_A=0.05, seed=1)


@pytest.fixture(scope="module")
def labelled(quartz72):
    return XTBLabeler().label(quartz72)


def test_label_shapes_and_provenance(quartz72, labelled):
    assert len(quartz72) == 72
    keys = LabelKeys()
    assert isinstance(labelled.info[keys.energy], float)
    assert labelled.arrays[keys.forces].shape == (72, 3)
    assert labelled.info[keys.stress].shape == (6,)
    assert np.all(np.isfinite(labelled.info[keys.stress]))
    assert labelled.info["label_kind"] == "tight-binding"
    assert "GFN1-xTB" in labelled.info["label_method"] and "DFT" not in labelled.info["label_method"]
    assert labelled.calc is None and np.allclose(labelled.positions, quartz72.positions)
    # no net force on a periodic cell
    assert np.abs(labelled.arrays[keys.forces].sum(axis=0)).max() < 1e-3


def test_forces_and_stress_match_finite_differences(quartz72, labelled):
    keys = LabelKeys()
    lab = XTBLabeler(accuracy=0.01)  # tighter SCF for clean differences
    f = labelled.arrays[keys.forces]
    atom, comp = np.unravel_index(np.argmax(np.abs(f)), f.shape)
    h = 1.0e-3
    energies = []
    for sign in (+1, -1):
        a = quartz72.copy()
        a.positions[atom, comp] += sign * h
        energies.append(lab.label(a).info[keys.energy])
    fd_force = -(energies[0] - energies[1]) / (2 * h)
    assert fd_force == pytest.approx(f[atom, comp], rel=2e-3, abs=5e-3)
    # sigma_xx = (1/V) dE/d(eps_xx): the ASE sign convention the docs promise
    eps = 1.0e-4
    energies = []
    for sign in (+1, -1):
        a = quartz72.copy()
        a.set_cell(np.asarray(quartz72.cell) @ np.diag([1 + sign * eps, 1, 1]), scale_atoms=True)
        energies.append(lab.label(a).info[keys.energy])
    fd_stress = (energies[0] - energies[1]) / (2 * eps) / quartz72.get_volume()
    assert fd_stress == pytest.approx(labelled.info[keys.stress][0], rel=5e-3, abs=2e-4)


def test_custom_keys():
    keys = LabelKeys("xtb_energy", "xtb_forces", "xtb_stress")
    out = XTBLabeler(keys=keys, min_atoms=0).label(rattled(build_polymorph("alpha-quartz"), 0.03, 2))
    assert "xtb_energy" in out.info and "xtb_forces" in out.arrays and "xtb_stress" in out.info


def test_failures_raise_label_failed():
    small = rattled(build_polymorph("alpha-quartz"), 0.2, 3)
    with pytest.raises(LabelFailed, match="9 atoms < 72"):
        XTBLabeler().label(small)
    with pytest.raises(LabelFailed, match="SCF not converged"):
        XTBLabeler(max_iterations=2, min_atoms=0).label(small)
    bad = small.copy()
    bad.symbols[0] = "Na"
    with pytest.raises(LabelFailed, match=r"species \['Na'\]"):
        XTBLabeler(min_atoms=0).label(bad)
    molecule = small.copy()
    molecule.pbc = False
    with pytest.raises(LabelFailed, match="not periodic"):
        XTBLabeler(min_atoms=0).label(molecule)


def test_isolated_atom():
    a = XTBLabeler().isolated_atom("O", box_A=15.0)
    assert len(a) == 1 and a.info["config_type"] == "IsolatedAtom"
    assert np.isfinite(a.info["REF_energy"]) and np.allclose(a.arrays["REF_forces"], 0.0, atol=1e-8)
