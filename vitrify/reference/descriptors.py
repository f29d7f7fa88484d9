"""A fixed-length structural fingerprint of one SiO2 configuration, for diversity sampling.

The descriptor is the concatenation of five blocks, all independent of cell size:

1. partial radial distribution functions g_SiSi, g_SiO, g_OO on [0, r_max_A] (bins of
   dr_A), normalised by the ideal-gas pair count so that dense and sparse cells compare;
2. the O-Si-O bond-angle distribution (Si at the vertex, O within bond_cutoff_A);
3. the Si-O-Si bond-angle distribution (O at the vertex), each a probability histogram
   on [0, 180] deg in bins of dangle_deg;
4. the Si coordination-number distribution (fractions of Si with 0..8 O neighbours
   within bond_cutoff_A), which separates tetrahedral from octahedral silica;
5. the mass density in g/cm3.

Radial pairs are found with ASE's periodic neighbour list, so r_max_A may exceed half
the cell; angles use the same list, so a bond is counted with its periodic image.
`block_slices` tells where each block sits, for block-wise scaling before distances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list

from ..structure.cell import density_g_per_cm3

PAIRS = (("Si", "Si"), ("Si", "O"), ("O", "O"))
ANGLES = (("O", "Si", "O"), ("Si", "O", "Si"))
MAX_CN = 8


@dataclass(frozen=True)
class DescriptorSettings:
    r_max_A: float = 6.0
    dr_A: float = 0.1
    bond_cutoff_A: float = 2.1  # past the Si-O first-shell minimum (~2.0-2.2 A in melts)
    dangle_deg: float = 5.0

    @property
    def n_r(self) -> int:
        return int(round(self.r_max_A / self.dr_A))

    @property
    def n_angle(self) -> int:
        return int(round(180.0 / self.dangle_deg))


def block_slices(settings: DescriptorSettings = DescriptorSettings()) -> dict[str, slice]:
    sizes = [("rdf", 3 * settings.n_r), ("angle_OSiO", settings.n_angle),
             ("angle_SiOSi", settings.n_angle), ("cn_Si", MAX_CN + 1), ("density", 1)]
    out, start = {}, 0
    for name, size in sizes:
        out[name] = slice(start, start + size)
        start += size
    return out


def partial_rdfs(atoms: Atoms, settings: DescriptorSettings) -> np.ndarray:
    """g_ab(r) for Si-Si, Si-O, O-O, concatenated; 0 where a species is missing."""
    symbols = np.array(atoms.get_chemical_symbols())
    i, j, d = neighbor_list("ijd", atoms, settings.r_max_A)
    edges = np.linspace(0.0, settings.r_max_A, settings.n_r + 1)
    shell_A3 = 4.0 / 3.0 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    volume = atoms.get_volume()
    blocks = []
    for a, b in PAIRS:
        n_a, n_b = np.sum(symbols == a), np.sum(symbols == b)
        if n_a == 0 or n_b == 0:
            blocks.append(np.zeros(settings.n_r))
            continue
        mask = (symbols[i] == a) & (symbols[j] == b)
        counts, _ = np.histogram(d[mask], bins=edges)
        # Average number of b around each a, divided by what an ideal gas would give.
        blocks.append(counts / n_a / (shell_A3 * n_b / volume))
    return np.concatenate(blocks)


def bond_angle_histogram(atoms: Atoms, vertex: str, end: str, settings: DescriptorSettings) -> np.ndarray:
    """Probability histogram of end-vertex-end angles, bonds shorter than bond_cutoff_A."""
    symbols = np.array(atoms.get_chemical_symbols())
    i, j, vec = neighbor_list("ijD", atoms, settings.bond_cutoff_A)
    keep = (symbols[i] == vertex) & (symbols[j] == end)
    i, vec = i[keep], vec[keep]
    angles = []
    for centre in np.unique(i):
        v = vec[i == centre]
        if len(v) < 2:
            continue
        u = v / np.linalg.norm(v, axis=1)[:, None]
        cos = np.clip(u @ u.T, -1.0, 1.0)
        upper = np.triu_indices(len(v), k=1)
        angles.append(np.degrees(np.arccos(cos[upper])))
    hist = np.zeros(settings.n_angle)
    if angles:
        hist, _ = np.histogram(np.concatenate(angles), bins=settings.n_angle, range=(0.0, 180.0))
        hist = hist / max(hist.sum(), 1)
    return hist


def si_coordination_fractions(atoms: Atoms, settings: DescriptorSettings) -> np.ndarray:
    symbols = np.array(atoms.get_chemical_symbols())
    i, j = neighbor_list("ij", atoms, settings.bond_cutoff_A)
    keep = (symbols[i] == "Si") & (symbols[j] == "O")
    cn = np.bincount(i[keep], minlength=len(atoms))[symbols == "Si"]
    frac = np.bincount(np.minimum(cn, MAX_CN), minlength=MAX_CN + 1).astype(float)
    return frac / max(len(cn), 1)


def structural_descriptor(atoms: Atoms, settings: DescriptorSettings = DescriptorSettings()) -> np.ndarray:
    return np.concatenate([
        partial_rdfs(atoms, settings),
        bond_angle_histogram(atoms, "Si", "O", settings),
        bond_angle_histogram(atoms, "O", "Si", settings),
        si_coordination_fractions(atoms, settings),
        [density_g_per_cm3(atoms)],
    ])


def descriptor_matrix(configs: list[Atoms], settings: DescriptorSettings = DescriptorSettings()) -> np.ndarray:
    return np.stack([structural_descriptor(a, settings) for a in configs])


def scale_blocks(matrix: np.ndarray, settings: DescriptorSettings = DescriptorSettings()) -> np.ndarray:
    """Divide each block by its pool-wide standard deviation (all its entries together).

    Without this the RDF block (180 entries of order 1) would drown the density (one
    entry); per-entry z-scores would instead blow up noise in bins that are almost
    always empty. Block-wise scaling gives each kind of information a comparable say.
    """
    out = np.array(matrix, dtype=float, copy=True)
    for sl in block_slices(settings).values():
        block = out[:, sl]
        spread = float(np.sqrt(np.mean((block - block.mean(axis=0)) ** 2)))
        if spread > 0:
            out[:, sl] = block / spread
    return out
