# Configuration checks, output locations and target lists shared by all rule files.
import sys
from pathlib import Path

from vitrify.config import ConfigError, validate_config
from vitrify.rise.studies import study_settings

CONFIG_SOURCE = (
    ", ".join(map(str, workflow.overwrite_configfiles)) or "config/config.yaml"
)
try:
    validate_config(config, source=CONFIG_SOURCE, base_dir=Path(workflow.basedir))
except ConfigError as err:
    sys.exit(f"vitrify: invalid configuration: {err}")

RUN = config["run_name"]
RESULTS = f"results/{RUN}"
LOGS = f"logs/{RUN}"
BENCH = f"benchmarks/{RUN}"
SYSTEMS = config["systems"]
RISE = config.get("rise")
ANALYSIS = config.get("analysis")
REFERENCE = config.get("reference")
MLIP = config.get("mlip")
RISE_STUDIES = (
    {f"{st['system']}_{st['model']}": st for st in RISE["studies"]} if RISE else {}
)


wildcard_constraints:
    system="|".join(SYSTEMS),
    model="classical|sr|lr",
    rate=r"[0-9][0-9.e+-]*",
    rep=r"\d+",
    T=r"[0-9][0-9.]*",
    r=r"[0-9][0-9.]*",
    L=r"\d+",
    study="|".join(RISE_STUDIES) if RISE else "none",
    seed=r"\d+",
    phase="|".join(ANALYSIS["phases"]) if ANALYSIS else "none",
    cond=r"\d+",
    batch=r"\d+",
    arch="sr|lr",
    member=r"seed\d+|lc[0-9.]+",


def fmt_rate(rate):
    """Cooling rates as they appear in paths: 100 -> '100', 0.5 -> '0.5'."""
    return f"{rate:g}"


def md_runs(system):
    """(model, rate, replica) of every melt-quench of a system."""
    cfg = SYSTEMS[system]
    return [
        (model, fmt_rate(rate), rep)
        for model in cfg["models"]
        for rate in cfg["cooling_rates_K_per_ps"]
        for rep in range(cfg["replicas"])
    ]


def md_dir(system, model, rate, rep):
    return f"{RESULTS}/{system}/md/{model}/rate{rate}/rep{rep}"


def res(rule_name, key):
    """A resource of a rule from config, falling back to resources.default."""
    table = config["resources"]
    return table.get(rule_name, {}).get(key, table["default"][key])


def rise_settings(study):
    """The rise section with the study's own overrides (vitrify.rise.samples.study_settings)."""
    return study_settings(RISE, RISE_STUDIES[study])


def rise_temperatures(study):
    return rise_settings(study)["anneal_temperatures_K"]


def rise_sample_files(study):
    """Inherent-structure sample sets of a study: every glass of its system and model
    x anneal temperature."""
    st = RISE_STUDIES[study]
    return [
        f"{RESULTS}/rise/{study}/samples/rate{rate}_rep{rep}_T{fmt_rate(T)}.extxyz"
        for model, rate, rep in md_runs(st["system"])
        if model == st["model"]
        for T in rise_temperatures(study)
    ]


def rise_grid(study, kind, ext):
    """One file per (radius, seed) of a RISE stage: kind is 'xgb' or 'environments'."""
    return [
        f"{RESULTS}/rise/{study}/{kind}/r{fmt_rate(r)}/seed{seed}.{ext}"
        for r in RISE["soap_r_cut_A"]
        for seed in RISE["seeds"]
    ]


def rise_energy_source(study):
    st = RISE_STUDIES[study]
    if st["model"] == "classical":
        return f"classical potential {SYSTEMS[st['system']]['classical_potential']}"
    return f"MACE {st['model'].upper()} (first committee seed) trained on the {st['system']} reference data"


def compare_rate(system):
    """The cooling rate at which models are compared (config, or the slowest)."""
    rate = ANALYSIS["compare_cooling_rate_K_per_ps"]
    return fmt_rate(
        rate if rate is not None else min(SYSTEMS[system]["cooling_rates_K_per_ps"])
    )


def analysis_inputs(system, phase):
    """metrics.json of every model and replica at the comparison rate."""
    rate = compare_rate(system)
    return [
        f"{RESULTS}/{system}/analysis/{model}/rate{rate}/rep{rep}/{phase}/metrics.json"
        for model, r, rep in md_runs(system)
        if r == rate
    ]


def model_labels(system):
    """Legend label of each model: its name and where its energies come from."""
    cfg = SYSTEMS[system]
    return {
        "classical": f"classical ({cfg['classical_potential']})",
        "sr": "MACE SR",
        "lr": "MACE LR",
    }


def n_reference_batches():
    return -(-REFERENCE["n_select"] // REFERENCE["batch_size"])


def reference_md_files(system):
    n = len(REFERENCE["md_conditions"])
    return [
        f"{RESULTS}/{system}/reference/md/cond{c}/trajectory.extxyz" for c in range(n)
    ]


def reference_batch_files(system):
    if REFERENCE is None:
        return []
    return [
        f"{RESULTS}/{system}/reference/batches/batch{b}.extxyz"
        for b in range(n_reference_batches())
    ]


def reference_label_files(system):
    """Labelled batches; a user dataset (backend 'dataset') needs none."""
    if REFERENCE["labeler"]["backend"] == "dataset":
        return []
    return [
        f"{RESULTS}/{system}/reference/labels/batch{b}.extxyz"
        for b in range(n_reference_batches())
    ]


def mlip_members():
    """(arch, member) of every trained model: the committee seeds and the learning curve."""
    if MLIP is None:
        return []
    return [
        (arch, member)
        for arch in MLIP["archs"]
        for member in [f"seed{s}" for s in MLIP["seeds"]]
        + [f"lc{f:g}" for f in MLIP["learning_curve_fractions"]]
    ]


def mlip_dir(arch, member):
    return f"{RESULTS}/{MLIP['system']}/models/{arch}/{member}"


def mlip_dataset(split):
    return f"{RESULTS}/{MLIP['system']}/reference/dataset/{split}.extxyz"


def md_model_file(system, model):
    """The model file driving an ML melt-quench (the first committee seed), or nothing."""
    if model == "classical":
        return []
    return f"{RESULTS}/{system}/models/{model}/seed{MLIP['seeds'][0]}/model.pt"


def md_model_settings(model):
    """mlip.md (device, dtype, driver) for an ML model's MD job; a param, so a change reruns it."""
    return None if model == "classical" else MLIP["md"]


def md_torchscript_file(system, model):
    """The SR TorchScript export when LAMMPS itself runs the model (pair_style mace)."""
    if model != "sr" or MLIP["md"]["driver"] != "pair_style_mace":
        return []
    return f"{RESULTS}/{system}/models/sr/seed{MLIP['seeds'][0]}/model-lammps.pt"


def committee_files(system, model):
    return [
        f"{RESULTS}/{system}/models/{model}/seed{s}/model.pt" for s in MLIP["seeds"]
    ]


def all_targets():
    targets = []
    if REFERENCE is not None:
        targets.append(f"{RESULTS}/{REFERENCE['system']}/figures/reference_dataset.png")
    if ANALYSIS is not None:
        targets += [
            f"{RESULTS}/{ANALYSIS['system']}/figures/structure_{phase}_{name}.png"
            for phase in ANALYSIS["phases"]
            for name in ("sq", "fsdp", "T", "gr", "rings", "angles")
        ]
    if MLIP is not None:
        system = MLIP["system"]
        targets += [
            f"{RESULTS}/{system}/figures/mlip_{name}.png"
            for name in ("parity", "learning_curves", "training")
        ]
        if MLIP["export_torchscript"] and "sr" in MLIP["archs"]:
            targets.append(
                f"{RESULTS}/{system}/models/sr/seed{MLIP['seeds'][0]}/export_check.json"
            )
        if any(m != "classical" for m in SYSTEMS[system]["models"]):
            targets.append(f"{RESULTS}/{system}/figures/committee_disagreement.png")
    for study, st in RISE_STUDIES.items():
        targets += [
            f"{RESULTS}/rise/{study}/figures/{name}.png"
            for name in ("rmse_vs_radius", "environments_vs_radius", "parity_at_rise")
        ]
        if st["vit"]:
            targets += [
                f"{RESULTS}/rise/{study}/figures/vit_{name}.png"
                for name in ("rmse_vs_communication_length", "attribution_profile")
            ]
    if len(RISE_STUDIES) > 1:
        targets.append(f"{RESULTS}/rise/figures/rmse_vs_radius_studies.png")
    for system in SYSTEMS:
        for model, rate, rep in md_runs(system):
            targets.append(
                f"{RESULTS}/{system}/figures/thermo_{model}_rate{rate}_rep{rep}.png"
            )
        for model in SYSTEMS[system]["models"]:
            targets.append(f"{RESULTS}/{system}/md/{model}/glass_summary.csv")
            targets.append(f"{RESULTS}/{system}/figures/quench_energy_{model}.png")
    return targets
