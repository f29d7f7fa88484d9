# Active learning: per iteration {it}, each architecture's committee trains on the
# iteration's dataset, its first member explores the melt-quench (and the anneals of the
# RISE studies of its model, from its own glass), the committee scores
# every frame; a checkpoint selects candidates and decides whether to go on; selected
# frames are labelled and join the next iteration's dataset. The potentials of the mlip
# stage then train on the dataset of the iteration where the loop stopped, or are that
# iteration's committee itself (active_learning.production: last_iteration).


rule al_train:
    input:
        train=lambda wc: al_dataset(wc.system, wc.it, "train"),
        valid=lambda wc: al_dataset(wc.system, wc.it, "valid"),
        test=lambda wc: al_dataset(wc.system, wc.it, "test"),
        previous=lambda wc: (
            P.al_model_file(wc.system, int(wc.it) - 1, wc.arch, wc.seed)
            if ACTIVE.warm_start and int(wc.it) > 0
            else []
        ),
    output:
        model=P.al_model_file(),
        errors=f"{P.al_model_dir()}/test_errors.csv",
        history=f"{P.al_model_dir()}/history.csv",
    log:
        log_of("al_train", "{system}_iter{it}_{arch}_seed{seed}"),
    benchmark:
        bench_of("al_train", "{system}_iter{it}_{arch}_seed{seed}")
    conda:
        "../../envs/mlip.yaml"
    threads: res("mlip_train", "threads")
    resources:
        runtime=res("mlip_train", "runtime_min"),
        mem_mb=res("mlip_train", "mem_mb"),
    params:
        **tracked(
            model=MLIP.model if MLIP else None,
            training=ACTIVE_TRAINING,
            device=MLIP.device if MLIP else None,
            species=lambda wc: SYSTEMS[wc.system].species,
            work=lambda wc: f"{P.al_model_dir(wc.system, wc.it, wc.arch, wc.seed)}/work",
        ),
    script:
        "../scripts/al_train.py"


rule al_explore:
    input:
        model=lambda wc: P.al_model_file(wc.system, wc.it, wc.arch, MLIP.seeds[0]),
    output:
        trajectory=f"{P.al_explore_dir()}/trajectory.extxyz",
        record=f"{P.al_explore_dir()}/explore.json",
    log:
        log_of("al_explore", "{system}_iter{it}_{arch}"),
    benchmark:
        bench_of("al_explore", "{system}_iter{it}_{arch}")
    conda:
        "../../envs/md.yaml"
    threads: res("md_melt_quench", "threads")
    resources:
        runtime=res("md_melt_quench", "runtime_min"),
        mem_mb=res("md_melt_quench", "mem_mb"),
    params:
        **tracked(
            system=lambda wc: ACTIVE.exploration_system(SYSTEMS[wc.system]),
            seed=S.seed,
            rate=lambda wc: al_rate(wc.system),
            model_md=MLIP.md if MLIP else None,
            anneals=lambda wc: al_anneals(wc.system, wc.arch),
        ),
    script:
        "../scripts/al_explore.py"


rule al_score:
    input:
        trajectory=rules.al_explore.output.trajectory,
        models=lambda wc: [
            P.al_model_file(wc.system, wc.it, wc.arch, s) for s in MLIP.seeds
        ],
    output:
        scores=f"{P.al_explore_dir()}/scores.csv",
    log:
        log_of("al_score", "{system}_iter{it}_{arch}"),
    conda:
        "../../envs/mlip.yaml"
    threads: 1
    resources:
        runtime=res("md_committee", "runtime_min"),
        mem_mb=res("md_committee", "mem_mb"),
    params:
        **tracked(
            active=ACTIVE,
            model_md=MLIP.md if MLIP else None,
        ),
    script:
        "../scripts/al_score.py"


checkpoint al_select:
    input:
        scores=lambda wc: [
            f"{P.al_explore_dir(wc.system, wc.it, a)}/scores.csv" for a in MLIP.archs
        ],
        trajectories=lambda wc: [
            f"{P.al_explore_dir(wc.system, wc.it, a)}/trajectory.extxyz"
            for a in MLIP.archs
        ],
        records=lambda wc: [
            f"{P.al_explore_dir(wc.system, wc.it, a)}/explore.json" for a in MLIP.archs
        ],
        train=lambda wc: al_dataset(wc.system, wc.it, "train"),
    output:
        selected=P.al_file("selected.extxyz"),
        decision=P.al_file("decision.json"),
    log:
        log_of("al_select", "{system}_iter{it}"),
    conda:
        "../../envs/reference.yaml"
    threads: 1
    resources:
        runtime=res("default", "runtime_min"),
        mem_mb=res("default", "mem_mb"),
    params:
        **tracked(
            active=ACTIVE,
        ),
    script:
        "../scripts/al_select.py"


rule al_label:
    input:
        batch=P.al_file("selected.extxyz"),
    output:
        labelled=P.al_file("labels/labelled.extxyz"),
        summary=P.al_file("labels/summary.json"),
    log:
        log_of("al_label", "{system}_iter{it}"),
    benchmark:
        bench_of("al_label", "{system}_iter{it}")
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
            work=lambda wc: P.al_file("labels/work", wc.system, wc.it),
        ),
    script:
        "../scripts/reference_label.py"


rule al_extend:
    input:
        train=lambda wc: al_dataset(wc.system, int(wc.it) - 1, "train"),
        valid=lambda wc: al_dataset(wc.system, int(wc.it) - 1, "valid"),
        test=lambda wc: al_dataset(wc.system, int(wc.it) - 1, "test"),
        labelled=lambda wc: P.al_file(
            "labels/labelled.extxyz", wc.system, int(wc.it) - 1
        ),
    output:
        train=P.al_dataset("train"),
        valid=P.al_dataset("valid"),
        test=P.al_dataset("test"),
        summary=P.al_dataset("summary"),
    log:
        log_of("al_extend", "{system}_iter{it}"),
    wildcard_constraints:
        it=r"[1-9]\d*",
    conda:
        "../../envs/reference.yaml"
    threads: 1
    resources:
        runtime=res("default", "runtime_min"),
        mem_mb=res("default", "mem_mb"),
    params:
        **tracked(
            fractions=REFERENCE.split_fractions if REFERENCE else None,
            seed=REFERENCE.split_seed if REFERENCE else None,
            max_force_eV_per_A=REFERENCE.max_force_eV_per_A if REFERENCE else None,
        ),
    script:
        "../scripts/al_extend.py"


rule al_summary:
    input:
        scores=lambda wc: [
            f"{P.al_explore_dir(wc.system, it, a)}/scores.csv"
            for it in al_iterations(wc.system)
            for a in MLIP.archs
        ],
        errors=lambda wc: [
            f"{P.al_model_dir(wc.system, it, a, seed)}/test_errors.csv"
            for it in al_iterations(wc.system)
            for a in MLIP.archs
            for seed in MLIP.seeds
        ],
        decisions=lambda wc: [
            P.al_file("decision.json", wc.system, it)
            for it in al_iterations(wc.system)
        ],
        datasets=lambda wc: [
            al_dataset(wc.system, it, "train") for it in al_iterations(wc.system)
        ],
    output:
        table=report(
            P.al_summary(),
            caption="../report/active_learning.rst",
            category="Potentials",
            labels={"table": "active learning per iteration"},
        ),
        figure=report(
            P.figure(name="active_learning"),
            caption="../report/active_learning.rst",
            category="Potentials",
            labels={"figure": "active learning convergence"},
        ),
    log:
        log_of("al_summary", "{system}"),
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
            active=ACTIVE,
        ),
    script:
        "../scripts/al_summary.py"
