# Melt-quench molecular dynamics (LAMMPS) and the figures that show how each run went.


rule md_melt_quench:
    input:
        model=lambda wc: md_model_file(wc.system, wc.model),
        lammps_model=lambda wc: md_lammps_model_file(wc.system, wc.model),
    output:
        **{key: P.md_file(name) for key, name in MD_RUN_FILES.items()},
    log:
        log_of("md_melt_quench", "{system}_{model}_rate{rate}_rep{rep}"),
    benchmark:
        bench_of("md_melt_quench", "{system}_{model}_rate{rate}_rep{rep}")
    conda:
        "../../envs/md.yaml"
    threads: res("md_melt_quench", "threads")
    resources:
        runtime=res("md_melt_quench", "runtime_min"),
        mem_mb=res("md_melt_quench", "mem_mb"),
    params:
        **tracked(
            system=lambda wc: SYSTEMS[wc.system].for_one_run,
            seed=S.seed,
            model_md=lambda wc: md_model_settings(wc.model),
        ),
    script:
        "../scripts/md_melt_quench.py"


rule md_thermo_figure:
    input:
        thermo=rules.md_melt_quench.output.thermo,
        meta=rules.md_melt_quench.output.meta,
    output:
        report(
            P.thermo_figure(),
            caption="../report/thermo.rst",
            category="Melt-quench MD",
            subcategory="{system}",
            labels={
                "figure": "thermo traces",
                "model": "{model}",
                "rate (K/ps)": "{rate}",
                "replica": "{rep}",
            },
        ),
    log:
        log_of("md_thermo_figure", "{system}_{model}_rate{rate}_rep{rep}"),
    group:
        "figures"
    conda:
        "../../envs/plot.yaml"
    threads: 1
    resources:
        runtime=res("figures", "runtime_min"),
        mem_mb=res("figures", "mem_mb"),
        figure_slots=1,
    script:
        "../scripts/md_thermo_figure.py"


rule md_glass_summary:
    input:
        thermo=lambda wc: md_files_of_model(wc.system, wc.model, "thermo.csv"),
        meta=lambda wc: md_files_of_model(wc.system, wc.model, "run.json"),
    output:
        table=report(
            P.glass_summary(),
            caption="../report/glass_summary.rst",
            category="Melt-quench MD",
            subcategory="{system}",
            labels={"table": "glass properties", "model": "{model}"},
        ),
        figure=report(
            P.quench_energy_figure(),
            caption="../report/quench_energy.rst",
            category="Melt-quench MD",
            subcategory="{system}",
            labels={"figure": "energy vs temperature", "model": "{model}"},
        ),
    log:
        log_of("md_glass_summary", "{system}_{model}"),
    group:
        "figures"
    conda:
        "../../envs/plot.yaml"
    threads: 1
    resources:
        runtime=res("figures", "runtime_min"),
        mem_mb=res("figures", "mem_mb"),
        figure_slots=1,
    script:
        "../scripts/md_glass_summary.py"


rule md_committee:
    input:
        trajectory=rules.md_melt_quench.output.trajectory,
        models=lambda wc: committee_files(wc.system, wc.model),
    output:
        table=P.md_file("committee.csv"),
    log:
        log_of("md_committee", "{system}_{model}_rate{rate}_rep{rep}"),
    benchmark:
        bench_of("md_committee", "{system}_{model}_rate{rate}_rep{rep}")
    wildcard_constraints:
        model="|".join(MLIP.archs) if MLIP else "none",
    conda:
        "../../envs/mlip.yaml"
    threads: 1
    resources:
        runtime=res("md_committee", "runtime_min"),
        mem_mb=res("md_committee", "mem_mb"),
    params:
        **tracked(
            model_md=MLIP.md if MLIP else None,
        ),
    script:
        "../scripts/md_committee.py"


rule md_committee_figure:
    input:
        tables=lambda wc: committee_tables(wc.system),
    output:
        report(
            P.figure(name="committee_disagreement"),
            caption="../report/committee_disagreement.rst",
            category="Melt-quench MD",
            subcategory="{system}",
            labels={"figure": "committee disagreement vs temperature"},
        ),
    log:
        log_of("md_committee_figure", "{system}"),
    group:
        "figures"
    conda:
        "../../envs/plot.yaml"
    threads: 1
    resources:
        runtime=res("figures", "runtime_min"),
        mem_mb=res("figures", "mem_mb"),
        figure_slots=1,
    params:
        **tracked(
            trust=(
                (ACTIVE.lower_trust_eV_per_A, ACTIVE.upper_trust_eV_per_A)
                if ACTIVE
                else None
            ),
        ),
    script:
        "../scripts/md_committee_figure.py"
