"""RISE samples: a real Cu-Zr glass annealed with LAMMPS and minimised to inherent structures."""


import numpy as np
import pytest

from tests.support.configs import complete, config, melt_quench
from vitrify.lammps.classical import get_potential
from vitrify.lammps.session import energy_and_forces
from vitrify.md.anneal import anneal_spec
from vitrify.md.melt_quench import MeltQuench
from vitrify.md.potentials import make_potential
from vitrify.rise.samples import IS_ENERGY_KEY, hold_snapshots, minimise_snapshots
from vitrify.settings import Settings


@pytest.fixture(scope="module")
def annealed(repo, tmp_path_factory):
    cfg = config("test")
    cfg["rise"]["snapshots_per_anneal"] = 3
    work = tmp_path_factory.mktemp("rise")
    melt_quench(cfg, "cuzr", "classical", 2000, 0, work / "glass").run()
    settings = Settings.from_config(complete(cfg))
    study = settings.rise.studies[0]
    system = settings.systems[study.system]
    potential = make_potential(system, study.model)
    spec = anneal_spec(system, settings.rise.for_study(study), study.model, potential,
                       str(work / "glass" / "final.extxyz"), 2000, 0, 600.0, settings.seed)
    MeltQuench(spec, work / "anneal", potential).run()
    return cfg, spec, work


def test_anneal_heats_then_holds(annealed):
    cfg, spec, _ = annealed
    heat, hold = spec.segments
    assert (heat.T_start_K, heat.T_end_K, hold.T_start_K) == (300.0, 600.0, 600.0)
    assert heat.n_steps == round(300 / cfg["rise"]["heating_rate_K_per_ps"] * 1000 / spec.timestep_fs)
    assert not heat.save_frames and hold.save_frames


def test_snapshots_are_minimised_and_resume(annealed):
    cfg, spec, work = annealed
    snaps = hold_snapshots(work / "anneal" / "trajectory.extxyz", 3)
    steps = [a.info["step"] for a in snaps]
    assert len(set(steps)) == 3 and steps[-1] == spec.total_steps
    labels = {"cooling_rate_K_per_ps": 2000.0, "replica": 0, "T_anneal_K": 600.0}
    samples = minimise_snapshots(snaps, get_potential("mendelev_cuzr_2009"), ["Cu", "Zr"], work / "is", labels, 1e-4, 10000)
    potential = get_potential("mendelev_cuzr_2009")
    for snap, sample in zip(snaps, samples):
        assert sample.info[IS_ENERGY_KEY] < snap.info["potential_energy_eV"] / len(snap)
        energy, forces = energy_and_forces(sample, potential, ["Cu", "Zr"], work)
        assert energy / len(sample) == pytest.approx(sample.info[IS_ENERGY_KEY], abs=1e-8)
        assert np.linalg.norm(forces) < 1e-3
        assert sample.info["T_anneal_K"] == 600.0
    stamps = sorted(p.stat().st_mtime_ns for p in (work / "is").glob("sample_*.extxyz"))
    again = minimise_snapshots(snaps, get_potential("mendelev_cuzr_2009"), ["Cu", "Zr"], work / "is", labels, 1e-4, 10000)
    assert [a.info[IS_ENERGY_KEY] for a in again] == [a.info[IS_ENERGY_KEY] for a in samples]
    assert sorted(p.stat().st_mtime_ns for p in (work / "is").glob("sample_*.extxyz")) == stamps
