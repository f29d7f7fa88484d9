# vitrify: amorphous materials from reference data to paper figures.
# Run:  snakemake --cores 2                      (config/config.yaml, laptop scale)
#       snakemake --profile slurm --configfile config/campaign.yaml
from snakemake.utils import min_version

min_version("9.0")


report: "workflow/report/workflow.rst"


# Every config file is complete: a --configfile replaces the default rather than being
# merged over it, so a test or campaign never inherits systems it did not ask for.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/md.smk"
include: "workflow/rules/rise.smk"
include: "workflow/rules/structure.smk"
include: "workflow/rules/reference.smk"
include: "workflow/rules/mlip.smk"
include: "workflow/rules/active.smk"
include: "workflow/rules/report.smk"


localrules:
    all,


rule all:
    default_target: True
    input:
        all_targets(),
