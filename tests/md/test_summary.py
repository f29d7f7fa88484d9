"""The glass summary reads the production segment, not the NVE check that follows it."""

import pandas as pd

from vitrify.md.summary import glass_table, production_segment


def test_nve_check_is_not_the_glass():
    segments = [{"name": "quench", "ensemble": "nvt"}, {"name": "glass", "ensemble": "npt"},
                {"name": "nve_check", "ensemble": "nve"}]
    assert production_segment(segments) == "glass"
    thermo = pd.DataFrame({"segment": ["glass", "glass", "nve_check"], "temperature_K": [300, 302, 900],
                           "potential_energy_eV": [-10.0, -10.2, -5.0], "density_g_per_cm3": [2.2, 2.3, 9.9],
                           "pressure_GPa": [0.0, 0.1, 5.0]})
    table = glass_table([{"system": "silica", "model": "lr", "cooling_rate_K_per_ps": 100.0, "replica": 0,
                          "n_atoms": 2, "energy_source": "x", "thermo": thermo, "segments": segments}])
    row = table.iloc[0]
    assert row["segment"] == "glass" and row["temperature_K"] == 301 and row["density_g_per_cm3"] == 2.25
