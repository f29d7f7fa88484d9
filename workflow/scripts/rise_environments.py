# Adapter: unique environments mined on one seed's training samples; per-sample counts.
import logging
from pathlib import Path

from vitrify.files import write_json
from vitrify.logs import setup_logging
from vitrify.rise.environments import environment_statistics, mine_leaders, sample_environment_counts, save_counts
from vitrify.rise.regression import split_samples
from vitrify.rise.samples import sample_targets
from vitrify.rise.soap import iter_sample_features

setup_logging(snakemake.log[0])
rise = snakemake.params.rise
store = Path(snakemake.input.index).parent
ids, _ = sample_targets(snakemake.input.samples)
train, _ = split_samples(ids, rise.test_fraction, int(snakemake.wildcards.seed))
env = mine_leaders((x for _, x in iter_sample_features(store, train)), rise.cosine_cutoff)
counts = sample_environment_counts((x for _, x in iter_sample_features(store, ids)), env)
save_counts(Path(snakemake.output.counts), ids, counts)
stats = {"radius_A": float(snakemake.wildcards.r), "seed": int(snakemake.wildcards.seed),
         **environment_statistics(counts)}
logging.info("r=%s A seed %s: %d environments", snakemake.wildcards.r, snakemake.wildcards.seed,
             stats["n_environments"])
write_json(Path(snakemake.output.stats), stats)
