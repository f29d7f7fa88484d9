# Adapter: candidate pool (crystal variants + MD frames), farthest-point selection, batches.
import logging

from vitrify.files import write_extxyz
from vitrify.logs import setup_logging
from vitrify.reference.sampling import candidate_pool, select_diverse
from vitrify.reference.structures import crystal_variants

setup_logging(snakemake.log[0])
ref = snakemake.params.reference
crystals = crystal_variants(list(ref.polymorphs), ref.crystal_strains, ref.crystal_rattles_A, ref.crystal_seeds,
                            min_atoms=ref.min_atoms)
pool = candidate_pool(crystals, snakemake.input.trajectories, liquid_min_T_K=ref.liquid_min_T_K,
                      min_atoms=ref.min_atoms)
write_extxyz(snakemake.output.candidates, pool)
n = min(ref.n_select, len(pool))
selected, _ = select_diverse(pool, n)
logging.info("selected %d of %d candidates", len(selected), len(pool))
write_extxyz(snakemake.output.selected, selected)
for b, path in enumerate(snakemake.output.batches):
    write_extxyz(path, selected[b * ref.batch_size:(b + 1) * ref.batch_size])
