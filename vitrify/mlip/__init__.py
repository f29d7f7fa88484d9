"""Machine-learned interatomic potentials: training, evaluation, export."""
