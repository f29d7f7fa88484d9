"""Where every output of a run lives: the one path layout of rules, scripts and tests.

Each method returns a path relative to the working directory. Called without arguments it
returns the Snakemake pattern (`{system}`, `{rate}`, ... as wildcards); called with values
it returns one concrete file. The rule files build their inputs and outputs only from
here, so following an output from its rule to its science starts in this module.
"""

from __future__ import annotations

from dataclasses import dataclass

RESULTS_ROOT, LOGS_ROOT, BENCHMARKS_ROOT = "results", "logs", "benchmarks"

# The files one melt-quench run leaves in its directory, by the rule's output names.
MD_RUN_FILES = {"trajectory": "trajectory.extxyz", "thermo": "thermo.csv", "final": "final.extxyz",
                "data": "final.data", "meta": "run.json"}
# The tables one structure analysis writes beside metrics.json.
ANALYSIS_TABLES = ("gr", "sq", "realspace", "angles", "rings")
# The figures of one phase's model comparison.
STRUCTURE_FIGURES = ("sq", "fsdp", "T", "gr", "rings", "angles", "overlay")
MLIP_FIGURES = ("parity", "learning_curves", "training")
RISE_FIGURES = ("rmse_vs_radius", "environments_vs_radius", "parity_at_rise")
VIT_FIGURES = ("rmse_vs_communication_length", "attribution_profile")


def fmt_number(value) -> str:
    """Numbers as they appear in paths: 100 -> '100', 0.5 -> '0.5' (a wildcard passes through)."""
    return value if isinstance(value, str) else f"{value:g}"


@dataclass(frozen=True)
class Layout:
    """The output tree of the run named `run_name`."""

    run_name: str

    # ---- roots, logs and benchmarks --------------------------------------------------
    @property
    def results(self) -> str:
        return f"{RESULTS_ROOT}/{self.run_name}"

    def log(self, rule: str, tag: str) -> str:
        """The log of one job of `rule`; `tag` names the job by its wildcards."""
        return f"{LOGS_ROOT}/{self.run_name}/{rule}/{tag}.log"

    def benchmark(self, rule: str, tag: str) -> str:
        return f"{BENCHMARKS_ROOT}/{self.run_name}/{rule}/{tag}.tsv"

    def key_numbers(self, ext: str = "csv") -> str:
        """The report's front page: the run's key numbers as a table (csv) or a page (html)."""
        return f"{self.results}/report/key_numbers.{ext}"

    def figure(self, system="{system}", name="{name}") -> str:
        return f"{self.results}/{system}/figures/{name}.png"

    # ---- melt-quench MD ----------------------------------------------------------------
    def md_dir(self, system="{system}", model="{model}", rate="{rate}", rep="{rep}") -> str:
        return f"{self.results}/{system}/md/{model}/rate{fmt_number(rate)}/rep{rep}"

    def md_file(self, name: str, system="{system}", model="{model}", rate="{rate}", rep="{rep}") -> str:
        return f"{self.md_dir(system, model, rate, rep)}/{name}"

    def glass_summary(self, system="{system}", model="{model}") -> str:
        return f"{self.results}/{system}/md/{model}/glass_summary.csv"

    def thermo_figure(self, system="{system}", model="{model}", rate="{rate}", rep="{rep}") -> str:
        return self.figure(system, f"thermo_{model}_rate{fmt_number(rate)}_rep{rep}")

    def quench_energy_figure(self, system="{system}", model="{model}") -> str:
        return self.figure(system, f"quench_energy_{model}")

    # ---- structure analysis -------------------------------------------------------------
    def analysis_dir(self, system="{system}", model="{model}", rate="{rate}", rep="{rep}", phase="{phase}") -> str:
        return f"{self.results}/{system}/analysis/{model}/rate{fmt_number(rate)}/rep{rep}/{phase}"

    def compare_dir(self, system="{system}", phase="{phase}") -> str:
        return f"{self.results}/{system}/analysis/compare/{phase}"

    def structure_figure(self, name: str, system="{system}", phase="{phase}") -> str:
        return self.figure(system, f"structure_{phase}_{name}")

    def picture(self, system="{system}", model="{model}", phase="{phase}") -> str:
        """A rendered picture of one model's network in one phase (OVITO)."""
        return self.figure(system, f"picture_{model}_{phase}")

    # ---- reference data ---------------------------------------------------------------------
    def reference_dir(self, system="{system}") -> str:
        return f"{self.results}/{system}/reference"

    def reference_md_dir(self, system="{system}", cond="{cond}") -> str:
        return f"{self.reference_dir(system)}/md/cond{cond}"

    def reference_batch(self, system="{system}", batch="{batch}") -> str:
        return f"{self.reference_dir(system)}/batches/batch{batch}.extxyz"

    def reference_label(self, system="{system}", batch="{batch}", ext="extxyz") -> str:
        return f"{self.reference_dir(system)}/labels/batch{batch}.{ext}"

    def reference_label_work(self, system="{system}", batch="{batch}") -> str:
        return f"{self.reference_dir(system)}/labels/work/batch{batch}"

    def dataset(self, split: str, system="{system}") -> str:
        """split: train, valid, test (extxyz) or summary (json)."""
        ext = "json" if split == "summary" else "extxyz"
        return f"{self.reference_dir(system)}/dataset/{split}.{ext}"

    # ---- trained models ------------------------------------------------------------------------
    def model_dir(self, system="{system}", arch="{arch}", member="{member}") -> str:
        return f"{self.results}/{system}/models/{arch}/{member}"

    def model_file(self, system="{system}", arch="{arch}", member="{member}") -> str:
        return f"{self.model_dir(system, arch, member)}/model.pt"

    def lammps_model_file(self, system="{system}", arch="{arch}", member="{member}") -> str:
        """The TorchScript export for LAMMPS pair_style mace (vitrify.md.potentials reads it here)."""
        return f"{self.model_dir(system, arch, member)}/model-lammps.pt"

    def model_evaluation(self, system="{system}") -> str:
        return f"{self.results}/{system}/models/evaluation.csv"

    # ---- active learning -------------------------------------------------------------------
    def al_dir(self, system="{system}", it="{it}") -> str:
        return f"{self.results}/{system}/active/iter{it}"

    def al_dataset(self, split: str, system="{system}", it="{it}") -> str:
        """The dataset iteration `it` (>= 1) trains on; iteration 0 trains on `dataset`."""
        ext = "json" if split == "summary" else "extxyz"
        return f"{self.al_dir(system, it)}/dataset/{split}.{ext}"

    def al_model_dir(self, system="{system}", it="{it}", arch="{arch}", seed="{seed}") -> str:
        return f"{self.al_dir(system, it)}/models/{arch}/seed{seed}"

    def al_model_file(self, system="{system}", it="{it}", arch="{arch}", seed="{seed}") -> str:
        return f"{self.al_model_dir(system, it, arch, seed)}/model.pt"

    def al_explore_dir(self, system="{system}", it="{it}", arch="{arch}") -> str:
        return f"{self.al_dir(system, it)}/explore/{arch}"

    def al_file(self, name: str, system="{system}", it="{it}") -> str:
        """selected.extxyz, decision.json, labels/labelled.extxyz, labels/summary.json of an iteration."""
        return f"{self.al_dir(system, it)}/{name}"

    def al_summary(self, system="{system}", ext="csv") -> str:
        return f"{self.results}/{system}/active/summary.{ext}"

    # ---- RISE ---------------------------------------------------------------------------
    def rise_dir(self, study="{study}") -> str:
        return f"{self.results}/rise/{study}"

    def rise_anneal_dir(self, study="{study}", rate="{rate}", rep="{rep}", T="{T}") -> str:
        return f"{self.rise_dir(study)}/anneal/rate{fmt_number(rate)}/rep{rep}/T{fmt_number(T)}"

    def rise_samples(self, study="{study}", rate="{rate}", rep="{rep}", T="{T}") -> str:
        return f"{self.rise_dir(study)}/samples/rate{fmt_number(rate)}_rep{rep}_T{fmt_number(T)}.extxyz"

    def rise_samples_work(self, study="{study}", rate="{rate}", rep="{rep}", T="{T}") -> str:
        return f"{self.rise_dir(study)}/samples/work/rate{fmt_number(rate)}_rep{rep}_T{fmt_number(T)}"

    def rise_soap_index(self, study="{study}", r="{r}") -> str:
        return f"{self.rise_dir(study)}/soap/r{fmt_number(r)}/index.json"

    def rise_grid_file(self, kind: str, ext: str, study="{study}", r="{r}", seed="{seed}") -> str:
        """One file per (radius, seed) of a RISE stage: kind 'xgb' or 'environments'."""
        return f"{self.rise_dir(study)}/{kind}/r{fmt_number(r)}/seed{seed}.{ext}"

    def rise_vit_result(self, study="{study}", L="{L}", seed="{seed}") -> str:
        return f"{self.rise_dir(study)}/vit/L{L}/seed{seed}.json"

    def rise_vit_work(self, study="{study}") -> str:
        return f"{self.rise_dir(study)}/vit/work"

    def rise_figure(self, name: str, study="{study}") -> str:
        return f"{self.rise_dir(study)}/figures/{name}.png"

    def rise_studies(self) -> str:
        return f"{self.results}/rise/studies.json"

    def rise_studies_figure(self) -> str:
        return f"{self.results}/rise/figures/rmse_vs_radius_studies.png"
