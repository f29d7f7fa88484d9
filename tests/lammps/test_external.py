"""An ASE calculator driving LAMMPS through fix external: the route MLIPs take in vitrify.

ASE's EMT (effective-medium theory, a real many-body potential for Cu) is the calculator,
so every LAMMPS number can be checked against ASE's own.
"""

import copy

import numpy as np
import pytest
import yaml
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.units import GPa

from vitrify.lammps.session import LammpsSession, energy_and_forces
from vitrify.lammps.external import ExternalPotential
from tests.support.configs import complete
from vitrify.md.melt_quench import MeltQuench, melt_quench_spec
from vitrify.settings import Settings

BAR = 1e-4 * GPa  # eV/A^3


def _emt():
    return ExternalPotential(name="ASE EMT", calculator=EMT(), cutoff_A=6.0)


def _copper():
    atoms = bulk("Cu", "fcc", a=3.65, cubic=True).repeat(3)
    atoms.rattle(0.05, seed=2)
    return atoms


def test_single_point_matches_ase(tmp_path):
    atoms = _copper()
    energy, forces = energy_and_forces(atoms, _emt(), ["Cu"], tmp_path)
    reference = atoms.copy()
    reference.calc = EMT()
    assert energy == pytest.approx(reference.get_potential_energy(), abs=1e-10)
    assert np.abs(forces - reference.get_forces()).max() < 1e-10


def test_pressure_matches_ase_stress(tmp_path):
    atoms = _copper()
    atoms.set_cell(atoms.cell * 1.02, scale_atoms=True)
    pot = _emt()
    session = LammpsSession(["Cu"])
    try:
        session.load_atoms(atoms, tmp_path / "cu.data")
        pot.apply(session, ["Cu"])
        session.commands(["thermo_style custom step pe press pxx pyy pzz pxy", "run 0"])
        reference = atoms.copy()
        reference.calc = EMT()
        stress = reference.get_stress(voigt=False)  # eV/A^3, no kinetic part: atoms at rest
        # rel 1e-6: LAMMPS and ASE differ in the 8th digit of the eV/A^3 -> bar constant
        assert session.lmp.get_thermo("press") * BAR == pytest.approx(-np.trace(stress) / 3, rel=1e-6)
        assert session.lmp.get_thermo("pxy") * BAR == pytest.approx(-stress[0, 1], rel=1e-6, abs=1e-12)
    finally:
        session.close()


def test_nve_conserves_energy(tmp_path):
    atoms = _copper()
    session = LammpsSession(["Cu"])
    try:
        session.load_atoms(atoms, tmp_path / "cu.data")
        _emt().apply(session, ["Cu"])
        session.commands([
            "velocity all create 600 4 mom yes rot yes dist gaussian",
            "timestep 0.002", "fix md all nve",
            "thermo_style custom step pe ke etotal", "run 0",
        ])
        e0 = session.lmp.get_thermo("etotal")
        session.command("run 250")
        drift = abs(session.lmp.get_thermo("etotal") - e0) / len(atoms)
        assert drift < 2e-5  # eV/atom over 0.5 ps
    finally:
        session.close()


def test_melt_quench_runs_and_resumes_through_callback(repo, tmp_path):
    cfg = yaml.safe_load((repo / "config" / "test.yaml").read_text())
    cfg = copy.deepcopy(cfg)
    cu = cfg["systems"]["cuzr"]
    cu.update(species=["Cu"], composition={"Cu": 1.0}, n_atoms=32, density_g_per_cm3=8.0, min_distance_A=1.8)
    cu["protocol"] = [
        {"name": "melt", "ensemble": "npt", "T_K": 1500, "duration_ps": 0.4, "pressure_GPa": 0.0},
        {"name": "quench", "ensemble": "npt", "T_start_K": 1500, "T_end_K": 300, "quench": True, "pressure_GPa": 0.0},
    ]
    settings = Settings.from_config(complete(cfg))
    pot = _emt()
    spec = melt_quench_spec(settings.systems["cuzr"], "classical", pot, 4000, 0, settings.seed)
    meta = MeltQuench(spec, tmp_path, pot).run()
    assert meta["energy_source"].startswith("ASE EMT through LAMMPS fix external")
    assert pot.calls >= spec.total_steps
    again = MeltQuench(spec, tmp_path, _emt()).run()
    assert again["resumed_from_steps"] == [spec.total_steps]
