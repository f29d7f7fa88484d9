# Reference data: crystals + classical-MD snapshots -> diversity selection -> labels -> dataset.


rule reference_md:
    output:
        trajectory=f"{RESULTS}/{{system}}/reference/md/cond{{cond}}/trajectory.extxyz",
        meta=f"{RESULTS}/{{system}}/reference/md/cond{{cond}}/run.json",
    log:
        f"{LOGS}/reference_md/{{system}}_cond{{cond}}.log",
    benchmark:
        f"{BENCH}/reference_md/{{system}}_cond{{cond}}.tsv"
    conda:
        "../../envs/md.yaml"
    threads: res("reference_md", "threads")
    resources:
        runtime=res("reference_md", "runtime_min"),
        mem_mb=res("reference_md", "mem_mb"),
    params:
        reference=REFERENCE,
    script:
        "../scripts/reference_md.py"


rule reference_select:
    input:
        trajectories=lambda wc: reference_md_files(wc.system),
    output:
        candidates=f"{RESULTS}/{{system}}/reference/candidates.extxyz",
        selected=f"{RESULTS}/{{system}}/reference/selected.extxyz",
        batches=reference_batch_files("{system}"),
    log:
        f"{LOGS}/reference_select/{{system}}.log",
    conda:
        "../../envs/reference.yaml"
    threads: 1
    resources:
        runtime=res("default", "runtime_min"),
        mem_mb=res("default", "mem_mb"),
    params:
        reference=REFERENCE,
    script:
        "../scripts/reference_select.py"


rule reference_label:
    input:
        batch=f"{RESULTS}/{{system}}/reference/batches/batch{{batch}}.extxyz",
    output:
        labelled=f"{RESULTS}/{{system}}/reference/labels/batch{{batch}}.extxyz",
        summary=f"{RESULTS}/{{system}}/reference/labels/batch{{batch}}.json",
    log:
        f"{LOGS}/reference_label/{{system}}_batch{{batch}}.log",
    benchmark:
        f"{BENCH}/reference_label/{{system}}_batch{{batch}}.tsv"
    group:
        "labels"
    conda:
        "../../envs/reference.yaml"
    threads: res("reference_label", "threads")
    resources:
        runtime=res("reference_label", "runtime_min"),
        mem_mb=res("reference_label", "mem_mb"),
    params:
        reference=REFERENCE,
        # Finished labels persist here, outside the declared outputs: a killed job redoes
        # only the configurations without a label file.
        work=lambda wc: f"{RESULTS}/{wc.system}/reference/labels/work/batch{wc.batch}",
    script:
        "../scripts/reference_label.py"


rule reference_dataset:
    input:
        labelled=lambda wc: reference_label_files(wc.system),
    output:
        train=f"{RESULTS}/{{system}}/reference/dataset/train.extxyz",
        valid=f"{RESULTS}/{{system}}/reference/dataset/valid.extxyz",
        test=f"{RESULTS}/{{system}}/reference/dataset/test.extxyz",
        summary=report(
            f"{RESULTS}/{{system}}/reference/dataset/summary.json",
            category="Reference data",
            labels={"table": "dataset summary"},
        ),
        figure=report(
            f"{RESULTS}/{{system}}/figures/reference_dataset.png",
            caption="../report/reference_dataset.rst",
            category="Reference data",
            labels={"figure": "dataset overview"},
        ),
    log:
        f"{LOGS}/reference_dataset/{{system}}.log",
    conda:
        "../../envs/reference.yaml"
    threads: 1
    resources:
        runtime=res("reference_label", "runtime_min"),
        mem_mb=res("default", "mem_mb"),
    params:
        reference=REFERENCE,
        basedir=workflow.basedir,
    script:
        "../scripts/reference_dataset.py"
