"""Bad configs stop with one line naming file, key, value and what was expected."""

import copy
import subprocess

import pytest
import yaml

from tests.support.configs import config
from vitrify.config import ConfigError, defaults_table, fill_defaults, load_config, load_schema, validate_config
from vitrify.settings import AnalysisSettings, Settings, TrainingSettings

SOURCE = "config/test.yaml"


@pytest.fixture(scope="module")
def good():
    """config/test.yaml completed with the schema's defaults."""
    return config("test")


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
    "missing key": (S + ["n_atoms"], DELETE, "systems.silica.n_atoms", "<missing>", "required"),
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
    "ring figure of a method not computed": (["analysis", "ring_methods"], ["king"], "analysis.ring_figure_method", "'primitive'", "one of analysis.ring_methods"),
    "reference MD by a trained model": (["reference", "md_model"], "lr", "reference.md_model", "'lr'", "one of"),
    "teacher that is not one": (["reference", "labeler"], {"backend": "teacher", "options": {"potential": "vashishta_1990"}}, "reference.labeler.options.potential", "'vashishta_1990'", "a classical teacher, one of ['bks_ssp']"),
    "teacher option misspelt": (["reference", "labeler"], {"backend": "teacher", "options": {"potentail": "bks_ssp"}}, "reference.labeler.options.potentail", "'bks_ssp'", "only `potential`"),
    "trust levels the wrong way round": (["active_learning"], {"system": "silica", "lower_trust_eV_per_A": 2.0, "upper_trust_eV_per_A": 1.0}, "active_learning.lower_trust_eV_per_A", "2.0", "a level below upper_trust_eV_per_A (1.0)"),
    "negative trust level": (["active_learning"], {"system": "silica", "lower_trust_eV_per_A": -0.1}, "active_learning.lower_trust_eV_per_A", "-0.1", "> 0"),
    "convergence fraction above one": (["active_learning"], {"system": "silica", "converged_candidate_fraction": 1.5}, "active_learning.converged_candidate_fraction", "1.5", "<= 1"),
    "exploration cell too small to label": (["active_learning"], {"system": "silica", "explore_n_atoms": 24}, "active_learning.explore_n_atoms", "24", "at least reference.min_atoms (72)"),
    "exploration frames closer than a timestep": (["active_learning"], {"system": "silica", "explore_frame_interval_ps": 0.0005}, "active_learning.explore_frame_interval_ps", "0.0005", "at least one timestep"),
    "unknown production committee": (["active_learning"], {"system": "silica", "production": "best"}, "active_learning.production", "'best'", "one of"),
    "active learning on a system without committees": (["active_learning"], {"system": "cuzr"}, "active_learning.system", "'cuzr'", "the system of the mlip section"),
    "similarity cutoff of one": (["rise", "similarity_cutoff"], 1.0, "rise.similarity_cutoff", "1.0", "< 1"),
    "negative similarity cutoff": (["rise", "similarity_cutoff"], -0.5, "rise.similarity_cutoff", "-0.5", "> 0"),
    "unknown similarity convention": (["rise", "similarity_convention"], "angle", "rise.similarity_convention", "'angle'", "one of"),
    "mining fraction above one": (["rise", "mining_fraction"], 1.5, "rise.mining_fraction", "1.5", "<= 1"),
    "mining fraction zero": (["rise", "mining_fraction"], 0, "rise.mining_fraction", "0", "> 0"),
    "fewer training samples than folds": (["rise", "xgb_folds"], 50, "rise.xgb_folds", "50", "at most the 8 training samples"),
    "validation and test fractions summing to one": (["rise", "validation_fraction"], 0.8, "rise.validation_fraction", "0.8", "a sum with rise.test_fraction (0.2) below 1"),
    "a rate set too small to stratify": (["rise", "snapshots_per_anneal"], 1, "rise.snapshots_per_anneal", "1", "enough for one sample each in train, validation and test"),
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
    cfg = copy.deepcopy(good)  # completed: mlip.md is there
    cfg["mlip"]["md"]["driver"] = "pair_style_mace"
    cfg["mlip"]["export_torchscript"] = False
    with pytest.raises(ConfigError, match=r"mlip.md.driver = 'pair_style_mace': expected mlip.export_torchscript: true"):
        validate_config(cfg, source=SOURCE)


def test_shipped_configs_are_valid(repo):
    for name in ("config.yaml", "test.yaml", "campaign.yaml", "validation.yaml"):
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


def test_defaults_fill_what_a_file_leaves_out(repo):
    raw = yaml.safe_load((repo / SOURCE).read_text())
    assert "md" not in raw["mlip"] and "replicas" not in raw["systems"]["silica"]
    full = config("test")
    assert full["mlip"]["md"] == {"dtype": "float64", "device": "auto", "driver": "callback"}
    assert full["systems"]["silica"]["replicas"] == 1
    assert full["systems"]["silica"]["md"]["timestep_fs"] == raw["systems"]["silica"]["md"]["timestep_fs"]
    assert full["resources"]["default"] == {"threads": 1, "runtime_min": 10, "mem_mb": 1000}
    assert all("save_frames" in seg and "quench" in seg for seg in full["systems"]["cuzr"]["protocol"])


def test_defaults_never_invent_systems_studies_or_sections():
    cfg = {"run_name": "x", "systems": {}}
    fill_defaults(cfg, load_schema())
    assert cfg["systems"] == {} and not {"rise", "mlip", "reference", "analysis"} & set(cfg)


def test_the_default_config_is_the_schema_defaults(repo):
    """config.yaml's values are the defaults: its sections say little more than their system."""
    raw = yaml.safe_load((repo / "config" / "config.yaml").read_text())
    assert raw["mlip"] == {"system": "silica"} and raw["analysis"] == {"system": "silica"}


def test_readme_shows_every_default(repo):
    text = (repo / "config" / "README.md").read_text()
    block = text.split("<!-- defaults:start -->\n")[1].split("\n<!-- defaults:end -->")[0]
    assert block == defaults_table(), "config/README.md is stale: regenerate with `python -m vitrify.config`"


def test_typed_settings_of_every_shipped_config(repo):
    for name in ("config", "test", "campaign", "validation", "rise"):
        s = Settings.from_config(config(name))
        if name != "rise":  # the RISE config runs Cu-Zr alone
            silica = s.systems["silica"]
            assert silica.name == "silica" and silica.md.timestep_fs > 0 and silica.protocol[0].name == "melt"
            assert s.mlip.md.driver in ("callback", "pair_style_mace")
        for study in (s.rise.studies if s.rise else ()):
            own = s.rise.for_study(study)
            assert own.studies == () and own.anneal_temperatures_K == (study.anneal_temperatures_K
                                                                       or s.rise.anneal_temperatures_K)
    # A changed value shows in the settings' repr, which Snakemake compares to rerun jobs.
    a = Settings.from_config(config("test")).systems["silica"]
    b_cfg = config("test")
    b_cfg["systems"]["silica"]["md"]["thermostat_damping_fs"] = 50.0
    assert repr(a) != repr(Settings.from_config(b_cfg).systems["silica"])


def test_block_defaults_come_from_the_schema():
    assert TrainingSettings.defaults().max_epochs == load_schema()["$defs"]["mlip"]["properties"]["training"][
        "properties"]["max_epochs"]["default"]
    assert AnalysisSettings.defaults(system="silica", ring_max_size=8).ring_max_size == 8
