import pytest

from vitrify.md.protocol import build_segments, fix_command, segment_at

PROTOCOL = [
    {"name": "melt", "ensemble": "nvt", "T_K": 5000, "duration_ps": 10},
    {"name": "quench", "ensemble": "npt", "T_start_K": 3000, "T_end_K": 300, "quench": True, "pressure_GPa": 0.5},
    {"name": "glass", "ensemble": "nve", "T_K": 300, "duration_ps": 2, "save_frames": False},
]


def test_quench_duration_follows_rate():
    segs = build_segments(PROTOCOL, cooling_rate_K_per_ps=100.0, timestep_fs=2.0)
    assert [s.n_steps for s in segs] == [5000, 13500, 1000]  # 2700 K / 100 K/ps = 27 ps
    assert [s.first_step for s in segs] == [0, 5000, 18500]
    assert segs[-1].last_step == 19500
    assert segs[2].save_frames is False


def test_temperature_ramp_is_linear_in_global_steps():
    quench = build_segments(PROTOCOL, 100.0, 2.0)[1]
    assert quench.T_at(quench.first_step) == 3000
    assert quench.T_at(quench.last_step) == 300
    assert quench.T_at(quench.first_step + quench.n_steps // 2) == pytest.approx(1650)


def test_fix_commands_carry_ensemble_and_units():
    segs = build_segments(PROTOCOL, 100.0, 1.0)
    damp = {"thermostat_ps": 0.1, "barostat_ps": 1.0}
    assert fix_command(segs[0], damp) == "fix md all nvt temp 5000.0 5000.0 0.1"
    assert fix_command(segs[1], damp) == "fix md all npt temp 3000.0 300.0 0.1 iso 5000.0 5000.0 1.0"
    assert fix_command(segs[2], damp) == "fix md all nve"


def test_segment_at_boundaries():
    segs = build_segments(PROTOCOL, 100.0, 1.0)
    assert segment_at(segs, 0) == 0
    assert segment_at(segs, 9999) == 0
    assert segment_at(segs, 10000) == 1
    assert segment_at(segs, segs[-1].last_step) == 3


def test_zero_rate_rejected():
    with pytest.raises(ValueError, match="positive"):
        build_segments(PROTOCOL, 0.0, 1.0)
