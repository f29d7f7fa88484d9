# Structure analysis of silica frames and the model/experiment comparison figures.


rule structure_analysis:
    input:
        trajectory=lambda wc: f"{md_dir(wc.system, wc.model, wc.rate, wc.rep)}/trajectory.extxyz",
    output:
        metrics=f"{RESULTS}/{{system}}/analysis/{{model}}/rate{{rate}}/rep{{rep}}/{{phase}}/metrics.json",
        tables=multiext(
            f"{RESULTS}/{{system}}/analysis/{{model}}/rate{{rate}}/rep{{rep}}/{{phase}}/",
            "gr.csv",
            "sq.csv",
            "realspace.csv",
            "angles.csv",
            "rings.csv",
        ),
    log:
        f"{LOGS}/structure_analysis/{{system}}_{{model}}_rate{{rate}}_rep{{rep}}_{{phase}}.log",
    benchmark:
        f"{BENCH}/structure_analysis/{{system}}_{{model}}_rate{{rate}}_rep{{rep}}_{{phase}}.tsv"
    conda:
        "../../envs/structure.yaml"
    threads: res("structure_analysis", "threads")
    resources:
        runtime=res("structure_analysis", "runtime_min"),
        mem_mb=res("structure_analysis", "mem_mb"),
    params:
        analysis=ANALYSIS,
    script:
        "../scripts/structure_analysis.py"


rule structure_compare:
    input:
        metrics=lambda wc: analysis_inputs(wc.system, wc.phase),
    output:
        summary=report(
            f"{RESULTS}/{{system}}/analysis/compare/{{phase}}/summary.csv",
            caption="../report/structure_summary.rst",
            category="Structure",
            subcategory="{phase}",
            labels={"table": "structure metrics"},
        ),
        literature=f"{RESULTS}/{{system}}/analysis/compare/{{phase}}/literature.csv",
        experiment=f"{RESULTS}/{{system}}/analysis/compare/{{phase}}/experiment.csv",
        figures=report(
            multiext(
                f"{RESULTS}/{{system}}/figures/structure_{{phase}}_",
                "sq.png",
                "fsdp.png",
                "T.png",
                "gr.png",
                "rings.png",
                "angles.png",
            ),
            caption="../report/structure_figures.rst",
            category="Structure",
            subcategory="{phase}",
        ),
    log:
        f"{LOGS}/structure_compare/{{system}}_{{phase}}.log",
    group:
        "figures"
    conda:
        "../../envs/structure.yaml"
    threads: 1
    resources:
        runtime=res("figures", "runtime_min"),
        mem_mb=res("figures", "mem_mb"),
        figure_slots=1,
    params:
        analysis=ANALYSIS,
        labels=lambda wc: model_labels(wc.system),
        # Relative paths in the config are relative to the repository, like the config check.
        basedir=workflow.basedir,
    script:
        "../scripts/structure_compare.py"
