import pytest
import yaml
from ase.io import read

from vitrify.md.conditions import condition_spec
from vitrify.md.melt_quench import MeltQuench


def test_condition_run_samples_quench_and_hold_at_density(repo, tmp_path):
    cfg = yaml.safe_load((repo / "config" / "test.yaml").read_text())
    spec = condition_spec(cfg, "silica", T_K=2500, density_g_per_cm3=2.4, n_atoms=72, melt_T_K=5000,
                          melt_ps=0.5, cooling_rate_K_per_ps=5000, hold_ps=0.5, frame_interval_ps=0.25,
                          seed_offset=7)
    assert [s.name for s in spec.segments] == ["melt", "quench", "hold"]
    assert spec.counts == {"Si": 24, "O": 48}
    MeltQuench(spec, tmp_path).run()
    frames = read(tmp_path / "trajectory.extxyz", ":")
    assert {a.info["segment"] for a in frames} == {"quench", "hold"}
    assert all(a.info["density_g_per_cm3"] == pytest.approx(2.4, rel=1e-6) for a in frames)
    assert frames[-1].info["T_target_K"] == 2500


def test_condition_above_melt_is_refused(repo):
    cfg = yaml.safe_load((repo / "config" / "test.yaml").read_text())
    with pytest.raises(ValueError, match="below the melt temperature"):
        condition_spec(cfg, "silica", 5000, 2.2, 72, 5000, 1, 100, 1, 0.5, 0)
