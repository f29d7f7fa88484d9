"""Pictures of a network glass, rendered headless with OVITO.

The `ovito` module from PyPI (3.17, MIT licence, `resources/README.md`) renders with its
software Tachyon ray tracer; OVITO still needs a Vulkan loader to set up its frame
buffer, which Debian's `libvulkan1` and `mesa-vulkan-drivers` (a CPU driver) provide
(`./vitrify.sh` installs them). Only features of the free module are used: an atoms
import from ASE, explicit bonds, per-particle colours and radii, a perspective viewport.

Si atoms are coloured by their number of O neighbours within the bond cutoff: four-fold
(the network) in blue-grey, under- and over-coordinated Si in warm colours, so defects
stand out at a glance; O is red and small; bonds are drawn between Si and O.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
from ase import Atoms

from .coordination import bonds_of

# Si colour by coordination number (RGB in [0, 1]); anything else falls back to OTHER.
SI_COLOURS = {4: (0.55, 0.62, 0.75), 3: (1.0, 0.75, 0.1), 5: (0.85, 0.3, 0.85), 6: (0.6, 0.1, 0.6)}
OTHER = (0.2, 0.2, 0.2)
O_COLOUR = (0.85, 0.15, 0.1)
RADII_A = {"Si": 0.45, "O": 0.32}


def coordination_colours(atoms: Atoms, centre: str, neighbour: str, cutoff_A: float) -> tuple[np.ndarray, dict]:
    """Per-atom RGB colours (centre atoms by their coordination) and the counts per coordination."""
    bonds = bonds_of(atoms, {(centre, neighbour): cutoff_A})
    symbols = np.asarray(atoms.get_chemical_symbols())
    mask = symbols[bonds.j] == neighbour
    cn = np.bincount(bonds.i[mask], minlength=len(atoms))
    colours = np.tile(np.array(O_COLOUR), (len(atoms), 1))
    for k in np.flatnonzero(symbols == centre):
        colours[k] = SI_COLOURS.get(int(cn[k]), OTHER)
    counts = {int(c): int(n) for c, n in zip(*np.unique(cn[symbols == centre], return_counts=True))}
    return colours, counts


def render_network(atoms: Atoms, path: str | Path, centre: str = "Si", neighbour: str = "O",
                   cutoff_A: float = 2.0, size_px: tuple[int, int] = (900, 760)) -> dict:
    """Render `atoms` to a PNG at `path` (whole or absent); returns the coordination counts."""
    colours, counts = coordination_colours(atoms, centre, neighbour, cutoff_A)
    radii = [RADII_A.get(s, 0.4) for s in atoms.get_chemical_symbols()]
    render_atoms(atoms, colours, radii, path, bond_pair=(centre, neighbour, cutoff_A), size_px=size_px)
    return counts


def render_atoms(atoms: Atoms, colours: np.ndarray, radii, path: str | Path,
                 bond_pair: tuple[str, str, float] | None = None, size_px: tuple[int, int] = (900, 760)) -> None:
    """Render `atoms` with per-atom RGB colours and radii (A) to a PNG at `path`, whole or
    absent; with `bond_pair` = (a, b, cutoff_A), a-b bonds within the cutoff are drawn."""
    from ovito.io.ase import ase_to_ovito  # noqa: PLC0415  (OVITO only where a picture is made)
    from ovito.modifiers import CreateBondsModifier  # noqa: PLC0415
    from ovito.pipeline import Pipeline, StaticSource  # noqa: PLC0415
    from ovito.vis import TachyonRenderer, Viewport  # noqa: PLC0415

    data = ase_to_ovito(atoms)
    data.particles_.create_property("Color", data=np.asarray(colours, dtype=float))
    data.particles_.create_property("Radius", data=np.asarray(radii, dtype=float))
    pipeline = Pipeline(source=StaticSource(data=data))
    if bond_pair is not None:
        bonds = CreateBondsModifier(mode=CreateBondsModifier.Mode.Pairwise)
        bonds.set_pairwise_cutoff(*bond_pair)
        bonds.vis.width = 0.25
        pipeline.modifiers.append(bonds)
    pipeline.add_to_scene()
    try:
        viewport = Viewport(type=Viewport.Type.Perspective, camera_dir=(-1.0, -0.6, -0.45))
        viewport.zoom_all()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # OVITO picks the format from the name: render beside the target, then one rename.
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".png", dir=path.parent)
        os.close(fd)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; give the usual permissions
        try:
            viewport.render_image(filename=tmp, size=size_px, renderer=TachyonRenderer(), background=(1.0, 1.0, 1.0))
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    finally:
        pipeline.remove_from_scene()
