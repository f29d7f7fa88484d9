"""Structure analysis of periodic glass models: pair correlations, diffraction, topology.

Modules (pure functions on numpy arrays / ase.Atoms; I/O only in frames.py,
experiment.py and figures.py):

* cell, neighbours: periodic geometry, pair histograms, bond lists (cKDTree).
* rdf: partial g_ab(r), coordination integrals, replica mean and standard error.
* scattering: neutron lengths (Sears 1992), X-ray f0(Q) (Waasmaier-Kirfel), Faber-Ziman weights.
* structure_factor: S_ab(Q) by Fourier transform, neutron F(Q)/S(Q), X-ray S(Q), Keen G/D/T(r).
* kspace: S_ab(Q) directly from density Fourier components (the independent check).
* fsdp: peak fits (first sharp diffraction peak, principal peak).
* coordination, angles: coordination numbers, defects, Qn, bond-angle distributions.
* graph, rings: the infinite periodic bond net; King, Guttman and primitive rings.
* experiment: loaders for measured S(Q)/F(Q)/G(r) files, R_chi, FSDP deltas.
* figures: matplotlib figures.
"""
