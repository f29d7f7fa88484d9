# RISE study: annealed glasses -> inherent structures (the samples and their target energy).


rule rise_anneal:
    input:
        glass=lambda wc: f"{md_dir(RISE['system'], 'classical', wc.rate, wc.rep)}/final.extxyz",
    output:
        trajectory=f"{RESULTS}/rise/anneal/rate{{rate}}/rep{{rep}}/T{{T}}/trajectory.extxyz",
        meta=f"{RESULTS}/rise/anneal/rate{{rate}}/rep{{rep}}/T{{T}}/run.json",
    log:
        f"{LOGS}/rise_anneal/rate{{rate}}_rep{{rep}}_T{{T}}.log",
    benchmark:
        f"{BENCH}/rise_anneal/rate{{rate}}_rep{{rep}}_T{{T}}.tsv"
    conda:
        "../../envs/md.yaml"
    threads: res("rise_anneal", "threads")
    resources:
        runtime=res("rise_anneal", "runtime_min"),
        mem_mb=res("rise_anneal", "mem_mb"),
    params:
        rise=RISE,
    script:
        "../scripts/rise_anneal.py"


rule rise_samples:
    input:
        trajectory=rules.rise_anneal.output.trajectory,
    output:
        samples=f"{RESULTS}/rise/samples/rate{{rate}}_rep{{rep}}_T{{T}}.extxyz",
    log:
        f"{LOGS}/rise_samples/rate{{rate}}_rep{{rep}}_T{{T}}.log",
    benchmark:
        f"{BENCH}/rise_samples/rate{{rate}}_rep{{rep}}_T{{T}}.tsv"
    conda:
        "../../envs/md.yaml"
    threads: res("rise_samples", "threads")
    resources:
        runtime=res("rise_samples", "runtime_min"),
        mem_mb=res("rise_samples", "mem_mb"),
    params:
        rise=RISE,
        work=lambda wc: f"{RESULTS}/rise/samples/work/rate{wc.rate}_rep{wc.rep}_T{wc.T}",
    script:
        "../scripts/rise_samples.py"


rule rise_soap:
    input:
        samples=rise_sample_files(),
    output:
        index=f"{RESULTS}/rise/soap/r{{r}}/index.json",
    log:
        f"{LOGS}/rise_soap/r{{r}}.log",
    benchmark:
        f"{BENCH}/rise_soap/r{{r}}.tsv"
    conda:
        "../../envs/rise.yaml"
    threads: res("rise_soap", "threads")
    resources:
        runtime=res("rise_soap", "runtime_min"),
        mem_mb=res("rise_soap", "mem_mb"),
    params:
        rise=RISE,
    script:
        "../scripts/rise_soap.py"


rule rise_environments:
    input:
        index=rules.rise_soap.output.index,
        samples=rise_sample_files(),
    output:
        counts=f"{RESULTS}/rise/environments/r{{r}}/seed{{seed}}.npz",
        stats=f"{RESULTS}/rise/environments/r{{r}}/seed{{seed}}.json",
    log:
        f"{LOGS}/rise_environments/r{{r}}_seed{{seed}}.log",
    benchmark:
        f"{BENCH}/rise_environments/r{{r}}_seed{{seed}}.tsv"
    conda:
        "../../envs/rise.yaml"
    threads: res("rise_environments", "threads")
    resources:
        runtime=res("rise_environments", "runtime_min"),
        mem_mb=res("rise_environments", "mem_mb"),
    params:
        rise=RISE,
    script:
        "../scripts/rise_environments.py"


rule rise_xgboost:
    input:
        counts=rules.rise_environments.output.counts,
        samples=rise_sample_files(),
    output:
        result=f"{RESULTS}/rise/xgb/r{{r}}/seed{{seed}}.json",
    log:
        f"{LOGS}/rise_xgboost/r{{r}}_seed{{seed}}.log",
    benchmark:
        f"{BENCH}/rise_xgboost/r{{r}}_seed{{seed}}.tsv"
    conda:
        "../../envs/rise.yaml"
    threads: res("rise_xgboost", "threads")
    resources:
        runtime=res("rise_xgboost", "runtime_min"),
        mem_mb=res("rise_xgboost", "mem_mb"),
    params:
        rise=RISE,
    script:
        "../scripts/rise_xgboost.py"


rule rise_summary:
    input:
        results=lambda wc: rise_grid("xgb", "json"),
        stats=lambda wc: rise_grid("environments", "json"),
    output:
        summary=report(
            f"{RESULTS}/rise/summary.json",
            category="RISE",
            labels={"table": "RISE estimate"},
        ),
        rmse=report(
            f"{RESULTS}/rise/figures/rmse_vs_radius.png",
            caption="../report/rise_rmse.rst",
            category="RISE",
            labels={"figure": "test RMSE vs SOAP radius"},
        ),
        environments=report(
            f"{RESULTS}/rise/figures/environments_vs_radius.png",
            caption="../report/rise_environments.rst",
            category="RISE",
            labels={"figure": "environments and entropy vs radius"},
        ),
        parity=report(
            f"{RESULTS}/rise/figures/parity_at_rise.png",
            caption="../report/rise_parity.rst",
            category="RISE",
            labels={"figure": "parity at the RISE"},
        ),
    log:
        f"{LOGS}/rise_summary/summary.log",
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
        rise=RISE,
        energy_source=lambda wc: f"classical potential {SYSTEMS[RISE['system']]['classical_potential']}",
    script:
        "../scripts/rise_summary.py"


rule rise_vit:
    input:
        samples=rise_sample_files(),
    output:
        result=f"{RESULTS}/rise/vit/L{{L}}/seed{{seed}}.json",
    log:
        f"{LOGS}/rise_vit/L{{L}}_seed{{seed}}.log",
    benchmark:
        f"{BENCH}/rise_vit/L{{L}}_seed{{seed}}.tsv"
    conda:
        "../../envs/mlip.yaml"
    threads: res("rise_vit", "threads")
    resources:
        runtime=res("rise_vit", "runtime_min"),
        mem_mb=res("rise_vit", "mem_mb"),
    params:
        rise=RISE,
        species=lambda wc: SYSTEMS[RISE["system"]]["species"],
        # Checkpoints outside the declared output: a killed job resumes from them.
        work=f"{RESULTS}/rise/vit/work",
        energy_source=lambda wc: f"classical potential {SYSTEMS[RISE['system']]['classical_potential']}",
    script:
        "../scripts/rise_vit.py"


rule rise_vit_summary:
    input:
        results=lambda wc: [
            f"{RESULTS}/rise/vit/L{r}/seed{s}.json"
            for r in RISE["vit"]["communication_blocks"]
            for s in RISE["vit"]["seeds"]
        ],
        xgb_summary=rules.rise_summary.output.summary,
    output:
        summary=report(
            f"{RESULTS}/rise/vit_summary.json",
            category="RISE",
            labels={"table": "ViT saturation vs XGBoost RISE"},
        ),
        rmse=report(
            f"{RESULTS}/rise/figures/vit_rmse_vs_communication_length.png",
            caption="../report/rise_vit_rmse.rst",
            category="RISE",
            labels={"figure": "ViT test RMSE vs communication length"},
        ),
        attribution=report(
            f"{RESULTS}/rise/figures/vit_attribution_profile.png",
            caption="../report/rise_vit_attribution.rst",
            category="RISE",
            labels={"figure": "ViT attribution radial profile"},
        ),
    log:
        f"{LOGS}/rise_vit_summary/summary.log",
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
