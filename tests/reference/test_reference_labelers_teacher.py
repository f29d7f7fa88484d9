"""The classical teacher as a labelling backend: the numbers are LAMMPS' own, the labels
say what they are, and the registry builds it like any other backend."""

import numpy as np
import pytest

from vitrify.lammps.classical import get_potential
from vitrify.lammps.session import single_point
from vitrify.md.random_start import random_packing
from vitrify.reference.labelers import LabelKeys, TeacherLabeler, make_labeler


def test_teacher_labels_are_lammps_numbers_named_as_a_classical_teacher(tmp_path):
    atoms = random_packing({"Si": 24, "O": 48}, 2.2, 1.5, seed=8)
    labelled = make_labeler("teacher", potential="bks_ssp").label(atoms)
    energy, forces, stress = single_point(atoms, get_potential("bks_ssp"), ["Si", "O"], tmp_path)
    keys = LabelKeys()
    assert labelled.info[keys.energy] == pytest.approx(energy, abs=1e-10)
    np.testing.assert_allclose(labelled.arrays[keys.forces], forces, atol=1e-10)
    np.testing.assert_allclose(labelled.info[keys.stress], stress, atol=1e-12)
    assert labelled.info["label_kind"] == "classical teacher"
    method = labelled.info["label_method"]
    assert "classical teacher bks_ssp" in method and "van Beest" in method and "Saika-Voivod" in method
    assert "DFT" not in method and "tight binding" not in method
    np.testing.assert_array_equal(labelled.positions, atoms.positions)


def test_isolated_atoms_of_a_pair_potential_have_zero_energy():
    labeller = TeacherLabeler()
    for symbol in ("Si", "O"):
        atom = labeller.isolated_atom(symbol)
        assert atom.info["REF_energy"] == 0.0 and not atom.arrays["REF_forces"].any()
        assert atom.info["config_type"] == "IsolatedAtom"


def test_only_teachers_teach():
    with pytest.raises(ValueError, match="not a teacher"):
        TeacherLabeler(potential="vashishta_1990")
    with pytest.raises(KeyError, match="unknown classical potential"):
        TeacherLabeler(potential="bks_typo")
    assert TeacherLabeler().settings()["potential"]["charges_e"] == {"Si": 2.4, "O": -1.2}
