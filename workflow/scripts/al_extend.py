# Adapter: the previous iteration's dataset plus its newly labelled frames.
from pathlib import Path

from ase.io import read

from vitrify.active.dataset import extend
from vitrify.files import write_extxyz, write_json, write_text
from vitrify.logs import setup_logging

setup_logging(snakemake.log[0])
inp, params = snakemake.input, snakemake.params
it = int(snakemake.wildcards.it)


def frames(path):
    return read(path, ":") if Path(path).stat().st_size else []


previous = {split: frames(getattr(inp, split)) for split in ("train", "valid", "test")}
new, removed = extend(previous, frames(inp.labelled), tuple(params.fractions), params.seed, it - 1,
                      params.max_force_eV_per_A)
for split, members in new.items():
    target = getattr(snakemake.output, split)
    if members:
        write_extxyz(target, members)
    else:
        write_text(target, "")
write_json(snakemake.output.summary, {
    "iteration": it, "counts": {s: len(m) for s, m in new.items()},
    "added": {s: len(new[s]) - len(previous[s]) for s in new},
    "max_force_eV_per_A": params.max_force_eV_per_A, "n_removed_for_force": len(removed), "removed": removed,
    "label_methods": sorted({str(a.info.get("label_method")) for s in new.values() for a in s
                             if "label_method" in a.info}),
})
