"""Reference MD conditions: melt, quench to T, hold at a chosen density."""

import pytest
from ase.io import read

from tests.support.configs import settings
from vitrify.md.conditions import condition_spec, reference_condition_spec
from vitrify.md.melt_quench import MeltQuench
from vitrify.md.potentials import make_potential
from vitrify.settings import ConditionSettings


def test_condition_run_samples_quench_and_hold_at_density(tmp_path):
    s = settings("test")
    system = s.systems["silica"]
    potential = make_potential(system, "classical")
    spec = condition_spec(system, "classical", potential, s.seed, T_K=2500, density_g_per_cm3=2.4, n_atoms=72,
                          melt_T_K=5000, melt_ps=0.5, cooling_rate_K_per_ps=5000, hold_ps=0.5,
                          frame_interval_ps=0.25, seed_offset=7)
    assert [seg.name for seg in spec.segments] == ["melt", "quench", "hold"]
    assert spec.counts == {"Si": 24, "O": 48}
    MeltQuench(spec, tmp_path, potential).run()
    frames = read(tmp_path / "trajectory.extxyz", ":")
    assert {a.info["segment"] for a in frames} == {"quench", "hold"}
    assert all(a.info["density_g_per_cm3"] == pytest.approx(2.4, rel=1e-6) for a in frames)
    assert frames[-1].info["T_target_K"] == 2500


def test_reference_conditions_follow_the_reference_section():
    s = settings("test")
    ref, system = s.reference, s.systems[s.reference.system]
    potential = make_potential(system, ref.md_model)
    spec = reference_condition_spec(system, potential, s.seed, ref, 0)
    cond = ref.md_conditions[0]
    assert spec.n_atoms == ref.md_n_atoms and spec.density_g_per_cm3 == cond.density_g_per_cm3
    assert spec.segments[-1].T_end_K == cond.T_K and spec.model == ref.md_model
    other = reference_condition_spec(system, potential, s.seed, ref, 1, ConditionSettings(T_K=2000, density_g_per_cm3=2.6))
    assert other.seed == spec.seed + 1 and other.density_g_per_cm3 == 2.6


def test_condition_above_melt_is_refused():
    s = settings("test")
    system = s.systems["silica"]
    with pytest.raises(ValueError, match="below the melt temperature"):
        condition_spec(system, "classical", make_potential(system, "classical"), s.seed, 5000, 2.2, 72, 5000, 1,
                       100, 1, 0.5, 0)
