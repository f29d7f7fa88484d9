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
