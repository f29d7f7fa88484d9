"""Label a batch of configurations so that a killed job loses at most the one in flight.

Layout under `outdir`:

    labeler.json            the labeler's settings; a rerun with different settings is refused
    done/<config_id>.extxyz one labelled frame per finished configuration (atomic write)
    failed/<config_id>.json why a configuration could not be labelled (atomic write)
    labelled.extxyz         all done frames in input order (written at the end, atomic)
    summary.json            counts done / failed (with reasons) / computed this run / reused

A rerun skips every configuration that already has a done/ or failed/ file, so only
the missing ones are computed; failed ones are retried only with retry_failed=True.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from pathlib import Path

from ase import Atoms
from ase.io import read

from ..files import remove_stale_temps, write_extxyz, write_json
from ..leases import WorkLease
from .identity import ID_KEY, config_id
from .labeler import LabelFailed, Labeler

log = logging.getLogger("vitrify.reference")


class SettingsChanged(RuntimeError):
    """The output directory holds labels made with other settings."""


def _check_settings(outdir: Path, labeler: Labeler) -> None:
    import json  # noqa: PLC0415

    path = outdir / "labeler.json"
    settings = json.loads(json.dumps(labeler.settings(), default=str))
    if path.exists():
        old = json.loads(path.read_text())
        if old != settings:
            changed = sorted(k for k in set(old) | set(settings) if old.get(k) != settings.get(k))
            raise SettingsChanged(f"{outdir} holds labels made with other settings (differ in "
                                  f"{', '.join(changed)}); use a new output directory")
    else:
        write_json(path, settings)


def label_batch(configs: list[Atoms], labeler: Labeler, outdir: str | Path,
                retry_failed: bool = False) -> dict:
    """Label every configuration not yet done; merge and summarise. Returns the summary.
    Holds the lease on `outdir` (one writer at a time)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with WorkLease(outdir, f"labels {outdir.name}"):
        return _label_batch(configs, labeler, outdir, retry_failed)


def _label_batch(configs: list[Atoms], labeler: Labeler, outdir: Path, retry_failed: bool) -> dict:
    done_dir, failed_dir = outdir / "done", outdir / "failed"
    done_dir.mkdir(parents=True, exist_ok=True)
    failed_dir.mkdir(parents=True, exist_ok=True)
    _check_settings(outdir, labeler)
    stale = remove_stale_temps(done_dir) + remove_stale_temps(failed_dir)
    if stale:
        log.info("removed %d partial file(s) left by an interrupted run", stale)

    order: list[str] = []
    todo: dict[str, Atoms] = {}
    for atoms in configs:
        cid = config_id(atoms)
        if cid not in todo:
            order.append(cid)
            todo[cid] = atoms
    t_start = time.perf_counter()
    computed, reused, skipped_failed = [], [], []
    for k, cid in enumerate(order):
        done_path, failed_path = done_dir / f"{cid}.extxyz", failed_dir / f"{cid}.json"
        if done_path.exists() and _complete_label(done_path, labeler):
            reused.append(cid)
            continue
        if done_path.exists():
            torn = done_path.with_name(done_path.name + ".torn")
            done_path.replace(torn)
            log.warning("label file %s cannot be read whole (kept as %s): labelling %s again",
                        done_path.name, torn.name, cid)
        if failed_path.exists():
            if not retry_failed:
                skipped_failed.append(cid)
                continue
            failed_path.unlink()
        atoms = todo[cid].copy()
        atoms.info[ID_KEY] = cid
        t0 = time.perf_counter()
        try:
            labelled = labeler.label(atoms)
        except LabelFailed as exc:
            write_json(failed_path, {
                "config_id": cid, "reason": exc.reason, "label_method": labeler.method,
                "origin": atoms.info.get("origin"), "source": atoms.info.get("source"),
                "wall_s": round(time.perf_counter() - t0, 3),
            })
            log.warning("[%d/%d] %s failed: %s", k + 1, len(order), cid, exc.reason)
            computed.append(cid)
            continue
        labelled.info[ID_KEY] = cid
        write_extxyz(done_path, labelled)
        computed.append(cid)
        log.info("[%d/%d] %s labelled in %.1f s (%s)", k + 1, len(order), cid,
                 time.perf_counter() - t0, atoms.info.get("source", ""))
    return finalize(outdir, order, labeler.method, computed=computed, reused=reused,
                    wall_s=time.perf_counter() - t_start)


def _complete_label(path: Path, labeler: Labeler) -> bool:
    """A label file that reads back with its energy and one force per atom."""
    try:
        atoms = read(path, format="extxyz")
        return labeler.keys.energy in atoms.info and atoms.arrays[labeler.keys.forces].shape == (len(atoms), 3)
    except Exception:  # noqa: BLE001  (anything unreadable is not a finished label)
        return False


def finalize(outdir: Path, order: list[str], method: str, computed=(), reused=(), wall_s: float = 0.0) -> dict:
    """Merge done frames (input order) into labelled.extxyz and write summary.json."""
    done, failures = [], []
    for cid in order:
        done_path = outdir / "done" / f"{cid}.extxyz"
        failed_path = outdir / "failed" / f"{cid}.json"
        if done_path.exists():
            done.append(read(done_path, format="extxyz"))
        elif failed_path.exists():
            import json  # noqa: PLC0415

            failures.append(json.loads(failed_path.read_text()))
    merged = outdir / "labelled.extxyz"
    if done:
        write_extxyz(merged, done)
    elif merged.exists():
        merged.unlink()
    summary = {
        "label_method": method,
        "n_configs": len(order),
        "n_done": len(done),
        "n_failed": len(failures),
        "n_missing": len(order) - len(done) - len(failures),
        "n_computed_this_run": len(computed),
        "n_reused": len(reused),
        "computed_this_run": list(computed),
        # Counted without the per-run scratch path, so equal causes add up.
        "failure_reasons": dict(Counter(f["reason"].split("; scratch ")[0] for f in failures)),
        "failed": [{"config_id": f["config_id"], "reason": f["reason"]} for f in failures],
        "origins_done": dict(Counter(str(a.info.get("origin")) for a in done)),
        "labelled_file": str(merged) if done else None,
        "wall_s_this_run": round(wall_s, 2),
    }
    write_json(outdir / "summary.json", summary)
    return summary
