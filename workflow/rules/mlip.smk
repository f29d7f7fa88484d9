# The silica potentials: SR (MACE) and LR (MACE + reciprocal-space gated attention),
# a committee of seeds each, learning curves, test-set evaluation and TorchScript export.


rule mlip_train:
    input:
        train=lambda wc: training_dataset("train"),
        valid=lambda wc: training_dataset("valid"),
        last_iteration=lambda wc: al_production_member(wc.system, wc.arch, wc.member),
    output:
        model=P.model_file(),
        history=f"{P.model_dir()}/history.csv",
    log:
        log_of("mlip_train", "{system}_{arch}_{member}"),
    benchmark:
        bench_of("mlip_train", "{system}_{arch}_{member}")
    conda:
        "../../envs/mlip.yaml"
    threads: res("mlip_train", "threads")
    resources:
        runtime=res("mlip_train", "runtime_min"),
        mem_mb=res("mlip_train", "mem_mb"),
    params:
        **tracked(
            model=MLIP.model if MLIP else None,
            training=MLIP.training if MLIP else None,
            seeds=MLIP.seeds if MLIP else None,
            device=MLIP.device if MLIP else None,
            species=lambda wc: SYSTEMS[wc.system].species,
            # Checkpoints live outside the declared outputs: a killed job keeps them.
            work=lambda wc: f"{P.model_dir(wc.system, wc.arch, wc.member)}/work",
        ),
    script:
        "../scripts/mlip_train.py"


rule mlip_evaluate:
    input:
        model=rules.mlip_train.output.model,
        test=lambda wc: training_dataset("test"),
    output:
        errors=f"{P.model_dir()}/test_errors.csv",
        predictions=f"{P.model_dir()}/test_predictions.npz",
    log:
        log_of("mlip_evaluate", "{system}_{arch}_{member}"),
    conda:
        "../../envs/mlip.yaml"
    threads: 1
    resources:
        runtime=res("default", "runtime_min"),
        mem_mb=res("default", "mem_mb"),
    script:
        "../scripts/mlip_evaluate.py"


rule mlip_export_torchscript:
    input:
        model=P.model_file(),
        test=lambda wc: training_dataset("test"),
    output:
        model=P.lammps_model_file(),
        check=f"{P.model_dir()}/export_check.json",
    log:
        log_of("mlip_export_torchscript", "{system}_{arch}_{member}"),
    wildcard_constraints:
        # only architectures LAMMPS can run as pair_style mace (SR: a short-range model)
        arch="|".join(a for a in MODEL_KINDS if MODEL_KINDS[a].lammps_pair_style),
    conda:
        "../../envs/mlip.yaml"
    threads: 1
    resources:
        runtime=res("default", "runtime_min"),
        mem_mb=res("default", "mem_mb"),
    script:
        "../scripts/mlip_export_torchscript.py"


rule mlip_summary:
    input:
        errors=lambda wc: mlip_member_files("test_errors.csv"),
        predictions=lambda wc: mlip_member_files("test_predictions.npz"),
        histories=lambda wc: mlip_member_files("history.csv"),
    output:
        table=report(
            P.model_evaluation(),
            caption="../report/mlip_evaluation.rst",
            category="Potentials",
            labels={"table": "test-set errors, SR vs LR"},
        ),
        parity=report(
            P.figure(name="mlip_parity"),
            caption="../report/mlip_parity.rst",
            category="Potentials",
            labels={"figure": "parity plots"},
        ),
        learning=report(
            P.figure(name="mlip_learning_curves"),
            caption="../report/mlip_learning_curves.rst",
            category="Potentials",
            labels={"figure": "learning curves"},
        ),
        training=report(
            P.figure(name="mlip_training"),
            caption="../report/mlip_training.rst",
            category="Potentials",
            labels={"figure": "training histories"},
        ),
    log:
        log_of("mlip_summary", "{system}"),
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
            members=lambda wc: mlip_members(),
        ),
    script:
        "../scripts/mlip_summary.py"
