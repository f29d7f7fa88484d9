# Adapter: unique environments mined on one mining set; per-sample counts of every sample.
import logging
from pathlib import Path

from vitrify.files import write_json
from vitrify.logs import setup_logging
from vitrify.rise.environments import (
    environment_statistics,
    mine_leaders,
    sample_environment_counts,
    save_counts,
    save_environments,
)
from vitrify.rise.samples import sample_table
from vitrify.rise.soap import iter_sample_features
from vitrify.rise.splits import mining_ids

setup_logging(snakemake.log[0])
rise = snakemake.params.rise
seed, radius = int(snakemake.wildcards.seed), float(snakemake.wildcards.r)
store = Path(snakemake.input.index).parent
ids, _, rates = sample_table(snakemake.input.samples)
mined = mining_ids(ids, rates, rise, seed)
logging.info("r=%s A: mining %d of %d samples (%s, seed %d) at cosine %.6f", radius, len(mined), len(ids),
             rise.mining_set, seed, rise.cosine_cutoff)
env = mine_leaders((x for _, x in iter_sample_features(store, mined)), rise.cosine_cutoff)
counts, unmatched = sample_environment_counts((x for _, x in iter_sample_features(store, ids)), env,
                                              rise.unmatched_atoms)
save_counts(Path(snakemake.output.counts), ids, counts)
save_environments(Path(snakemake.output.leaders), env)
stats = {"radius_A": radius, "seed": seed, "mining_set": rise.mining_set, "n_samples_mined": len(mined),
         "similarity_cutoff": rise.similarity_cutoff, "similarity_convention": rise.similarity_convention,
         "cosine_cutoff": rise.cosine_cutoff, "unmatched_atoms": rise.unmatched_atoms,
         **environment_statistics(counts, unmatched)}
logging.info("r=%s A: %d environments, %.1f %% of atoms unmatched (%s)", radius, stats["n_environments"],
             100 * stats["unmatched_fraction"], rise.unmatched_atoms)
write_json(Path(snakemake.output.stats), stats)
