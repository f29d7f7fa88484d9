# Adapter: the run's key numbers as a table and a page, for the report's front page.
import logging

from vitrify.files import write_csv, write_text
from vitrify.logs import setup_logging
from vitrify.paths import Layout
from vitrify.report_numbers import key_numbers, key_numbers_html

setup_logging(snakemake.log[0])
table = key_numbers(Layout(snakemake.params.run_name), snakemake.params.plan)
logging.info("%d key numbers from %d summaries", len(table), table["source"].nunique())
write_csv(snakemake.output.table, table)
write_text(snakemake.output.page, key_numbers_html(table, f"vitrify run {snakemake.params.run_name}: key numbers"))
