# Configuration, output layout and target lists shared by all rule files.
#
# The config is validated and completed with the schema's defaults once, then turned into
# typed settings (vitrify.settings). Rules pass jobs exactly the settings objects they
# read, as params: a changed value reruns exactly the jobs that read it. Paths come from
# vitrify.paths.Layout, model kinds from vitrify.md.potentials.MODEL_KINDS.
import json
import sys
from pathlib import Path

from vitrify.config import ConfigError, validate_config
from vitrify.md.potentials import MODEL_KINDS, model_label, model_source, teacher_model
from vitrify.paths import (
    ANALYSIS_TABLES,
    MD_RUN_FILES,
    MLIP_FIGURES,
    RISE_FIGURES,
    STRUCTURE_FIGURES,
    VIT_FIGURES,
    Layout,
    fmt_number,
)
from vitrify.rise.splits import mining_seed_for
from vitrify.provenance import (
    PROVENANCE_KEY,
    caption_provenance,
    config_sha256,
    git_commit,
)
from vitrify.report_numbers import KeyNumberPlan, key_number_files
from vitrify.settings import Settings

CONFIG_SOURCE = (
    ", ".join(map(str, workflow.overwrite_configfiles)) or "config/config.yaml"
)
try:
    validate_config(config, source=CONFIG_SOURCE, base_dir=Path(workflow.basedir))
except ConfigError as err:
    sys.exit(f"vitrify: invalid configuration: {err}")

S = Settings.from_config(config)
P = Layout(S.run_name)
SYSTEMS = S.systems
RISE = S.rise
ANALYSIS = S.analysis
REFERENCE = S.reference
MLIP = S.mlip
ACTIVE = S.active_learning
# Each iteration's committee trains with mlip.training, for active_learning.max_epochs if set.
ACTIVE_TRAINING = (
    MLIP.training.replace(max_epochs=ACTIVE.max_epochs)
    if ACTIVE is not None and ACTIVE.max_epochs is not None
    else (MLIP.training if MLIP else None)
)
RISE_STUDIES = {st.name: st for st in RISE.studies} if RISE else {}
# Every model kind's legend label in every system (the mlip archs need not run MD).
LABELS = {s: {m: model_label(SYSTEMS[s], m) for m in MODEL_KINDS} for s in SYSTEMS}
KEY_NUMBERS = KeyNumberPlan.from_settings(S, LABELS)
# Captions are Jinja templates that Snakemake renders with the config and a job's own
# fields only, so the config carries the provenance sentences (vitrify.provenance) to
# every caption. Added after validation and hashing, read by nothing but the report.
config[PROVENANCE_KEY] = caption_provenance(
    S,
    LABELS,
    {m for m, kind in MODEL_KINDS.items() if kind.trained},
    git_commit(workflow.basedir),
    config_sha256(config),
    CONFIG_SOURCE,
)


wildcard_constraints:
    system="|".join(SYSTEMS),
    model="|".join(MODEL_KINDS),
    rate=r"[0-9][0-9.e+-]*",
    rep=r"\d+",
    T=r"[0-9][0-9.]*",
    r=r"[0-9][0-9.]*",
    L=r"\d+",
    study="|".join(RISE_STUDIES) if RISE else "none",
    seed=r"\d+",
    phase="|".join(ANALYSIS.phases) if ANALYSIS else "none",
    cond=r"\d+",
    batch=r"\d+",
    arch="|".join(MLIP.archs) if MLIP else "none",
    member=r"seed\d+|lc[0-9.]+",
    it=r"\d+",


def trained(model):
    """Whether a model file of the mlip stage drives this model."""
    return MODEL_KINDS[model].trained


def md_runs(system):
    """(model, rate, replica) of every melt-quench of a system."""
    cfg = SYSTEMS[system]
    return [
        (model, fmt_number(rate), rep)
        for model in cfg.models
        for rate in cfg.cooling_rates_K_per_ps
        for rep in range(cfg.replicas)
    ]


def tracked(**params):
    """A rule's params plus `settings_key`: the repr of all of them, for each job.

    Snakemake's params trigger compares only builtin values (strings, numbers, lists,
    dicts) and skips any other object as unrepresentable, so a settings object alone
    would never rerun a job. The key is a string holding every param's repr (a frozen
    settings dataclass lists every field in it), so a changed value reruns exactly the
    jobs that read it, and only those."""

    def settings_key(wildcards):
        values = {k: v(wildcards) if callable(v) else v for k, v in params.items()}
        return repr(sorted(values.items()))

    return {**params, "settings_key": settings_key}


def res(rule_name, key):
    """A resource of a rule from config, falling back to resources.default."""
    return S.resources.get(rule_name, {}).get(key, S.resources["default"][key])


def log_of(rule_name, tag):
    return P.log(rule_name, tag)


def bench_of(rule_name, tag):
    return P.benchmark(rule_name, tag)


# ---- MD ----------------------------------------------------------------------------
def md_model_file(system, model):
    """The model file driving an ML melt-quench (the first committee seed), or nothing."""
    if not trained(model):
        return []
    return P.model_file(system, model, f"seed{MLIP.seeds[0]}")


def md_model_settings(model):
    """mlip.md (device, dtype, driver) of a trained model's MD job; None for others."""
    return MLIP.md if trained(model) else None


def md_lammps_model_file(system, model):
    """The TorchScript export when LAMMPS itself runs the model (pair_style mace)."""
    if not (
        trained(model)
        and MODEL_KINDS[model].lammps_pair_style
        and MLIP.md.driver == "pair_style_mace"
    ):
        return []
    return P.lammps_model_file(system, model, f"seed{MLIP.seeds[0]}")


def committee_files(system, model):
    return [P.model_file(system, model, f"seed{s}") for s in MLIP.seeds]


def md_files_of_model(system, model, name):
    return [
        P.md_file(name, system, model, rate, rep)
        for m, rate, rep in md_runs(system)
        if m == model
    ]


def committee_tables(system):
    return [
        P.md_file("committee.csv", system, model, rate, rep)
        for model, rate, rep in md_runs(system)
        if trained(model)
    ]


# ---- RISE ----------------------------------------------------------------------------
def rise_study(study):
    return RISE_STUDIES[study]


def rise_settings(study):
    """The rise settings with the study's own overrides in place."""
    return RISE.for_study(RISE_STUDIES[study])


def rise_system(study):
    return SYSTEMS[RISE_STUDIES[study].system]


def rise_sample_files(study):
    """Inherent-structure sample sets of a study: every glass of its system and model
    x anneal temperature."""
    st = RISE_STUDIES[study]
    return [
        P.rise_samples(study, rate, rep, T)
        for model, rate, rep in md_runs(st.system)
        if model == st.model
        for T in rise_settings(study).anneal_temperatures_K
    ]


def rise_grid(study, kind, ext):
    """One file per (radius, seed) of a RISE stage (the regression results)."""
    return [
        P.rise_grid_file(kind, ext, study, r, seed)
        for r in RISE.soap_r_cut_A
        for seed in RISE.seeds
    ]


def rise_environment_file(study, r, seed, ext, kind="environments"):
    """The environments a regression seed reads: the one shared mining draw
    (mining_set random_fraction) or the seed's own (training_samples); kind "leaders"
    gives that draw's environment library."""
    return P.rise_grid_file(
        kind,
        ext,
        study,
        r,
        mining_seed_for(rise_settings(study).environments, seed),
    )


def rise_environment_files(study):
    """Every environment statistics file of a study, each once."""
    return list(
        dict.fromkeys(
            rise_environment_file(study, r, seed, "json")
            for r in RISE.soap_r_cut_A
            for seed in RISE.seeds
        )
    )


def rise_energy_source(study):
    st = RISE_STUDIES[study]
    return model_source(SYSTEMS[st.system], st.model)


# ---- structure analysis --------------------------------------------------------------
def compare_rate(system):
    """The cooling rate at which models are compared (config, or the slowest)."""
    rate = ANALYSIS.compare_cooling_rate_K_per_ps
    return fmt_number(
        rate if rate is not None else min(SYSTEMS[system].cooling_rates_K_per_ps)
    )


def analysis_inputs(system, phase):
    """metrics.json of every model and replica at the comparison rate."""
    rate = compare_rate(system)
    return [
        f"{P.analysis_dir(system, model, rate, rep, phase)}/metrics.json"
        for model, r, rep in md_runs(system)
        if r == rate
    ]


def teacher_label(system):
    """Legend label of the system's classical teacher, or None."""
    model = teacher_model(SYSTEMS[system])
    return model_label(SYSTEMS[system], model) if model else None


def model_labels(system):
    """Legend label of each model of a system: its name and where its energies come from."""
    return {m: LABELS[system][m] for m in SYSTEMS[system].models}


# ---- reference data and models ---------------------------------------------------------
def reference_md_files(system):
    return [
        f"{P.reference_md_dir(system, c)}/trajectory.extxyz"
        for c in range(len(REFERENCE.md_conditions))
    ]


def reference_batch_files(system):
    if REFERENCE is None:
        return []
    return [P.reference_batch(system, b) for b in range(REFERENCE.n_batches)]


def reference_label_files(system):
    """Labelled batches; a user dataset (backend 'dataset') brings its own labels."""
    if REFERENCE.labeler.from_dataset:
        return []
    return [P.reference_label(system, b) for b in range(REFERENCE.n_batches)]


def mlip_members():
    """(arch, member) of every trained model: the committee seeds and the learning curve."""
    if MLIP is None:
        return []
    return [
        (arch, member)
        for arch in MLIP.archs
        for member in [f"seed{s}" for s in MLIP.seeds]
        + [f"lc{f:g}" for f in MLIP.learning_curve_fractions]
    ]


def mlip_member_files(name):
    return [f"{P.model_dir(MLIP.system, a, m)}/{name}" for a, m in mlip_members()]


# ---- active learning -------------------------------------------------------------------
def al_dataset(system, it, split):
    """The dataset iteration `it` trains on: the reference dataset, then each extension."""
    return P.dataset(split, system) if int(it) == 0 else P.al_dataset(split, system, it)


def al_decision(system, it):
    """The decision of iteration `it` (the checkpoint's output, read once it exists)."""
    with open(checkpoints.al_select.get(system=system, it=it).output.decision) as fh:
        return json.load(fh)


def al_final_iteration(system):
    """The iteration where the loop stopped (asks the checkpoint of each iteration in turn)."""
    it = 0
    while not al_decision(system, it)["stop"]:
        it += 1
    return it


def training_dataset(split):
    """The dataset the mlip stage trains and tests on."""
    if ACTIVE is None:
        return P.dataset(split, MLIP.system)
    return al_dataset(MLIP.system, al_final_iteration(MLIP.system), split)


def al_production_member(system, arch, member):
    """[model, history] of the last iteration's committee member a production seed member
    reuses (active_learning.production: last_iteration), else []: learning-curve members
    always train on their subset."""
    if (
        ACTIVE is None
        or ACTIVE.production != "last_iteration"
        or not member.startswith("seed")
    ):
        return []
    folder = P.al_model_dir(
        system, al_final_iteration(system), arch, member[len("seed") :]
    )
    return [f"{folder}/model.pt", f"{folder}/history.csv"]


def al_anneals(system, arch):
    """(anneal settings, T) for each anneal a RISE study runs on `arch`'s glasses of
    `system`: the exploration anneals its own glass the same way."""
    return [
        (rise_settings(name).anneal, T)
        for name, study in RISE_STUDIES.items()
        if study.system == system and study.model == arch
        for T in rise_settings(name).anneal_temperatures_K
    ]


def al_rate(system):
    rate = ACTIVE.cooling_rate_K_per_ps
    return rate if rate is not None else SYSTEMS[system].cooling_rates_K_per_ps[0]


def al_iterations(system):
    """Every iteration the loop ran, the one where it stopped included."""
    return range(al_final_iteration(system) + 1)


# ---- targets ---------------------------------------------------------------------------
def all_targets():
    targets = [P.key_numbers("csv"), P.key_numbers("html")]
    if REFERENCE is not None:
        targets.append(P.figure(REFERENCE.system, "reference_dataset"))
    if ANALYSIS is not None:
        targets += [
            P.structure_figure(name, ANALYSIS.system, phase)
            for phase in ANALYSIS.phases
            for name in STRUCTURE_FIGURES
        ]
        targets += [
            P.picture(ANALYSIS.system, model, phase)
            for model in SYSTEMS[ANALYSIS.system].models
            for phase in ANALYSIS.phases
        ]
    if MLIP is not None:
        system = MLIP.system
        targets += [P.figure(system, f"mlip_{name}") for name in MLIP_FIGURES]
        targets += [
            f"{P.model_dir(system, arch, f'seed{MLIP.seeds[0]}')}/export_check.json"
            for arch in MLIP.archs
            if MLIP.export_torchscript and MODEL_KINDS[arch].lammps_pair_style
        ]
        if any(trained(m) for m in SYSTEMS[system].models):
            targets.append(P.figure(system, "committee_disagreement"))
        if ACTIVE is not None:
            targets += [P.al_summary(system), P.figure(system, "active_learning")]
    for study, st in RISE_STUDIES.items():
        targets += [P.rise_figure(name, study) for name in RISE_FIGURES]
        targets.append(P.rise_figure("overview", study))
        if set(SYSTEMS[st.system].species) == {"Cu", "Zr"}:
            targets.append(P.rise_figure("picture_environments", study))
        if st.vit:
            targets += [P.rise_figure(f"vit_{name}", study) for name in VIT_FIGURES]
    if len(RISE_STUDIES) > 1:
        targets.append(P.rise_studies_figure())
    for system in SYSTEMS:
        for model, rate, rep in md_runs(system):
            targets.append(P.thermo_figure(system, model, rate, rep))
        for model in SYSTEMS[system].models:
            targets.append(P.glass_summary(system, model))
            targets.append(P.quench_energy_figure(system, model))
    return targets
