"""The validated config as typed, immutable settings: one class per config block.

`Settings.from_config(config)` is called once, on a config that `vitrify.config` has
validated and completed with the schema's defaults. The schema is the one place that
lists keys, their defaults and their limits; the classes here only give the values
types, so code reads `system.md.timestep_fs` instead of indexing nested dicts.

Rules hand a job exactly the settings objects it reads, as Snakemake params: Snakemake
compares a job's params with those of its last run by `repr`, and the repr of a frozen
dataclass lists every field, so a changed value reruns exactly the jobs that read it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, fields
from typing import Any, ClassVar


def _convert(value, hint):
    """`value` (from YAML) as the type `hint`: nested settings, tuples, mappings, optionals."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(value, inner[0])
    if dataclasses.is_dataclass(hint):
        return hint.from_dict(value)
    if origin is tuple:
        (item, *_rest) = typing.get_args(hint)
        return tuple(_convert(v, item) for v in value)
    if origin is dict:
        _, item = typing.get_args(hint)
        return {k: _convert(v, item) for k, v in value.items()}
    return value


class Block:
    """Base of the settings classes: built from a config mapping, back to one for output."""

    # Where the block's keys are in the schema, for blocks whose every key has a default.
    SCHEMA_NODE: ClassVar[str | None] = None

    @classmethod
    def defaults(cls, **overrides):
        """The block with the schema's defaults, `overrides` in their place (library use,
        tests and benchmarks; the workflow builds settings from a validated config)."""
        from .config import load_schema, resolve_node  # noqa: PLC0415

        schema = load_schema()
        node = resolve_node({"$ref": cls.SCHEMA_NODE}, schema)
        values = {k: resolve_node(v, schema)["default"] for k, v in node["properties"].items()
                  if "default" in resolve_node(v, schema)}
        return cls.from_dict({**values, **overrides})

    @classmethod
    def from_dict(cls, data: dict):
        hints = typing.get_type_hints(cls)
        kwargs = {}
        for f in fields(cls):
            if f.name in data:
                kwargs[f.name] = _convert(data[f.name], hints[f.name])
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise KeyError(f"{cls.__name__}: config key {f.name!r} missing (the schema should have filled it)")
        return cls(**kwargs)

    def as_dict(self) -> dict:
        """Plain JSON-able values (tuples as lists), e.g. for provenance records."""
        def plain(v):
            if isinstance(v, Block):
                return v.as_dict()
            if isinstance(v, (tuple, list)):
                return [plain(x) for x in v]
            if isinstance(v, dict):
                return {k: plain(x) for k, x in v.items()}
            return v
        # An optional key left unset (a hold has no T_start_K) stays absent, as the user wrote it.
        return {f.name: plain(getattr(self, f.name)) for f in fields(self)
                if not (getattr(self, f.name) is None and f.default is None)}

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)


# ---- systems and their MD -------------------------------------------------------------
@dataclass(frozen=True)
class SegmentSettings(Block):
    name: str
    ensemble: str
    T_K: float | None = None
    T_start_K: float | None = None
    T_end_K: float | None = None
    duration_ps: float | None = None
    quench: bool = False
    pressure_GPa: float | None = None
    save_frames: bool = True

    @property
    def is_hold(self) -> bool:
        return self.T_K is not None

    @property
    def temperatures_K(self) -> tuple[float, float]:
        """(start, end) thermostat targets."""
        if self.is_hold:
            return float(self.T_K), float(self.T_K)
        return float(self.T_start_K), float(self.T_end_K)


@dataclass(frozen=True)
class MDSettings(Block):
    timestep_fs: float
    thermostat_damping_fs: float
    barostat_damping_fs: float
    neighbor_skin_A: float
    thermo_interval_ps: float
    frame_interval_ps: float
    restart_interval_ps: float
    minimize_start: bool
    guard_min_distance_A: float
    guard_max_temperature_K: float


@dataclass(frozen=True)
class SystemSettings(Block):
    name: str
    species: tuple[str, ...]
    composition: dict[str, float]
    n_atoms: int
    density_g_per_cm3: float
    min_distance_A: float
    start_structure_file: str | None
    classical_potential: str
    models: tuple[str, ...]
    cooling_rates_K_per_ps: tuple[float, ...]
    replicas: int
    md: MDSettings
    protocol: tuple[SegmentSettings, ...]

    @property
    def for_one_run(self) -> "SystemSettings":
        """The system as one run reads it: without the campaign's lists of models, rates and
        replicas, so adding a cooling rate does not make the finished runs out of date."""
        return dataclasses.replace(self, models=(), cooling_rates_K_per_ps=(), replicas=0)

    def segment(self, name: str) -> SegmentSettings:
        for seg in self.protocol:
            if seg.name == name:
                return seg
        raise KeyError(f"system {self.name}: no protocol segment {name!r}")


# ---- reference data ----------------------------------------------------------------
@dataclass(frozen=True)
class ConditionSettings(Block):
    T_K: float
    density_g_per_cm3: float


@dataclass(frozen=True)
class DatasetSettings(Block):
    file: str
    energy_key: str
    forces_key: str
    stress_key: str | None = None
    stress_unit: str = "eV/A^3"
    method: str | None = None


@dataclass(frozen=True)
class LabelerSettings(Block):
    backend: str
    options: dict[str, Any]
    dataset: DatasetSettings | None = None

    @property
    def from_dataset(self) -> bool:
        """A user dataset brings its labels: no labelling jobs run."""
        return self.backend == "dataset"


@dataclass(frozen=True)
class ReferenceSettings(Block):
    system: str
    polymorphs: tuple[str, ...]
    crystal_strains: tuple[float, ...]
    crystal_rattles_A: tuple[float, ...]
    crystal_seeds: tuple[int, ...]
    min_atoms: int
    md_n_atoms: int
    md_model: str
    md_conditions: tuple[ConditionSettings, ...]
    md_melt_T_K: float
    md_melt_ps: float
    md_cooling_rate_K_per_ps: float
    md_hold_ps: float
    md_frame_interval_ps: float
    liquid_min_T_K: float
    n_select: int
    batch_size: int
    labeler: LabelerSettings
    split_fractions: tuple[float, float, float]
    split_seed: int
    max_force_eV_per_A: float

    @property
    def n_batches(self) -> int:
        return -(-self.n_select // self.batch_size)


# ---- structure analysis -------------------------------------------------------------
@dataclass(frozen=True)
class ExperimentSettings(Block):
    phase: str
    radiation: str
    file: str
    kind: str
    q_unit: str
    q_column: str
    r_chi_range_inv_A: tuple[float, float]


@dataclass(frozen=True)
class AnalysisSettings(Block):
    """The analysis section: which frames, and every numerical choice of the analysis."""

    SCHEMA_NODE: ClassVar[str] = "#/$defs/analysis"

    system: str
    phases: dict[str, str]
    frames_per_phase: int
    compare_cooling_rate_K_per_ps: float | None
    r_max_A: float | None
    dr_A: float
    Q_min_inv_A: float
    Q_max_inv_A: float
    dQ_inv_A: float
    lorch: bool
    si_o_cutoff_A: float
    fsdp_search_inv_A: tuple[float, float]
    fsdp_half_width_inv_A: float
    principal_search_inv_A: tuple[float, float]
    principal_half_width_inv_A: float
    peak_model: str
    ring_methods: tuple[str, ...]
    ring_figure_method: str
    ring_max_size: int
    angle_bin_deg: float
    literature_table: str
    experiment: tuple[ExperimentSettings, ...]


# ---- machine-learned potentials ----------------------------------------------------
@dataclass(frozen=True)
class ModelSettings(Block):
    SCHEMA_NODE: ClassVar[str] = "#/$defs/mlip/properties/model"
    r_max_A: float
    num_channels: int
    max_L: int
    correlation: int
    num_interactions: int
    num_radial_basis: int
    radial_mlp: tuple[int, ...]
    lr_k_cutoff_inv_A: float
    lr_heads: int
    lr_head_dim: int
    lr_filter_basis: int
    lr_method: str
    lr_mesh_order: int
    lr_mesh_oversampling: float
    lr_mesh_above_k_vectors: int
    zbl_pair_repulsion: bool


@dataclass(frozen=True)
class TrainingSettings(Block):
    """Optimiser and loss settings of the training loop (mlip.training)."""

    SCHEMA_NODE: ClassVar[str] = "#/$defs/mlip/properties/training"
    max_epochs: int
    batch_size: int
    lr: float
    patience_epochs: int
    scheduler_patience_epochs: int
    scheduler_factor: float
    energy_weight: float
    forces_weight: float
    stress_weight: float
    dtype: str


@dataclass(frozen=True)
class ModelMDSettings(Block):
    """How a trained model runs in LAMMPS (mlip.md)."""

    dtype: str
    device: str
    driver: str


@dataclass(frozen=True)
class MLIPSettings(Block):
    system: str
    archs: tuple[str, ...]
    seeds: tuple[int, ...]
    model: ModelSettings
    training: TrainingSettings
    learning_curve_fractions: tuple[float, ...]
    device: str
    export_torchscript: bool
    md: ModelMDSettings


@dataclass(frozen=True)
class ActiveLearningSettings(Block):
    system: str
    max_iterations: int
    lower_trust_eV_per_A: float
    upper_trust_eV_per_A: float
    converged_candidate_fraction: float
    max_new_per_iteration: int
    cooling_rate_K_per_ps: float | None
    explore_n_atoms: int | None
    explore_frame_interval_ps: float | None
    max_epochs: int | None
    warm_start: bool
    production: str

    def exploration_system(self, system: "SystemSettings") -> "SystemSettings":
        """The system as the exploration runs it: one run, in a cell of explore_n_atoms
        atoms when set (the selected frames are labelled whole, so a DFT labeller needs a
        cell far smaller than the production runs'), saving a frame every
        explore_frame_interval_ps when set (a young potential breaks down within a
        picosecond of the melt: sparse frames would miss the ones worth labelling)."""
        one = system.for_one_run
        if self.explore_n_atoms is not None:
            one = dataclasses.replace(one, n_atoms=self.explore_n_atoms)
        if self.explore_frame_interval_ps is not None:
            one = dataclasses.replace(one, md=one.md.replace(frame_interval_ps=self.explore_frame_interval_ps))
        return one


# ---- RISE ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ViTSettings(Block):
    communication_blocks: tuple[int, ...]
    seeds: tuple[int, ...]
    grid: int
    sigma_A: float | None
    patch: int
    embed_dim: int
    depth: int
    heads: int
    mlp_ratio: float
    dropout: float
    pos_embedding: str
    tokens_attend_cls: bool
    lr: float
    weight_decay: float
    batch_size: int
    max_epochs: int
    patience: int
    grad_clip: float
    augment: str
    valid_fraction: float
    device: str
    attribution_top_k: int


# Keys a study may set for itself: what makes sense for Cu-Zr at 500-700 K (or for a
# classical potential's cost) need not for silica with an ML potential.
STUDY_OVERRIDES = ("anneal_temperatures_K", "anneal_duration_ps", "heating_rate_K_per_ps", "snapshots_per_anneal",
                   "minimize_ftol_eV_per_A", "minimize_max_iterations")


@dataclass(frozen=True)
class RiseStudySettings(Block):
    system: str
    model: str
    vit: bool
    anneal_temperatures_K: tuple[float, ...] | None = None
    anneal_duration_ps: float | None = None
    heating_rate_K_per_ps: float | None = None
    snapshots_per_anneal: int | None = None
    minimize_ftol_eV_per_A: float | None = None
    minimize_max_iterations: int | None = None

    @property
    def name(self) -> str:
        """A RISE study is one system with one model: 'cuzr_classical', 'silica_lr'."""
        return f"{self.system}_{self.model}"


def cosine_threshold(cutoff: float, convention: str) -> float:
    """The cosine similarity above which an atom matches an environment.

    "cosine": the value is the cosine itself, as the RISE paper states its 0.9975.
    "code_t": the value is the t of the authors' public code (muchen1453/RISE,
    Reductionist/Step1_GetULEs.py), which compares with 1 - (1 - t)^2 (t = 0.95 gives 0.9975).
    """
    if not 0.0 < cutoff < 1.0:
        raise ValueError(f"similarity cutoff must be in (0, 1), got {cutoff}")
    if convention == "cosine":
        return float(cutoff)
    if convention == "code_t":
        return 1.0 - (1.0 - float(cutoff)) ** 2
    raise ValueError(f"unknown similarity convention {convention!r}: expected cosine or code_t")


# What each RISE job reads, and nothing else: a job's params change only with these keys.
@dataclass(frozen=True)
class AnnealSettings(Block):
    heating_rate_K_per_ps: float
    anneal_duration_ps: float
    anneal_ensemble: str
    anneal_pressure_GPa: float
    snapshots_per_anneal: int


@dataclass(frozen=True)
class MinimiseSettings(Block):
    snapshots_per_anneal: int
    minimize_ftol_eV_per_A: float
    minimize_max_iterations: int


@dataclass(frozen=True)
class SoapStageSettings(Block):
    soap_n_max: int
    soap_l_max: int
    soap_sigma_A: float
    soap_samples_per_chunk: int


@dataclass(frozen=True)
class EnvironmentStageSettings(Block):
    similarity_cutoff: float
    similarity_convention: str
    unmatched_atoms: str
    mining_set: str
    mining_fraction: float
    mining_seed: int
    split: str
    test_fraction: float
    validation_fraction: float

    @property
    def cosine_cutoff(self) -> float:
        return cosine_threshold(self.similarity_cutoff, self.similarity_convention)


@dataclass(frozen=True)
class RegressionSettings(Block):
    split: str
    test_fraction: float
    validation_fraction: float
    xgb_search_space: str
    xgb_trials: int
    xgb_folds: int
    xgb_max_rounds: int
    xgb_early_stopping_rounds: int
    shap: bool


@dataclass(frozen=True)
class SplitSettings(Block):
    split: str
    test_fraction: float
    validation_fraction: float


def _view(cls, source):
    return cls(**{f.name: getattr(source, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class RiseSettings(Block):
    """The rise section; `for_study` gives one study's view with its overrides in place,
    and `anneal`, `minimise`, `soap`, `environments`, `regression` the keys each job reads."""

    studies: tuple[RiseStudySettings, ...]
    anneal_temperatures_K: tuple[float, ...]
    heating_rate_K_per_ps: float
    anneal_duration_ps: float
    anneal_ensemble: str
    anneal_pressure_GPa: float
    snapshots_per_anneal: int
    minimize_ftol_eV_per_A: float
    minimize_max_iterations: int
    soap_r_cut_A: tuple[float, ...]
    soap_n_max: int
    soap_l_max: int
    soap_sigma_A: float
    soap_samples_per_chunk: int
    similarity_cutoff: float
    similarity_convention: str
    unmatched_atoms: str
    mining_set: str
    mining_fraction: float
    mining_seed: int
    split: str
    test_fraction: float
    validation_fraction: float
    seeds: tuple[int, ...]
    xgb_trials: int
    xgb_folds: int
    xgb_max_rounds: int
    xgb_early_stopping_rounds: int
    xgb_search_space: str
    shap: bool
    vit: ViTSettings | None = None

    def for_study(self, study: RiseStudySettings) -> "RiseSettings":
        """These settings with the study's own values of STUDY_OVERRIDES in place; the
        study list is dropped, so a job's params change only with what it reads."""
        own = {k: getattr(study, k) for k in STUDY_OVERRIDES if getattr(study, k) is not None}
        return dataclasses.replace(self, studies=(), **own)

    @property
    def anneal(self) -> AnnealSettings:
        return _view(AnnealSettings, self)

    @property
    def minimise(self) -> MinimiseSettings:
        return _view(MinimiseSettings, self)

    @property
    def soap(self) -> SoapStageSettings:
        return _view(SoapStageSettings, self)

    @property
    def environments(self) -> EnvironmentStageSettings:
        return _view(EnvironmentStageSettings, self)

    @property
    def regression(self) -> RegressionSettings:
        return _view(RegressionSettings, self)

    @property
    def splits(self) -> SplitSettings:
        return _view(SplitSettings, self)

    def study(self, name: str) -> RiseStudySettings:
        for st in self.studies:
            if st.name == name:
                return st
        raise KeyError(f"no RISE study {name!r}; known: {[s.name for s in self.studies]}")


# ---- the whole campaign ----------------------------------------------------------------
@dataclass(frozen=True)
class Settings(Block):
    run_name: str
    seed: int
    systems: dict[str, SystemSettings]
    resources: dict[str, dict[str, Any]]
    reference: ReferenceSettings | None = None
    analysis: AnalysisSettings | None = None
    mlip: MLIPSettings | None = None
    rise: RiseSettings | None = None
    active_learning: ActiveLearningSettings | None = None

    @classmethod
    def from_config(cls, config: dict) -> "Settings":
        """Settings of a validated config (vitrify.config.load_config / validate_config)."""
        data = dict(config)
        data["systems"] = {name: {"name": name, **sys_cfg} for name, sys_cfg in config["systems"].items()}
        return cls.from_dict(data)
