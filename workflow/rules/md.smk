# Melt-quench molecular dynamics (LAMMPS) and the figures that show how each run went.


rule md_melt_quench:
    input:
        model=lambda wc: md_model_file(wc.system, wc.model),
        torchscript=lambda wc: md_torchscript_file(wc.system, wc.model),
    output:
        trajectory=f"{RESULTS}/{{system}}/md/{{model}}/rate{{rate}}/rep{{rep}}/trajectory.extxyz",
        thermo=f"{RESULTS}/{{system}}/md/{{model}}/rate{{rate}}/rep{{rep}}/thermo.csv",
        final=f"{RESULTS}/{{system}}/md/{{model}}/rate{{rate}}/rep{{rep}}/final.extxyz",
        data=f"{RESULTS}/{{system}}/md/{{model}}/rate{{rate}}/rep{{rep}}/final.data",
        meta=f"{RESULTS}/{{system}}/md/{{model}}/rate{{rate}}/rep{{rep}}/run.json",
    log:
        f"{LOGS}/md_melt_quench/{{system}}_{{model}}_rate{{rate}}_rep{{rep}}.log",
    benchmark:
        f"{BENCH}/md_melt_quench/{{system}}_{{model}}_rate{{rate}}_rep{{rep}}.tsv"
    conda:
        "../../envs/md.yaml"
    threads: res("md_melt_quench", "threads")
    resources:
        runtime=res("md_melt_quench", "runtime_min"),
        mem_mb=res("md_melt_quench", "mem_mb"),
    params:
        # The system's settings as a param, so editing them marks the run out of date.
        system_config=lambda wc: SYSTEMS[wc.system],
        mlip_md=lambda wc: md_model_settings(wc.model),
    script:
        "../scripts/md_melt_quench.py"


rule md_thermo_figure:
    input:
        thermo=rules.md_melt_quench.output.thermo,
        meta=rules.md_melt_quench.output.meta,
    output:
        report(
            f"{RESULTS}/{{system}}/figures/thermo_{{model}}_rate{{rate}}_rep{{rep}}.png",
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
        f"{LOGS}/md_thermo_figure/{{system}}_{{model}}_rate{{rate}}_rep{{rep}}.log",
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
        thermo=lambda wc: [
            f"{md_dir(wc.system, wc.model, rate, rep)}/thermo.csv"
            for model, rate, rep in md_runs(wc.system)
            if model == wc.model
        ],
        meta=lambda wc: [
            f"{md_dir(wc.system, wc.model, rate, rep)}/run.json"
            for model, rate, rep in md_runs(wc.system)
            if model == wc.model
        ],
    output:
        table=report(
            f"{RESULTS}/{{system}}/md/{{model}}/glass_summary.csv",
            caption="../report/glass_summary.rst",
            category="Melt-quench MD",
            subcategory="{system}",
            labels={"table": "glass properties", "model": "{model}"},
        ),
        figure=report(
            f"{RESULTS}/{{system}}/figures/quench_energy_{{model}}.png",
            caption="../report/quench_energy.rst",
            category="Melt-quench MD",
            subcategory="{system}",
            labels={"figure": "energy vs temperature", "model": "{model}"},
        ),
    log:
        f"{LOGS}/md_glass_summary/{{system}}_{{model}}.log",
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
        table=f"{RESULTS}/{{system}}/md/{{model}}/rate{{rate}}/rep{{rep}}/committee.csv",
    log:
        f"{LOGS}/md_committee/{{system}}_{{model}}_rate{{rate}}_rep{{rep}}.log",
    benchmark:
        f"{BENCH}/md_committee/{{system}}_{{model}}_rate{{rate}}_rep{{rep}}.tsv"
    wildcard_constraints:
        model="sr|lr",
    conda:
        "../../envs/mlip.yaml"
    threads: 1
    resources:
        runtime=res("md_committee", "runtime_min"),
        mem_mb=res("md_committee", "mem_mb"),
    params:
        mlip_md=lambda wc: MLIP["md"],
    script:
        "../scripts/md_committee.py"


rule md_committee_figure:
    input:
        tables=lambda wc: [
            f"{md_dir(wc.system, model, rate, rep)}/committee.csv"
            for model, rate, rep in md_runs(wc.system)
            if model != "classical"
        ],
    output:
        report(
            f"{RESULTS}/{{system}}/figures/committee_disagreement.png",
            caption="../report/committee_disagreement.rst",
            category="Melt-quench MD",
            subcategory="{system}",
            labels={"figure": "committee disagreement vs temperature"},
        ),
    log:
        f"{LOGS}/md_committee_figure/{{system}}.log",
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
        "../scripts/md_committee_figure.py"
