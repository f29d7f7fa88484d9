# Adapter: the previous iteration's dataset plus its newly labelled frames.
from vitrify.active.dataset import extend
from vitrify.files import read_extxyz, write_extxyz, write_json
from vitrify.logs import setup_logging

setup_logging(snakemake.log[0])
inp, params = snakemake.input, snakemake.params
it = int(snakemake.wildcards.it)
previous = {split: read_extxyz(getattr(inp, split)) for split in ("train", "valid", "test")}
new, removed = extend(previous, read_extxyz(inp.labelled), tuple(params.fractions), params.seed, it - 1,
                      params.max_force_eV_per_A)
for split, members in new.items():
    write_extxyz(getattr(snakemake.output, split), members)
write_json(snakemake.output.summary, {
    "iteration": it, "counts": {s: len(m) for s, m in new.items()},
    "added": {s: len(new[s]) - len(previous[s]) for s in new},
    "max_force_eV_per_A": params.max_force_eV_per_A, "n_removed_for_force": len(removed), "removed": removed,
    "label_methods": sorted({str(a.info.get("label_method")) for s in new.values() for a in s
                             if "label_method" in a.info}),
})
