# The silica potentials: SR (MACE) and LR (MACE + reciprocal-space gated attention),
# a committee of seeds each, learning curves, test-set evaluation and TorchScript export.


rule mlip_train:
    input:
        train=lambda wc: mlip_dataset("train"),
        valid=lambda wc: mlip_dataset("valid"),
    output:
        model=f"{RESULTS}/{{system}}/models/{{arch}}/{{member}}/model.pt",
        history=f"{RESULTS}/{{system}}/models/{{arch}}/{{member}}/history.csv",
    log:
        f"{LOGS}/mlip_train/{{system}}_{{arch}}_{{member}}.log",
    benchmark:
        f"{BENCH}/mlip_train/{{system}}_{{arch}}_{{member}}.tsv"
    conda:
        "../../envs/mlip.yaml"
    threads: res("mlip_train", "threads")
    resources:
        runtime=res("mlip_train", "runtime_min"),
        mem_mb=res("mlip_train", "mem_mb"),
    params:
        mlip=MLIP,
        # Checkpoints live outside the declared outputs: a killed job keeps them.
        work=lambda wc: f"{RESULTS}/{wc.system}/models/{wc.arch}/{wc.member}/work",
    script:
        "../scripts/mlip_train.py"


rule mlip_evaluate:
    input:
        model=rules.mlip_train.output.model,
        test=lambda wc: mlip_dataset("test"),
    output:
        errors=f"{RESULTS}/{{system}}/models/{{arch}}/{{member}}/test_errors.csv",
        predictions=f"{RESULTS}/{{system}}/models/{{arch}}/{{member}}/test_predictions.npz",
    log:
        f"{LOGS}/mlip_evaluate/{{system}}_{{arch}}_{{member}}.log",
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
        model=f"{RESULTS}/{{system}}/models/sr/{{member}}/model.pt",
        test=lambda wc: mlip_dataset("test"),
    output:
        model=f"{RESULTS}/{{system}}/models/sr/{{member}}/model-lammps.pt",
        check=f"{RESULTS}/{{system}}/models/sr/{{member}}/export_check.json",
    log:
        f"{LOGS}/mlip_export_torchscript/{{system}}_{{member}}.log",
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
        errors=lambda wc: [
            f"{mlip_dir(a, m)}/test_errors.csv" for a, m in mlip_members()
        ],
        predictions=lambda wc: [
            f"{mlip_dir(a, m)}/test_predictions.npz" for a, m in mlip_members()
        ],
        histories=lambda wc: [
            f"{mlip_dir(a, m)}/history.csv" for a, m in mlip_members()
        ],
    output:
        table=report(
            f"{RESULTS}/{{system}}/models/evaluation.csv",
            caption="../report/mlip_evaluation.rst",
            category="Potentials",
            labels={"table": "test-set errors, SR vs LR"},
        ),
        parity=report(
            f"{RESULTS}/{{system}}/figures/mlip_parity.png",
            caption="../report/mlip_parity.rst",
            category="Potentials",
            labels={"figure": "parity plots"},
        ),
        learning=report(
            f"{RESULTS}/{{system}}/figures/mlip_learning_curves.png",
            caption="../report/mlip_learning_curves.rst",
            category="Potentials",
            labels={"figure": "learning curves"},
        ),
        training=report(
            f"{RESULTS}/{{system}}/figures/mlip_training.png",
            caption="../report/mlip_training.rst",
            category="Potentials",
            labels={"figure": "training histories"},
        ),
    log:
        f"{LOGS}/mlip_summary/{{system}}.log",
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
        members=lambda wc: mlip_members(),
    script:
        "../scripts/mlip_summary.py"
