"""Molecular dynamics: the potential factory (model name -> what drives LAMMPS), protocols,
reference conditions, the resumable melt-quench, glass summaries and their figures.

LAMMPS itself (sessions, the potential interface, classical potentials, the callback for
Python models) is the layer below, `vitrify.lammps`.
"""
