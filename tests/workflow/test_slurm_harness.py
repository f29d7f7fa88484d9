"""The loopback SLURM of tests/support/slurm_cluster.py gives GPU jobs a GPU and CPU jobs none.

The cluster fixture lives in conftest.py (started once per session, stopped at the end).
The workflow itself goes through it in test_workflow_slurm.py.
"""

from __future__ import annotations

import subprocess

import pytest

pytestmark = pytest.mark.slurm


def _parse_kv(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def test_cluster_is_up(slurm):
    out = subprocess.run(
        ["sinfo", "-h", "-o", "%P %T %G"],
        capture_output=True,
        text=True,
        timeout=30,
        env=slurm.env(),
    )
    assert out.returncode == 0, out.stderr
    assert "cpu*" in out.stdout and "gpu" in out.stdout
    assert "gpu:fake:2" in out.stdout
    assert slurm.partitions == ("cpu", "gpu")
    assert slurm.gpus == 2


def test_sbatch_gpu_job_sees_cuda_visible_devices(slurm, tmp_path):
    out_file = tmp_path / "gpu.out"
    res = subprocess.run(
        [
            "sbatch",
            "--parsable",
            "--wait",
            "-p",
            slurm.gpu_partition,
            "--gpus=1",
            "-t",
            "2",
            "-o",
            str(out_file),
            "--wrap",
            'echo "CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES"; '
            'echo "SLURM_JOB_ID=$SLURM_JOB_ID"; '
            'echo "SLURM_JOB_GPUS=$SLURM_JOB_GPUS"',
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=slurm.env(),
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    env = _parse_kv(out_file.read_text())
    assert env["CUDA_VISIBLE_DEVICES"] != "", out_file.read_text()
    assert env["SLURM_JOB_ID"] == res.stdout.strip().split(";")[0]


def test_sbatch_cpu_job_has_no_gpu(slurm, tmp_path):
    out_file = tmp_path / "cpu.out"
    res = subprocess.run(
        [
            "sbatch",
            "--parsable",
            "--wait",
            "-t",
            "2",
            "-o",
            str(out_file),
            "--wrap",
            'echo "CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-}"; '
            'echo "SLURM_JOB_PARTITION=$SLURM_JOB_PARTITION"',
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=slurm.env(),
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    env = _parse_kv(out_file.read_text())
    assert env["SLURM_JOB_PARTITION"] == slurm.default_partition
    assert env.get("CUDA_VISIBLE_DEVICES", "") == ""
