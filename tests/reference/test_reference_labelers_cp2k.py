"""PBE labels through CP2K really run (9-atom quartz cell, production settings).

The 9-atom cell is below the 72 atoms Gamma-point sampling needs for accurate numbers,
so min_atoms=0 is set explicitly: this checks the code path (input, shell, parsing,
units, failure detection), not the physics. Basis, pseudopotential, the 400 Ry cutoff
and the SCF scheme are the production defaults; a lower cutoff saved little time here
(15 s at 200 Ry vs 18 s at 400 Ry), so the test does not use one. The failure test
starves the SCF (3 steps) so it fails in seconds.
"""

from __future__ import annotations

import numpy as np
import pytest

from vitrify.reference.labelers import CP2KLabeler, LabelFailed, LabelKeys, cp2k_available
from vitrify.reference.structures import build_polymorph, rattled

pytestmark = pytest.mark.skipif(not cp2k_available(), reason="CP2K is not installed "
                                "(Debian: apt-get install cp2k); the CP2K backend cannot run")


@pytest.fixture()
def quartz9():
    return rattled(build_polymorph("alpha-quartz"), 0.03, 4)


def test_cp2k_pbe_label(quartz9, tmp_path):
    lab = CP2KLabeler(min_atoms=0, scratch_root=tmp_path / "scratch")
    out = lab.label(quartz9)
    keys = LabelKeys()
    assert out.info["label_kind"] == "DFT"
    assert "PBE/DZVP-MOLOPT-SR-GTH" in out.info["label_method"] and "CP2K" in out.info["label_method"]
    # GTH-PBE total energy of Si3O6 is about -2949 eV (valence electrons only)
    assert -3100 < out.info[keys.energy] < -2800
    f = out.arrays[keys.forces]
    assert f.shape == (9, 3) and np.all(np.isfinite(f))
    # The real-space grid of GPW breaks translational invariance slightly (egg-box
    # effect): the net force is small next to the forces themselves, not zero.
    assert np.abs(f.sum(axis=0)).max() < 0.1 * np.abs(f).max()
    assert out.info[keys.stress].shape == (6,) and np.all(np.isfinite(out.info[keys.stress]))
    assert np.abs(out.info[keys.stress]).max() < 1.0  # eV/A^3, not GPa or bar
    assert list((tmp_path / "scratch").iterdir()) == [], "scratch directory of a success is removed"


def test_cp2k_scf_non_convergence_is_a_failure(quartz9, tmp_path):
    lab = CP2KLabeler(min_atoms=0, max_scf=3, scratch_root=tmp_path / "scratch")
    with pytest.raises(LabelFailed, match=r"SCF not converged within MAX_SCF 3 \(EPS_SCF 1e-06, smear\)") as err:
        lab.label(quartz9)
    kept = list((tmp_path / "scratch").iterdir())
    assert len(kept) == 1 and str(kept[0]) in err.value.reason  # kept for inspection
    assert "SCF run NOT converged" in (kept[0] / "cp2k.out").read_text()


def test_cp2k_settings_are_recorded():
    lab = CP2KLabeler()
    s = lab.settings()
    assert (s["xc"], s["basis_set"], s["pseudo_potential"], s["cutoff_Ry"], s["scf"]) == (
        "PBE", "DZVP-MOLOPT-SR-GTH", "GTH-PBE", 400.0, "smear")
    assert "&SMEAR ON" in lab._input_template() and "BROYDEN_MIXING" in lab._input_template()
    assert "&OT" in CP2KLabeler(scf="ot")._input_template()
    assert "&OT" not in CP2KLabeler(scf="diagonalization")._input_template()
    with pytest.raises(ValueError, match="use 'ot'"):
        CP2KLabeler(scf="magic")


def test_cp2k_isolated_oxygen_is_spin_polarised(tmp_path):
    # E0 of the dataset: one O atom, triplet (UKS), in a periodic box. An 8 A box keeps the
    # test fast; the workflow uses 20 A. GTH-PBE valence energy of O is about -15.8 Ha.
    lab = CP2KLabeler(min_atoms=0, scratch_root=tmp_path / "scratch")
    out = lab.isolated_atom("O", box_A=8.0)
    assert out.info["config_type"] == "IsolatedAtom" and out.info["box_A"] == 8.0
    assert -445 < out.info[LabelKeys().energy] < -415
    # One atom feels no force but the GPW grid's egg-box effect (~0.02 eV/A at 400 Ry here).
    assert np.abs(out.arrays[LabelKeys().forces]).max() < 0.05
