# RISE study: annealed glasses -> inherent structures (the samples and their target energy).


rule rise_anneal:
    input:
        glass=lambda wc: f"{md_dir(RISE_STUDIES[wc.study]['system'], RISE_STUDIES[wc.study]['model'], wc.rate, wc.rep)}/final.extxyz",
        model=lambda wc: md_model_file(
            RISE_STUDIES[wc.study]["system"], RISE_STUDIES[wc.study]["model"]
        ),
    output:
        trajectory=f"{RESULTS}/rise/{{study}}/anneal/rate{{rate}}/rep{{rep}}/T{{T}}/trajectory.extxyz",
        meta=f"{RESULTS}/rise/{{study}}/anneal/rate{{rate}}/rep{{rep}}/T{{T}}/run.json",
    log:
        f"{LOGS}/rise_anneal/{{study}}_rate{{rate}}_rep{{rep}}_T{{T}}.log",
    benchmark:
        f"{BENCH}/rise_anneal/{{study}}_rate{{rate}}_rep{{rep}}_T{{T}}.tsv"
    conda:
        "../../envs/md.yaml"
    threads: res("rise_anneal", "threads")
    resources:
        runtime=res("rise_anneal", "runtime_min"),
        mem_mb=res("rise_anneal", "mem_mb"),
    params:
        rise=lambda wc: rise_settings(wc.study),
        study=lambda wc: RISE_STUDIES[wc.study],
        mlip_md=lambda wc: md_model_settings(RISE_STUDIES[wc.study]["model"]),
    script:
        "../scripts/rise_anneal.py"


rule rise_samples:
    input:
        trajectory=rules.rise_anneal.output.trajectory,
        model=lambda wc: md_model_file(
            RISE_STUDIES[wc.study]["system"], RISE_STUDIES[wc.study]["model"]
        ),
    output:
        samples=f"{RESULTS}/rise/{{study}}/samples/rate{{rate}}_rep{{rep}}_T{{T}}.extxyz",
    log:
        f"{LOGS}/rise_samples/{{study}}_rate{{rate}}_rep{{rep}}_T{{T}}.log",
    benchmark:
        f"{BENCH}/rise_samples/{{study}}_rate{{rate}}_rep{{rep}}_T{{T}}.tsv"
    conda:
        "../../envs/md.yaml"
    threads: res("rise_samples", "threads")
    resources:
        runtime=res("rise_samples", "runtime_min"),
        mem_mb=res("rise_samples", "mem_mb"),
    params:
        rise=lambda wc: rise_settings(wc.study),
        study=lambda wc: RISE_STUDIES[wc.study],
        work=lambda wc: f"{RESULTS}/rise/{wc.study}/samples/work/rate{wc.rate}_rep{wc.rep}_T{wc.T}",
        mlip_md=lambda wc: md_model_settings(RISE_STUDIES[wc.study]["model"]),
    script:
        "../scripts/rise_samples.py"


rule rise_soap:
    input:
        samples=lambda wc: rise_sample_files(wc.study),
    output:
        index=f"{RESULTS}/rise/{{study}}/soap/r{{r}}/index.json",
    log:
        f"{LOGS}/rise_soap/{{study}}_r{{r}}.log",
    benchmark:
        f"{BENCH}/rise_soap/{{study}}_r{{r}}.tsv"
    conda:
        "../../envs/rise.yaml"
    threads: res("rise_soap", "threads")
    resources:
        runtime=res("rise_soap", "runtime_min"),
        mem_mb=res("rise_soap", "mem_mb"),
    params:
        rise=lambda wc: rise_settings(wc.study),
        study=lambda wc: RISE_STUDIES[wc.study],
    script:
        "../scripts/rise_soap.py"


rule rise_environments:
    input:
        index=rules.rise_soap.output.index,
        samples=lambda wc: rise_sample_files(wc.study),
    output:
        counts=f"{RESULTS}/rise/{{study}}/environments/r{{r}}/seed{{seed}}.npz",
        stats=f"{RESULTS}/rise/{{study}}/environments/r{{r}}/seed{{seed}}.json",
    log:
        f"{LOGS}/rise_environments/{{study}}_r{{r}}_seed{{seed}}.log",
    benchmark:
        f"{BENCH}/rise_environments/{{study}}_r{{r}}_seed{{seed}}.tsv"
    conda:
        "../../envs/rise.yaml"
    threads: res("rise_environments", "threads")
    resources:
        runtime=res("rise_environments", "runtime_min"),
        mem_mb=res("rise_environments", "mem_mb"),
    params:
        rise=lambda wc: rise_settings(wc.study),
        study=lambda wc: RISE_STUDIES[wc.study],
    script:
        "../scripts/rise_environments.py"


rule rise_xgboost:
    input:
        counts=rules.rise_environments.output.counts,
        samples=lambda wc: rise_sample_files(wc.study),
    output:
        result=f"{RESULTS}/rise/{{study}}/xgb/r{{r}}/seed{{seed}}.json",
    log:
        f"{LOGS}/rise_xgboost/{{study}}_r{{r}}_seed{{seed}}.log",
    benchmark:
        f"{BENCH}/rise_xgboost/{{study}}_r{{r}}_seed{{seed}}.tsv"
    conda:
        "../../envs/rise.yaml"
    threads: res("rise_xgboost", "threads")
    resources:
        runtime=res("rise_xgboost", "runtime_min"),
        mem_mb=res("rise_xgboost", "mem_mb"),
    params:
        rise=lambda wc: rise_settings(wc.study),
        study=lambda wc: RISE_STUDIES[wc.study],
    script:
        "../scripts/rise_xgboost.py"


rule rise_summary:
    input:
        results=lambda wc: rise_grid(wc.study, "xgb", "json"),
        stats=lambda wc: rise_grid(wc.study, "environments", "json"),
    output:
        summary=report(
            f"{RESULTS}/rise/{{study}}/summary.json",
            category="RISE",
            subcategory="{study}",
            labels={"table": "RISE estimate"},
        ),
        rmse=report(
            f"{RESULTS}/rise/{{study}}/figures/rmse_vs_radius.png",
            caption="../report/rise_rmse.rst",
            category="RISE",
            subcategory="{study}",
            labels={"figure": "test RMSE vs SOAP radius"},
        ),
        environments=report(
            f"{RESULTS}/rise/{{study}}/figures/environments_vs_radius.png",
            caption="../report/rise_environments.rst",
            category="RISE",
            subcategory="{study}",
            labels={"figure": "environments and entropy vs radius"},
        ),
        parity=report(
            f"{RESULTS}/rise/{{study}}/figures/parity_at_rise.png",
            caption="../report/rise_parity.rst",
            category="RISE",
            subcategory="{study}",
            labels={"figure": "parity at the RISE"},
        ),
    log:
        f"{LOGS}/rise_summary/{{study}}.log",
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
        rise=lambda wc: rise_settings(wc.study),
        study=lambda wc: RISE_STUDIES[wc.study],
        energy_source=lambda wc: rise_energy_source(wc.study),
    script:
        "../scripts/rise_summary.py"


rule rise_vit:
    input:
        samples=lambda wc: rise_sample_files(wc.study),
    output:
        result=f"{RESULTS}/rise/{{study}}/vit/L{{L}}/seed{{seed}}.json",
    log:
        f"{LOGS}/rise_vit/{{study}}_L{{L}}_seed{{seed}}.log",
    benchmark:
        f"{BENCH}/rise_vit/{{study}}_L{{L}}_seed{{seed}}.tsv"
    conda:
        "../../envs/mlip.yaml"
    threads: res("rise_vit", "threads")
    resources:
        runtime=res("rise_vit", "runtime_min"),
        mem_mb=res("rise_vit", "mem_mb"),
    params:
        rise=lambda wc: rise_settings(wc.study),
        study=lambda wc: RISE_STUDIES[wc.study],
        species=lambda wc: SYSTEMS[RISE_STUDIES[wc.study]["system"]]["species"],
        # Checkpoints outside the declared output: a killed job resumes from them.
        work=lambda wc: f"{RESULTS}/rise/{wc.study}/vit/work",
        energy_source=lambda wc: rise_energy_source(wc.study),
    script:
        "../scripts/rise_vit.py"


rule rise_vit_summary:
    input:
        results=lambda wc: [
            f"{RESULTS}/rise/{wc.study}/vit/L{r}/seed{s}.json"
            for r in RISE["vit"]["communication_blocks"]
            for s in RISE["vit"]["seeds"]
        ],
        xgb_summary=rules.rise_summary.output.summary,
    output:
        summary=report(
            f"{RESULTS}/rise/{{study}}/vit_summary.json",
            category="RISE",
            subcategory="{study}",
            labels={"table": "ViT saturation vs XGBoost RISE"},
        ),
        rmse=report(
            f"{RESULTS}/rise/{{study}}/figures/vit_rmse_vs_communication_length.png",
            caption="../report/rise_vit_rmse.rst",
            category="RISE",
            subcategory="{study}",
            labels={"figure": "ViT test RMSE vs communication length"},
        ),
        attribution=report(
            f"{RESULTS}/rise/{{study}}/figures/vit_attribution_profile.png",
            caption="../report/rise_vit_attribution.rst",
            category="RISE",
            subcategory="{study}",
            labels={"figure": "ViT attribution radial profile"},
        ),
    log:
        f"{LOGS}/rise_vit_summary/{{study}}.log",
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


rule rise_compare_studies:
    input:
        summaries=lambda wc: [
            f"{RESULTS}/rise/{study}/summary.json" for study in RISE_STUDIES
        ],
    output:
        table=report(
            f"{RESULTS}/rise/studies.json",
            category="RISE",
            labels={"table": "RISE per study"},
        ),
        figure=report(
            f"{RESULTS}/rise/figures/rmse_vs_radius_studies.png",
            caption="../report/rise_studies.rst",
            category="RISE",
            labels={"figure": "RMSE vs radius, all studies"},
        ),
    log:
        f"{LOGS}/rise_compare_studies/all.log",
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
        studies=list(RISE_STUDIES) if RISE else [],
    script:
        "../scripts/rise_compare_studies.py"
