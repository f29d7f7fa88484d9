# Adapter: candidate pool (crystal variants + MD frames), farthest-point selection, batches.
import logging

from vitrify.logs import setup_logging
from vitrify.reference.atomic_io import write_extxyz_atomic
from vitrify.reference.sampling import candidate_pool, select_diverse
from vitrify.reference.structures import crystal_variants

setup_logging(snakemake.log[0])
ref = snakemake.params.reference
crystals = crystal_variants(ref["polymorphs"], tuple(ref["crystal_strains"]), tuple(ref["crystal_rattles_A"]),
                            tuple(ref["crystal_seeds"]), min_atoms=ref["min_atoms"])
pool = candidate_pool(crystals, snakemake.input.trajectories, liquid_min_T_K=ref["liquid_min_T_K"],
                      min_atoms=ref["min_atoms"])
write_extxyz_atomic(snakemake.output.candidates, pool)
n = min(ref["n_select"], len(pool))
selected, _ = select_diverse(pool, n)
logging.info("selected %d of %d candidates", len(selected), len(pool))
write_extxyz_atomic(snakemake.output.selected, selected)
size = ref["batch_size"]
for b, path in enumerate(snakemake.output.batches):
    write_extxyz_atomic(path, selected[b * size:(b + 1) * size])
