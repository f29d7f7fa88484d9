"""A picture of one inherent structure, atoms coloured by their unique environment at the RISE.

The environments are the study's own (the leaders mined at the RISE radius); the structure's
atoms are assigned exactly as for its fraction vector. The `top` environments most frequent
in this structure get their own colours, the rest grey; atoms no environment matches
(unmatched_atoms: drop) are drawn small and white, so what the regression sees is what
the picture shows. Rendered with OVITO (vitrify.structure.pictures).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase import Atoms

from ..structure.pictures import render_atoms
from .environments import Environments, assign_environments, matched
from .soap import SoapSettings, soap_per_atom

# Tab10 without its grey: distinct at a glance, printable.
PALETTE = [(0.12, 0.47, 0.71), (1.0, 0.5, 0.05), (0.17, 0.63, 0.17), (0.84, 0.15, 0.16), (0.58, 0.4, 0.74),
           (0.55, 0.34, 0.29), (0.89, 0.47, 0.76), (0.74, 0.74, 0.13), (0.09, 0.75, 0.81)]
REST = (0.6, 0.6, 0.6)
UNMATCHED = (1.0, 1.0, 1.0)
RADII_A = {"Cu": 1.28, "Zr": 1.6}  # metallic radii: a dense packing reads as one


def environment_colours(env_of_atom: np.ndarray, is_matched: np.ndarray, top: int = len(PALETTE)
                        ) -> tuple[np.ndarray, list[dict]]:
    """Per-atom RGB colours and the legend: the `top` most frequent matched environments."""
    colours = np.tile(np.array(REST), (len(env_of_atom), 1))
    colours[~is_matched] = UNMATCHED
    envs, counts = np.unique(env_of_atom[is_matched], return_counts=True)
    order = np.lexsort((envs, -counts))[:min(top, len(PALETTE))]  # most frequent first, ties by index
    legend = []
    for k, i in enumerate(order):
        colours[is_matched & (env_of_atom == envs[i])] = PALETTE[k]
        legend.append({"environment": int(envs[i]), "atoms": int(counts[i]), "colour": PALETTE[k]})
    return colours, legend


def environment_picture(atoms: Atoms, env: Environments, soap: SoapSettings, path: str | Path,
                        unmatched: str = "drop", top: int = len(PALETTE)) -> dict:
    """Render `atoms` coloured by environment; returns what the picture shows, for the log."""
    x = soap_per_atom(atoms, soap)
    best = assign_environments(x, env)
    hit = matched(x, best, env) if unmatched == "drop" else np.ones(len(best), dtype=bool)
    colours, legend = environment_colours(best, hit, top)
    radii = np.array([RADII_A.get(s, 1.4) for s in atoms.get_chemical_symbols()])
    radii[~hit] *= 0.5
    render_atoms(atoms, colours, radii, path)
    return {"n_atoms": len(atoms), "n_unmatched": int((~hit).sum()),
            "n_environments_in_structure": int(len(np.unique(best[hit]))), "top": legend}
