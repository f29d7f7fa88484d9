"""RISE: the radius of informative structural environments in metallic glasses.

Per-atom SOAP at a sweep of cutoff radii (`soap`), unique local environments by greedy
leader clustering and per-sample environment fractions (`environments`), XGBoost from
fractions to inherent-structure energy and the RISE estimate over seeds (`regression`),
the second half on voxel grids (`voxels`, `vit`, `vit_training`, `attribution`,
`vit_summary`), studies of several (system, model) pairs (`studies`), and the figures
(`figures`). Method: npj Comput. Mater. 12, 122 (2026).
"""
