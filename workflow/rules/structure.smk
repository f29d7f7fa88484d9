# Structure analysis of silica frames and the model/experiment comparison figures.


rule structure_analysis:
    input:
        trajectory=P.md_file("trajectory.extxyz"),
    output:
        metrics=f"{P.analysis_dir()}/metrics.json",
        tables=multiext(f"{P.analysis_dir()}/", *(f"{t}.csv" for t in ANALYSIS_TABLES)),
    log:
        log_of("structure_analysis", "{system}_{model}_rate{rate}_rep{rep}_{phase}"),
    benchmark:
        bench_of("structure_analysis", "{system}_{model}_rate{rate}_rep{rep}_{phase}")
    conda:
        "../../envs/structure.yaml"
    threads: res("structure_analysis", "threads")
    resources:
        runtime=res("structure_analysis", "runtime_min"),
        mem_mb=res("structure_analysis", "mem_mb"),
    params:
        **tracked(
            analysis=ANALYSIS,
            species=lambda wc: SYSTEMS[wc.system].species,
        ),
    script:
        "../scripts/structure_analysis.py"


rule structure_compare:
    input:
        metrics=lambda wc: analysis_inputs(wc.system, wc.phase),
    output:
        summary=report(
            f"{P.compare_dir()}/summary.csv",
            caption="../report/structure_summary.rst",
            category="Structure",
            subcategory="{phase}",
            labels={"table": "structure metrics"},
        ),
        literature=f"{P.compare_dir()}/literature.csv",
        deltas=report(
            f"{P.compare_dir()}/teacher_deltas.csv",
            caption="../report/teacher_deltas.rst",
            category="Structure",
            subcategory="{phase}",
            labels={"table": "each model minus the teacher"},
        ),
        experiment=f"{P.compare_dir()}/experiment.csv",
        figures=report(
            [P.structure_figure(name) for name in STRUCTURE_FIGURES],
            caption="../report/structure_figures.rst",
            category="Structure",
            subcategory="{phase}",
        ),
    log:
        log_of("structure_compare", "{system}_{phase}"),
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
        **tracked(
            analysis=ANALYSIS,
            composition=lambda wc: SYSTEMS[wc.system].composition,
            labels=lambda wc: model_labels(wc.system),
            teacher=lambda wc: teacher_label(wc.system),
            # Relative paths in the config are relative to the repository, like the config check.
            basedir=workflow.basedir,
        ),
    script:
        "../scripts/structure_compare.py"


rule structure_picture:
    input:
        trajectory=lambda wc: P.md_file(
            "trajectory.extxyz", wc.system, wc.model, compare_rate(wc.system), 0
        ),
    output:
        report(
            P.picture(),
            caption="../report/picture.rst",
            category="Structure",
            subcategory="{phase}",
            labels={"figure": "network picture", "model": "{model}"},
        ),
    log:
        log_of("structure_picture", "{system}_{model}_{phase}"),
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
        **tracked(
            segment=lambda wc: ANALYSIS.phases[wc.phase],
            cutoff_A=ANALYSIS.si_o_cutoff_A if ANALYSIS else None,
            label=lambda wc: model_labels(wc.system)[wc.model],
        ),
    script:
        "../scripts/structure_picture.py"
