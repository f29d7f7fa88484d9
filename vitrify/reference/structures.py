"""Crystalline SiO2 polymorphs from published structures, their supercells and distortions.

Each polymorph is built with `ase.spacegroup.crystal` from the lattice constants and
asymmetric-unit coordinates exactly as published (numbers copied from the paper's
table via the AMCSD/COD entries named in each citation). Where the paper used a
non-standard origin, the shift that takes it to the International Tables setting
ASE uses is applied explicitly and stated, rather than editing the published numbers.

Distorted variants (random symmetric strain, Gaussian rattle) give the reference set
off-equilibrium crystal environments; each variant is reproducible from its seed and
says how it was made in `info["source"]`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from ase import Atoms
from ase.spacegroup import crystal


@dataclass(frozen=True)
class PolymorphSpec:
    """A published crystal structure: what ase.spacegroup.crystal needs, plus provenance."""

    name: str
    spacegroup: int
    setting: int
    cellpar: tuple[float, float, float, float, float, float]  # a, b, c (A), alpha, beta, gamma (deg)
    symbols: tuple[str, ...]
    basis: tuple[tuple[float, float, float], ...]  # fractional, as published
    citation: str
    origin_shift: tuple[float, float, float] = (0.0, 0.0, 0.0)  # added to published coords
    note: str = ""
    expected_atoms: int = 0  # atoms in the conventional cell: a check on the setting
    verified_against_source: bool = True
    extra: dict = field(default_factory=dict)


POLYMORPHS: dict[str, PolymorphSpec] = {
    # The published setting has the 2-fold axis along a at z = 0 (AMCSD 0000789 lists its
    # operators: x,y,z; y,x,2/3-z; -y,x-y,2/3+z; -x,-x+y,1/3-z; -x+y,-x,1/3+z; x-y,-y,-z).
    # That is ITA No. 154 with the origin moved by c/3, so z_ITA = z_published - 1/3.
    # Without the shift (x,0,0) is a general position and ASE would make 12 atoms.
    "alpha-quartz": PolymorphSpec(
        name="alpha-quartz",
        spacegroup=154,  # P3_2 21
        setting=1,
        cellpar=(4.916, 4.916, 5.4054, 90.0, 90.0, 120.0),
        symbols=("Si", "O"),
        basis=((0.4697, 0.0, 0.0), (0.4135, 0.2669, 0.1191)),
        origin_shift=(0.0, 0.0, -1.0 / 3.0),
        citation=("L. Levien, C. T. Prewitt, D. J. Weidner, 'Structure and elastic properties of "
                  "quartz at pressure', Am. Mineral. 65, 920-930 (1980), P = 1 atm "
                  "(AMCSD 0000789)"),
        expected_atoms=9,
    ),
    # Coordinates recalled from the paper, NOT checked against a copy of it in this
    # session (the lattice constants are confirmed by a second source); see report.
    "alpha-cristobalite": PolymorphSpec(
        name="alpha-cristobalite",
        spacegroup=92,  # P4_1 2_1 2
        setting=1,
        cellpar=(4.9717, 4.9717, 6.9223, 90.0, 90.0, 90.0),
        symbols=("Si", "O"),
        basis=((0.3003, 0.3003, 0.0), (0.2392, 0.1044, 0.1787)),
        citation=("R. T. Downs, D. C. Palmer, 'The pressure behavior of alpha cristobalite', "
                  "Am. Mineral. 79, 9-14 (1994), room pressure (AMCSD 0001629)"),
        expected_atoms=12,
        note=("cell checked against a copy of AMCSD 0001629 that names the paper (pyFAI calibrant "
              "file cristobaltite.D); the paper's coordinate table was not at hand, so Si x and "
              "O x, y, z were checked indirectly: a fit to that file's 28 calculated powder "
              "intensities (Cu K-alpha) returns 0.30029 and (0.23918, 0.10439, 0.17870), "
              "each pinned to +-0.0002; Si-O 1.603 A, Si-O-Si 146.5 deg, 2.33 g/cm3"),
        verified_against_source=True,
    ),
    # Idealised model: O on 16c gives straight Si-O-Si links and Si-O = a*sqrt(3)/8 =
    # 1.54 A, shorter than real (~1.61 A); the real phase has O disordered off 16c.
    "beta-cristobalite": PolymorphSpec(
        name="beta-cristobalite",
        spacegroup=227,  # Fd-3m, origin choice 1 (Si on 8a at 0,0,0)
        setting=1,
        cellpar=(7.12, 7.12, 7.12, 90.0, 90.0, 90.0),
        symbols=("Si", "O"),
        basis=((0.0, 0.0, 0.0), (0.125, 0.125, 0.125)),
        citation=("R. W. G. Wyckoff, 'Die Kristallstruktur von beta-Cristobalit SiO2 (bei hohen "
                  "Temperaturen stabile Form)', Z. Kristallogr. 62, 189-200 (1925) (COD 1010944)"),
        note="idealised Fd-3m model, Si-O 1.54 A, Si-O-Si 180 deg",
        expected_atoms=24,
    ),
    "coesite": PolymorphSpec(
        name="coesite",
        spacegroup=15,  # C2/c, unique axis b, cell choice 1 (the AMCSD operators)
        setting=1,
        cellpar=(7.1356, 12.3692, 7.1736, 90.0, 120.34, 90.0),
        symbols=("Si", "Si", "O", "O", "O", "O", "O"),
        basis=(
            (0.14033, 0.10833, 0.07227),
            (0.50682, 0.15799, 0.54077),
            (0.0, 0.0, 0.0),
            (0.5, 0.1163, 0.75),
            (0.2660, 0.1234, 0.9401),
            (0.3114, 0.1038, 0.3282),
            (0.0172, 0.2117, 0.4782),
        ),
        citation=("L. Levien, C. T. Prewitt, 'High-pressure crystal structure and compressibility "
                  "of coesite', Am. Mineral. 66, 324-333 (1981), P = 1 atm isotropic refinement "
                  "(AMCSD 0000816)"),
        expected_atoms=48,
    ),
    # Six-fold Si: gives the reference set the densified environments a compressed
    # glass or a hot dense liquid visits.
    "stishovite": PolymorphSpec(
        name="stishovite",
        spacegroup=136,  # P4_2/mnm
        setting=1,
        cellpar=(4.1801, 4.1801, 2.6678, 90.0, 90.0, 90.0),
        symbols=("Si", "O"),
        basis=((0.0, 0.0, 0.0), (0.3067, 0.3067, 0.0)),
        citation=("N. L. Ross, J.-F. Shu, R. M. Hazen, T. Gasparik, 'High-pressure crystal "
                  "chemistry of stishovite', Am. Mineral. 75, 739-747 (1990), P = 0 "
                  "(AMCSD 0001306)"),
        expected_atoms=6,
    ),
}


def polymorph_names() -> list[str]:
    return list(POLYMORPHS)


def build_polymorph(name: str) -> Atoms:
    """The conventional cell of a polymorph, Si and O only, info origin/source/citation set."""
    try:
        spec = POLYMORPHS[name]
    except KeyError:
        raise ValueError(f"unknown polymorph {name!r}; known: {', '.join(POLYMORPHS)}") from None
    shift = np.asarray(spec.origin_shift)
    basis = [tuple(np.asarray(b) + shift) for b in spec.basis]
    atoms = crystal(list(spec.symbols), basis=basis, spacegroup=spec.spacegroup,
                    setting=spec.setting, cellpar=list(spec.cellpar), pbc=True)
    if spec.expected_atoms and len(atoms) != spec.expected_atoms:
        raise RuntimeError(f"{name}: built {len(atoms)} atoms, expected {spec.expected_atoms}: "
                           "space-group setting and coordinates disagree")
    # Keep provenance, drop ASE's Spacegroup object and site-kind array: they do not
    # survive extxyz round trips cleanly and say nothing the citation does not.
    atoms.info = {"origin": "crystal", "source": name, "polymorph": name, "citation": spec.citation}
    if spec.note:
        atoms.info["structure_note"] = spec.note
    atoms.arrays.pop("spacegroup_kinds", None)
    return atoms


def _cell_heights_A(cell: np.ndarray) -> np.ndarray:
    """Distances between opposite faces of the cell (A): what limits periodic images."""
    volume = abs(np.linalg.det(cell))
    return np.array([volume / np.linalg.norm(np.cross(cell[(i + 1) % 3], cell[(i + 2) % 3]))
                     for i in range(3)])


def supercell_repeats(atoms: Atoms, min_atoms: int = 72, max_aspect: float = 2.0,
                      max_repeat: int = 8) -> tuple[int, int, int]:
    """Smallest repetition (n1, n2, n3) with >= min_atoms atoms whose face-to-face heights
    differ by at most `max_aspect` (max/min); ties go to the most cubic, then lexicographic.

    Near-cubic matters because Gamma-point-only reference codes (xTB, CP2K here) are
    only as good as the shortest periodic repeat distance.
    """
    heights = _cell_heights_A(np.asarray(atoms.cell))
    best = None
    for reps in itertools.product(range(1, max_repeat + 1), repeat=3):
        n = len(atoms) * reps[0] * reps[1] * reps[2]
        if n < min_atoms:
            continue
        h = heights * np.array(reps)
        aspect = float(h.max() / h.min())
        if aspect > max_aspect + 1e-9:
            continue
        key = (n, round(aspect, 6), reps)
        if best is None or key < best:
            best = key
    if best is None:
        raise ValueError(f"no repetition up to {max_repeat} gives >= {min_atoms} atoms "
                         f"with aspect <= {max_aspect}")
    return best[2]


def make_supercell(atoms: Atoms, min_atoms: int = 72, max_aspect: float = 2.0) -> Atoms:
    reps = supercell_repeats(atoms, min_atoms, max_aspect)
    sc = atoms.repeat(reps)
    sc.info = dict(atoms.info)
    sc.info["repeat"] = "x".join(map(str, reps))
    sc.info["source"] = f"{atoms.info.get('source', 'crystal')} {sc.info['repeat']}"
    return sc


def random_symmetric_strain(max_strain: float, rng: np.random.Generator) -> np.ndarray:
    """A symmetric strain tensor with every component uniform in [-max_strain, max_strain]."""
    eps = rng.uniform(-max_strain, max_strain, size=(3, 3))
    return 0.5 * (eps + eps.T)


def strained(atoms: Atoms, max_strain: float, seed: int) -> Atoms:
    """Copy with cell and atoms deformed by (1 + eps), eps a seeded random symmetric strain."""
    eps = random_symmetric_strain(max_strain, np.random.default_rng(seed))
    out = atoms.copy()
    out.set_cell(np.asarray(atoms.cell) @ (np.eye(3) + eps), scale_atoms=True)
    out.info["strain_voigt"] = np.array([eps[0, 0], eps[1, 1], eps[2, 2],
                                         eps[1, 2], eps[0, 2], eps[0, 1]])
    return out


def rattled(atoms: Atoms, stdev_A: float, seed: int) -> Atoms:
    """Copy with every atom displaced by an isotropic Gaussian of width stdev_A (A)."""
    out = atoms.copy()
    rng = np.random.default_rng(seed)
    out.positions = atoms.positions + rng.normal(0.0, stdev_A, size=atoms.positions.shape)
    return out


def crystal_variant(name: str, strain: float = 0.0, rattle_A: float = 0.0, seed: int = 0,
                    min_atoms: int = 72, max_aspect: float = 2.0) -> Atoms:
    """One supercell of `name`, strained then rattled, with a source line that rebuilds it."""
    atoms = make_supercell(build_polymorph(name), min_atoms, max_aspect)
    # Independent streams for strain and rattle, so changing one leaves the other alone.
    if strain > 0:
        atoms = strained(atoms, strain, seed)
    if rattle_A > 0:
        atoms = rattled(atoms, rattle_A, seed + 7919)
    atoms.wrap()
    atoms.info.update(
        origin="crystal",
        source=f"{name} {atoms.info['repeat']} strain {strain:g} rattle {rattle_A:g} A seed {seed}",
    )
    return atoms


def crystal_variants(names: list[str] | None = None, strains: tuple[float, ...] = (0.0, 0.02, 0.05),
                     rattles_A: tuple[float, ...] = (0.0, 0.05, 0.1), seeds: tuple[int, ...] = (0,),
                     min_atoms: int = 72, max_aspect: float = 2.0) -> list[Atoms]:
    """Every (polymorph, strain, rattle, seed) combination; the undistorted one only once."""
    out = []
    for name in names or polymorph_names():
        for strain, rattle in itertools.product(strains, rattles_A):
            for seed in seeds if (strain or rattle) else (0,):
                out.append(crystal_variant(name, strain, rattle, seed, min_atoms, max_aspect))
    return out
