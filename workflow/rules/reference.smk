# Reference data: crystals + classical-MD snapshots -> diversity selection -> labels -> dataset.


rule reference_md:
    output:
        trajectory=f"{P.reference_md_dir()}/trajectory.extxyz",
        meta=f"{P.reference_md_dir()}/run.json",
    log:
        log_of("reference_md", "{system}_cond{cond}"),
    benchmark:
        bench_of("reference_md", "{system}_cond{cond}")
    conda:
        "../../envs/md.yaml"
    threads: res("reference_md", "threads")
    resources:
        runtime=res("reference_md", "runtime_min"),
        mem_mb=res("reference_md", "mem_mb"),
    params:
        **tracked(
            reference=REFERENCE,
            system=lambda wc: SYSTEMS[wc.system].for_one_run,
            seed=S.seed,
        ),
    script:
        "../scripts/reference_md.py"


rule reference_select:
    input:
        trajectories=lambda wc: reference_md_files(wc.system),
    output:
        candidates=f"{P.reference_dir()}/candidates.extxyz",
        selected=f"{P.reference_dir()}/selected.extxyz",
        batches=reference_batch_files("{system}"),
    log:
        log_of("reference_select", "{system}"),
    conda:
        "../../envs/reference.yaml"
    threads: 1
    resources:
        runtime=res("default", "runtime_min"),
        mem_mb=res("default", "mem_mb"),
    params:
        **tracked(
            reference=REFERENCE,
        ),
    script:
        "../scripts/reference_select.py"


rule reference_label:
    input:
        batch=P.reference_batch(),
    output:
        labelled=P.reference_label(),
        summary=P.reference_label(ext="json"),
    log:
        log_of("reference_label", "{system}_batch{batch}"),
    benchmark:
        bench_of("reference_label", "{system}_batch{batch}")
    group:
        "labels"
    conda:
        "../../envs/reference.yaml"
    threads: res("reference_label", "threads")
    resources:
        runtime=res("reference_label", "runtime_min"),
        mem_mb=res("reference_label", "mem_mb"),
    params:
        **tracked(
            labeler=REFERENCE.labeler if REFERENCE else None,
            min_atoms=REFERENCE.min_atoms if REFERENCE else None,
            species=lambda wc: SYSTEMS[wc.system].species,
            # Finished labels persist here, outside the declared outputs: a killed job redoes
            # only the configurations without a label file.
            work=lambda wc: P.reference_label_work(wc.system, wc.batch),
        ),
    script:
        "../scripts/reference_label.py"


rule reference_dataset:
    input:
        labelled=lambda wc: reference_label_files(wc.system),
    output:
        train=P.dataset("train"),
        valid=P.dataset("valid"),
        test=P.dataset("test"),
        summary=report(
            P.dataset("summary"),
            caption="../report/reference_summary.rst",
            category="Reference data",
            labels={"table": "dataset summary"},
        ),
        figure=report(
            P.figure(name="reference_dataset"),
            caption="../report/reference_dataset.rst",
            category="Reference data",
            labels={"figure": "dataset overview"},
        ),
    log:
        log_of("reference_dataset", "{system}"),
    conda:
        "../../envs/reference.yaml"
    threads: 1
    resources:
        runtime=res("reference_label", "runtime_min"),
        mem_mb=res("default", "mem_mb"),
    params:
        **tracked(
            reference=REFERENCE,
            species=lambda wc: SYSTEMS[wc.system].species,
            basedir=workflow.basedir,
        ),
    script:
        "../scripts/reference_dataset.py"
