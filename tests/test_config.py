"""Bad configs stop with one line naming file, key, value and what was expected."""

import copy
import subprocess

import pytest
import yaml

from vitrify.config import ConfigError, load_config, validate_config

SOURCE = "config/test.yaml"


@pytest.fixture(scope="module")
def good(repo):
    return yaml.safe_load((repo / SOURCE).read_text())


def _set(cfg, path, value):
    node = cfg
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return cfg


DELETE = object()
S = ["systems", "silica"]

BAD = {
    "wrong type": (S + ["n_atoms"], "many", "systems.silica.n_atoms", "'many'", "type integer"),
    "negative temperature": (S + ["protocol", 0, "T_K"], -5, "systems.silica.protocol[0].T_K", "-5", "> 0"),
    "negative cooling rate": (S + ["cooling_rates_K_per_ps"], [-10], "systems.silica.cooling_rates_K_per_ps[0]", "-10", "> 0"),
    "zero cooling rate": (S + ["cooling_rates_K_per_ps"], [0], "systems.silica.cooling_rates_K_per_ps[0]", "0", "> 0"),
    "unknown potential": (S + ["classical_potential"], "lennard_jones", "systems.silica.classical_potential", "'lennard_jones'", "one of"),
    "missing input file": (S + ["start_structure_file"], "nowhere/start.extxyz", "systems.silica.start_structure_file", "'nowhere/start.extxyz'", "an existing file"),
    "empty composition": (S + ["composition"], {}, "systems.silica.composition", "{}", "at least 1 entry"),
    "non-normalised composition": (S + ["composition"], {"Si": 0.5, "O": 0.8}, "systems.silica.composition", "0.8", "summing to 1"),
    "unknown species": (S + ["species"], ["Si", "Xx"], "systems.silica.species[1]", "'Xx'", "chemical element"),
    "composition not matching species": (S + ["composition"], {"Si": 0.5, "Ge": 0.5}, "systems.silica.composition", "'Ge'", "each of species"),
    "misspelt key": (S + ["md", "tiemstep_fs"], 1.0, "systems.silica.md.tiemstep_fs", "1.0", "a known key"),
    "missing key": (S + ["replicas"], DELETE, "systems.silica.replicas", "<missing>", "required"),
    "zero replicas": (S + ["replicas"], 0, "systems.silica.replicas", "0", ">= 1"),
    "potential missing a species": (S + ["classical_potential"], "mendelev_cuzr_2009", "systems.silica.classical_potential", "'mendelev_cuzr_2009'", "covering species"),
    "npt without pressure": (S + ["protocol", 3, "ensemble"], "npt", "systems.silica.protocol[3].pressure_GPa", "<missing>", "pressure"),
    "no quench segment": (S + ["protocol", 2, "quench"], False, "systems.silica.protocol", "['melt', 'liquid', 'quench', 'glass', 'nve_check']", "exactly one segment with quench"),
    "bad run name": (["run_name"], "my run/1", "run_name", "'my run/1'", "matching"),
    "rise on an unknown system": (["rise", "studies", 0, "system"], "glass", "rise.studies[0].system", "'glass'", "one of the systems"),
    "rise study of a model that never ran": (["rise", "studies", 0, "model"], "lr", "rise.studies[0].model", "'lr'", "a model that runs the melt-quench of cuzr"),
    "too many snapshots for the hold": (["rise", "snapshots_per_anneal"], 1000, "rise.snapshots_per_anneal", "1000", "a quarter"),
    "analysis phase without segment": (["analysis", "phases", "glass"], "production", "analysis.phases.glass", "'production'", "a protocol segment"),
    "analysis experiment file missing": (["analysis", "experiment"], [{"phase": "glass", "radiation": "neutron", "file": "data/none.dat", "kind": "F", "q_unit": "1/A", "q_column": "centre", "r_chi_range_inv_A": [1, 20]}], "analysis.experiment[0].file", "'data/none.dat'", "an existing file"),
    "ML model nobody trains": (["mlip", "archs"], ["sr"], "systems.silica.models[2]", "'lr'", "a model trained by the mlip section"),
    "guard temperature below the melt": (S + ["md", "guard_max_temperature_K"], 4000, "systems.silica.md.guard_max_temperature_K", "4000", "above the protocol's hottest"),
    "guard distance above the start's": (S + ["md", "guard_min_distance_A"], 2.0, "systems.silica.md.guard_min_distance_A", "2.0", "below min_distance_A"),
    "unknown model architecture": (["mlip", "archs"], ["sr", "transformer"], "mlip.archs[1]", "'transformer'", "one of"),
    "mlip on a system without reference data": (["mlip", "system"], "cuzr", "mlip.system", "'cuzr'", "the system of the reference section"),
    "ViT block not tiling the token grid": (["rise", "vit", "communication_blocks"], [1, 3], "rise.vit.communication_blocks[1]", "3", "a divisor of the token grid"),
    "interval below timestep": (S + ["md", "thermo_interval_ps"], 0.0001, "systems.silica.md.thermo_interval_ps", "0.0001", "at least one timestep"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_config_gives_one_clear_line(good, case):
    path, value, key, shown, expected = BAD[case]
    cfg = _set(copy.deepcopy(good), path, value)
    with pytest.raises(ConfigError) as info:
        validate_config(cfg, source=SOURCE)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{SOURCE}: {key} = ")
    assert shown in message
    assert expected in message


def test_pair_style_mace_needs_the_torchscript_export(good):
    cfg = copy.deepcopy(good)
    cfg["mlip"]["md"]["driver"] = "pair_style_mace"
    cfg["mlip"]["export_torchscript"] = False
    with pytest.raises(ConfigError, match=r"mlip.md.driver = 'pair_style_mace': expected mlip.export_torchscript: true"):
        validate_config(cfg, source=SOURCE)


def test_shipped_configs_are_valid(repo):
    for name in ("config.yaml", "test.yaml", "campaign.yaml"):
        load_config(repo / "config" / name)


def test_unreadable_yaml_names_file(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("systems: [unclosed\n")
    with pytest.raises(ConfigError, match="broken.yaml: <file> = .*valid YAML"):
        load_config(bad)


def test_snakemake_stops_before_any_job(repo, venv_bin, tmp_path, good):
    cfg = _set(copy.deepcopy(good), S + ["protocol", 0, "T_K"], -300)
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(cfg))
    res = subprocess.run(
        [venv_bin / "snakemake", "-s", repo / "Snakefile", "--directory", tmp_path, "--configfile", bad, "--cores", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert res.returncode != 0
    lines = [line for line in res.stderr.splitlines() if "vitrify:" in line]
    assert lines == [f"vitrify: invalid configuration: {bad}: systems.silica.protocol[0].T_K = -300: "
                     "expected a number > 0 (temperature in K)"]
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "results").exists()
