# RISE study: annealed glasses -> inherent structures (the samples and their target energy).


rule rise_anneal:
    input:
        glass=lambda wc: P.md_file(
            "final.extxyz",
            rise_study(wc.study).system,
            rise_study(wc.study).model,
            wc.rate,
            wc.rep,
        ),
        model=lambda wc: md_model_file(
            rise_study(wc.study).system, rise_study(wc.study).model
        ),
    output:
        trajectory=f"{P.rise_anneal_dir()}/trajectory.extxyz",
        meta=f"{P.rise_anneal_dir()}/run.json",
    log:
        log_of("rise_anneal", "{study}_rate{rate}_rep{rep}_T{T}"),
    benchmark:
        bench_of("rise_anneal", "{study}_rate{rate}_rep{rep}_T{T}")
    conda:
        "../../envs/md.yaml"
    threads: res("rise_anneal", "threads")
    resources:
        runtime=res("rise_anneal", "runtime_min"),
        mem_mb=res("rise_anneal", "mem_mb"),
    params:
        **tracked(
            rise=lambda wc: rise_settings(wc.study).anneal,
            model=lambda wc: rise_study(wc.study).model,
            system=lambda wc: rise_system(wc.study).for_one_run,
            seed=S.seed,
            model_md=lambda wc: md_model_settings(rise_study(wc.study).model),
        ),
    script:
        "../scripts/rise_anneal.py"


rule rise_samples:
    input:
        trajectory=rules.rise_anneal.output.trajectory,
        model=lambda wc: md_model_file(
            rise_study(wc.study).system, rise_study(wc.study).model
        ),
    output:
        samples=P.rise_samples(),
    log:
        log_of("rise_samples", "{study}_rate{rate}_rep{rep}_T{T}"),
    benchmark:
        bench_of("rise_samples", "{study}_rate{rate}_rep{rep}_T{T}")
    conda:
        "../../envs/md.yaml"
    threads: res("rise_samples", "threads")
    resources:
        runtime=res("rise_samples", "runtime_min"),
        mem_mb=res("rise_samples", "mem_mb"),
    params:
        **tracked(
            rise=lambda wc: rise_settings(wc.study).minimise,
            model=lambda wc: rise_study(wc.study).model,
            system=lambda wc: rise_system(wc.study).for_one_run,
            work=lambda wc: P.rise_samples_work(wc.study, wc.rate, wc.rep, wc.T),
            model_md=lambda wc: md_model_settings(rise_study(wc.study).model),
        ),
    script:
        "../scripts/rise_samples.py"


rule rise_soap:
    input:
        samples=lambda wc: rise_sample_files(wc.study),
    output:
        index=P.rise_soap_index(),
    log:
        log_of("rise_soap", "{study}_r{r}"),
    benchmark:
        bench_of("rise_soap", "{study}_r{r}")
    conda:
        "../../envs/rise.yaml"
    threads: res("rise_soap", "threads")
    resources:
        runtime=res("rise_soap", "runtime_min"),
        mem_mb=res("rise_soap", "mem_mb"),
    params:
        **tracked(
            rise=lambda wc: rise_settings(wc.study).soap,
            species=lambda wc: rise_system(wc.study).species,
        ),
    script:
        "../scripts/rise_soap.py"


rule rise_environments:
    input:
        index=rules.rise_soap.output.index,
        samples=lambda wc: rise_sample_files(wc.study),
    output:
        counts=P.rise_grid_file("environments", "npz"),
        stats=P.rise_grid_file("environments", "json"),
        leaders=P.rise_grid_file("leaders", "npz"),
    log:
        log_of("rise_environments", "{study}_r{r}_seed{seed}"),
    benchmark:
        bench_of("rise_environments", "{study}_r{r}_seed{seed}")
    conda:
        "../../envs/rise.yaml"
    threads: res("rise_environments", "threads")
    resources:
        runtime=res("rise_environments", "runtime_min"),
        mem_mb=res("rise_environments", "mem_mb"),
    params:
        **tracked(
            rise=lambda wc: rise_settings(wc.study).environments,
        ),
    script:
        "../scripts/rise_environments.py"


rule rise_xgboost:
    input:
        counts=lambda wc: rise_environment_file(wc.study, wc.r, wc.seed, "npz"),
        samples=lambda wc: rise_sample_files(wc.study),
    output:
        result=P.rise_grid_file("xgb", "json"),
    log:
        log_of("rise_xgboost", "{study}_r{r}_seed{seed}"),
    benchmark:
        bench_of("rise_xgboost", "{study}_r{r}_seed{seed}")
    conda:
        "../../envs/rise.yaml"
    threads: res("rise_xgboost", "threads")
    resources:
        runtime=res("rise_xgboost", "runtime_min"),
        mem_mb=res("rise_xgboost", "mem_mb"),
    params:
        **tracked(
            rise=lambda wc: rise_settings(wc.study).regression,
        ),
    script:
        "../scripts/rise_xgboost.py"


rule rise_summary:
    input:
        results=lambda wc: rise_grid(wc.study, "xgb", "json"),
        stats=lambda wc: rise_environment_files(wc.study),
    output:
        summary=report(
            f"{P.rise_dir()}/summary.json",
            caption="../report/rise_summary_table.rst",
            category="RISE",
            subcategory="{study}",
            labels={"table": "RISE estimate"},
        ),
        rmse=report(
            P.rise_figure("rmse_vs_radius"),
            caption="../report/rise_rmse.rst",
            category="RISE",
            subcategory="{study}",
            labels={"figure": "test RMSE vs SOAP radius"},
        ),
        environments=report(
            P.rise_figure("environments_vs_radius"),
            caption="../report/rise_environments.rst",
            category="RISE",
            subcategory="{study}",
            labels={"figure": "environments and entropy vs radius"},
        ),
        parity=report(
            P.rise_figure("parity_at_rise"),
            caption="../report/rise_parity.rst",
            category="RISE",
            subcategory="{study}",
            labels={"figure": "parity at the RISE"},
        ),
    log:
        log_of("rise_summary", "{study}"),
    group:
        "figures"
    conda:
        "../../envs/rise.yaml"
    threads: 1
    resources:
        runtime=res("figures", "runtime_min"),
        mem_mb=res("figures", "mem_mb"),
        figure_slots=1,
    params:
        **tracked(
            seeds=RISE.seeds if RISE else None,
            energy_source=lambda wc: rise_energy_source(wc.study),
        ),
    script:
        "../scripts/rise_summary.py"


rule rise_vit:
    input:
        samples=lambda wc: rise_sample_files(wc.study),
    output:
        result=P.rise_vit_result(),
    log:
        log_of("rise_vit", "{study}_L{L}_seed{seed}"),
    benchmark:
        bench_of("rise_vit", "{study}_L{L}_seed{seed}")
    conda:
        "../../envs/mlip.yaml"
    threads: res("rise_vit", "threads")
    resources:
        runtime=res("rise_vit", "runtime_min"),
        mem_mb=res("rise_vit", "mem_mb"),
    params:
        **tracked(
            vit=RISE.vit if RISE else None,
            split=lambda wc: rise_settings(wc.study).splits,
            species=lambda wc: rise_system(wc.study).species,
            # Checkpoints outside the declared output: a killed job resumes from them.
            work=lambda wc: P.rise_vit_work(wc.study),
            energy_source=lambda wc: rise_energy_source(wc.study),
        ),
    script:
        "../scripts/rise_vit.py"


rule rise_vit_summary:
    input:
        results=lambda wc: [
            P.rise_vit_result(wc.study, r, s)
            for r in RISE.vit.communication_blocks
            for s in RISE.vit.seeds
        ],
        xgb_summary=rules.rise_summary.output.summary,
    output:
        summary=report(
            f"{P.rise_dir()}/vit_summary.json",
            caption="../report/rise_vit_summary_table.rst",
            category="RISE",
            subcategory="{study}",
            labels={"table": "ViT saturation vs XGBoost RISE"},
        ),
        rmse=report(
            P.rise_figure("vit_rmse_vs_communication_length"),
            caption="../report/rise_vit_rmse.rst",
            category="RISE",
            subcategory="{study}",
            labels={"figure": "ViT test RMSE vs communication length"},
        ),
        attribution=report(
            P.rise_figure("vit_attribution_profile"),
            caption="../report/rise_vit_attribution.rst",
            category="RISE",
            subcategory="{study}",
            labels={"figure": "ViT attribution radial profile"},
        ),
    log:
        log_of("rise_vit_summary", "{study}"),
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
        "../scripts/rise_vit_summary.py"


rule rise_overview:
    input:
        summary=rules.rise_summary.output.summary,
        stats=lambda wc: rise_environment_files(wc.study),
        vit=lambda wc: (
            [rules.rise_vit_summary.output.summary.format(study=wc.study)]
            if rise_study(wc.study).vit
            else []
        ),
    output:
        figure=report(
            P.rise_figure("overview"),
            caption="../report/rise_overview.rst",
            category="RISE",
            subcategory="{study}",
            labels={"figure": "RISE indicators vs length"},
        ),
    log:
        log_of("rise_overview", "{study}"),
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
        "../scripts/rise_overview.py"


rule rise_picture:
    input:
        summary=rules.rise_summary.output.summary,
        leaders=lambda wc: [
            rise_environment_file(wc.study, r, RISE.seeds[0], "npz", kind="leaders")
            for r in RISE.soap_r_cut_A
        ],
        samples=lambda wc: rise_sample_files(wc.study)[0],
    output:
        report(
            P.rise_figure("picture_environments"),
            caption="../report/rise_picture.rst",
            category="RISE",
            subcategory="{study}",
            labels={"figure": "inherent structure by environment"},
        ),
    log:
        log_of("rise_picture", "{study}"),
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
            soap=lambda wc: rise_settings(wc.study).soap,
            unmatched=lambda wc: rise_settings(wc.study).unmatched_atoms,
            species=lambda wc: rise_system(wc.study).species,
        ),
    script:
        "../scripts/rise_picture.py"


rule rise_compare_studies:
    input:
        summaries=lambda wc: [
            f"{P.rise_dir(study)}/summary.json" for study in RISE_STUDIES
        ],
    output:
        table=report(
            P.rise_studies(),
            caption="../report/rise_studies_table.rst",
            category="RISE",
            labels={"table": "RISE per study"},
        ),
        figure=report(
            P.rise_studies_figure(),
            caption="../report/rise_studies.rst",
            category="RISE",
            labels={"figure": "RMSE vs radius, all studies"},
        ),
    log:
        log_of("rise_compare_studies", "all"),
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
            studies=list(RISE_STUDIES) if RISE else [],
        ),
    script:
        "../scripts/rise_compare_studies.py"
