"""Molecular dynamics: LAMMPS sessions, classical potentials, melt-quench protocols."""
