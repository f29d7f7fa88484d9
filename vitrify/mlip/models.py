"""SR (plain MACE) and LR (MACE + reciprocal-space attention) potentials for one wrapper.

The wrapper, not MACE, owns differentiation: a symmetric strain ``eps`` (zeros, one per
structure) deforms positions and cell together, ``r' = r (1 + eps)``, ``C' = C (1 + eps)``;
periodic shift vectors are rebuilt from the integer unit shifts and ``C'``; both energy
terms are evaluated on the strained structure and

    forces = -dE/dr,    stress = (1/V) dE/d(eps)    (ASE sign convention, eV/A^3).

One path for both architectures, so the LR stress includes the strain dependence of the
k-vectors and of the volume.

Graphs are built once per structure (neighbour lists with mace's matscipy helper) and
collated into a plain dict of tensors that both MACE and the LR term read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import warnings
from dataclasses import dataclass

import ase
import ase.data
import numpy as np
import torch

# mace must be imported before e3nn: with torch 2.13, importing e3nn first fails (UnpicklingError).
import mace.modules  # noqa: I001
from mace.data.neighborhood import get_neighborhood
from e3nn import o3

from vitrify.mlip.reciprocal_attention import LongRangeEnergy
from vitrify.mlip.reciprocal_mesh import MeshSettings
from vitrify.reference.dataset import is_isolated_atom

# e3nn scripts its modules at construction and torch warns about its annotations each time:
# dozens of identical lines per model in every job log, none actionable here.
warnings.filterwarnings("ignore", message="The TorchScript type system doesn't support")
warnings.filterwarnings("ignore", message=r"`torch.jit.script` is deprecated")

# The architectures: SR is MACE alone; LR adds the reciprocal-space gated attention.
ARCHS = {
    "sr": {"description": "MACE (short-range)", "long_range": False},
    "lr": {"description": "MACE + reciprocal-space gated attention (long-range)", "long_range": True},
}
# mace_run_train defaults for everything ModelSpec does not expose, so an SR model here
# is the model `mace_run_train --model ScaleShiftMACE` would build from the same numbers.
MACE_DEFAULTS = dict(max_ell=3, num_cutoff_basis=5, mlp_irreps="16x0e", gate="silu",
                     interaction="RealAgnosticResidualInteractionBlock")


@dataclass(frozen=True)
class ModelSpec:
    arch: str
    species: tuple[str, ...]
    r_max_A: float = 5.0
    num_channels: int = 16
    max_L: int = 1
    correlation: int = 3
    num_interactions: int = 2
    num_radial_basis: int = 8
    radial_mlp: tuple[int, ...] = (64, 64, 64)
    lr_k_cutoff_inv_A: float = 1.5
    lr_heads: int = 2
    lr_head_dim: int = 8
    lr_filter_basis: int = 8
    # How the k sum is evaluated (no parameters depend on it; see MeshSettings).
    lr_method: str = "auto"
    lr_mesh_order: int = 6
    lr_mesh_oversampling: float = 2.0
    lr_mesh_above_k_vectors: int = 1500
    # ZBL screened-nuclear repulsion under the learned energy: where the data hold no close
    # pairs (always, for small sets) a learned potential may have holes that collapse MD.
    zbl_pair_repulsion: bool = True

    def __post_init__(self):
        object.__setattr__(self, "species", tuple(self.species))
        object.__setattr__(self, "radial_mlp", tuple(int(x) for x in self.radial_mlp))
        if self.arch not in ARCHS:
            raise ValueError(f"ModelSpec.arch must be one of {tuple(ARCHS)}, got {self.arch!r}")
        unknown = [s for s in self.species if s not in ase.data.atomic_numbers]
        if not self.species or unknown or len(set(self.species)) != len(self.species):
            raise ValueError(f"ModelSpec.species must be distinct element symbols, got {self.species!r}")
        for name in ("r_max_A", "lr_k_cutoff_inv_A"):
            if not getattr(self, name) > 0:
                raise ValueError(f"ModelSpec.{name} must be positive, got {getattr(self, name)!r}")
        self.mesh_settings()  # validates the lr_method and lr_mesh_* fields

    @property
    def description(self) -> str:
        return ARCHS[self.arch]["description"]

    @property
    def long_range(self) -> bool:
        return ARCHS[self.arch]["long_range"]

    def mesh_settings(self) -> MeshSettings:
        return MeshSettings(self.lr_method, int(self.lr_mesh_order), float(self.lr_mesh_oversampling),
                            int(self.lr_mesh_above_k_vectors))

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["species"], d["radial_mlp"] = list(self.species), list(self.radial_mlp)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ModelSpec":
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown ModelSpec keys {unknown}; allowed: {sorted(names)}")
        missing = [k for k in ("arch", "species") if k not in d]
        if missing:
            raise ValueError(f"ModelSpec needs keys {missing}")
        return cls(**d)


def atomic_numbers(spec: ModelSpec) -> list[int]:
    """Model element order: sorted atomic numbers, as mace's AtomicNumberTable."""
    return sorted(ase.data.atomic_numbers[s] for s in spec.species)


def hidden_irreps(spec: ModelSpec) -> o3.Irreps:
    return o3.Irreps("+".join(f"{spec.num_channels}x{l}{'e' if l % 2 == 0 else 'o'}"
                              for l in range(spec.max_L + 1)))


@contextlib.contextmanager
def _default_dtype(dtype: torch.dtype):
    # mace and e3nn create buffers and weights in the default dtype at construction time.
    old = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def _e0_array(spec: ModelSpec, e0s_eV: dict[str, float]) -> np.ndarray:
    missing = [s for s in spec.species if s not in e0s_eV]
    if missing:
        raise ValueError(f"e0s_eV lacks reference energies for {missing}")
    by_z = {ase.data.atomic_numbers[s]: float(e) for s, e in e0s_eV.items() if s in spec.species}
    return np.array([by_z[z] for z in atomic_numbers(spec)])


def _build_mace(spec: ModelSpec, e0s: np.ndarray, avg_num_neighbors: float,
                scale: float, shift: float) -> torch.nn.Module:
    interaction = mace.modules.interaction_classes[MACE_DEFAULTS["interaction"]]
    return mace.modules.ScaleShiftMACE(
        r_max=spec.r_max_A, num_bessel=spec.num_radial_basis,
        num_polynomial_cutoff=MACE_DEFAULTS["num_cutoff_basis"], max_ell=MACE_DEFAULTS["max_ell"],
        interaction_cls=interaction, interaction_cls_first=interaction,
        num_interactions=spec.num_interactions, num_elements=len(spec.species),
        hidden_irreps=hidden_irreps(spec), MLP_irreps=o3.Irreps(MACE_DEFAULTS["mlp_irreps"]),
        atomic_energies=e0s, avg_num_neighbors=avg_num_neighbors, atomic_numbers=atomic_numbers(spec),
        correlation=spec.correlation, gate=mace.modules.gate_dict[MACE_DEFAULTS["gate"]],
        radial_MLP=list(spec.radial_mlp), atomic_inter_scale=scale, atomic_inter_shift=shift,
        pair_repulsion=spec.zbl_pair_repulsion)


class Potential(torch.nn.Module):
    """Energy, forces and stress of a batch from make_batch/collate; see module docstring."""

    def __init__(self, spec: ModelSpec, mace_model: torch.nn.Module, long_range: torch.nn.Module | None,
                 e0s_eV: dict[str, float], statistics: dict[str, float]):
        super().__init__()
        self.spec = spec
        self.mace = mace_model
        self.long_range = long_range
        self.e0s_eV = {s: float(e0s_eV[s]) for s in spec.species}
        self.statistics = {k: float(v) for k, v in statistics.items()}

    def forward(self, batch: dict, compute_forces: bool = True, compute_stress: bool = True,
                training: bool = False) -> dict[str, torch.Tensor]:
        """{"energy" [G], "forces" [N, 3], "stress" [G, 3, 3], "energy_lr" [G]} in eV, eV/A, eV/A^3.

        "forces"/"stress" are present only when requested. Stress of a structure that is not
        periodic in all directions is zero. training=True keeps the graph (create_graph).
        """
        compute_forces, compute_stress = bool(compute_forces), bool(compute_stress)
        want_grad = compute_forces or compute_stress
        with torch.set_grad_enabled(want_grad or training or torch.is_grad_enabled()):
            positions = batch["positions"].detach().requires_grad_(compute_forces)
            n_graphs = batch["ptr"].numel() - 1
            strain = torch.zeros((n_graphs, 3, 3), dtype=positions.dtype, device=positions.device,
                                 requires_grad=compute_stress)
            energy, energy_lr = self._energy(batch, positions, strain, training)
            out = {"energy": energy, "energy_lr": energy_lr}
            if want_grad:
                d_pos, d_strain = _gradients(energy, positions, strain, compute_forces, compute_stress, training)
                if compute_forces:
                    out["forces"] = -d_pos
                if compute_stress:
                    out["stress"] = d_strain / _stress_volume(batch["cell"], batch["pbc"])[:, None, None]
        return out

    def _energy(self, batch: dict, positions: torch.Tensor, strain: torch.Tensor, training: bool):
        deform = torch.eye(3, dtype=strain.dtype, device=strain.device) + 0.5 * (strain + strain.transpose(1, 2))
        pos = torch.einsum("ni,nij->nj", positions, deform[batch["batch"]])
        cell = batch["cell"] @ deform
        sender = batch["edge_index"][0]
        shifts = torch.einsum("ei,eij->ej", batch["unit_shifts"], cell[batch["batch"][sender]])
        data = dict(batch, positions=pos, shifts=shifts, cell=cell)
        out = self.mace(data, training=training, compute_force=False, compute_virials=False,
                        compute_stress=False, compute_displacement=False)
        energy = out["energy"]
        if self.long_range is None:
            return energy, torch.zeros_like(energy)
        features = out["node_feats"][:, -self.spec.num_channels:]  # scalars after the last interaction
        node_lr = self.long_range(features, pos, cell, batch["ptr"], batch["pbc"])
        energy_lr = torch.zeros_like(energy).index_add(0, batch["batch"], node_lr)
        return energy + energy_lr, energy_lr


def _gradients(energy, positions, strain, compute_forces, compute_stress, training):
    inputs = [x for x, want in ((positions, compute_forces), (strain, compute_stress)) if want]
    if energy.requires_grad:
        grads = torch.autograd.grad(energy.sum(), inputs, create_graph=training, allow_unused=True)
    else:
        grads = [None] * len(inputs)
    grads = [torch.zeros_like(x) if g is None else g for x, g in zip(inputs, grads)]
    d_pos = grads.pop(0) if compute_forces else None
    d_strain = grads.pop(0) if compute_stress else None
    return d_pos, d_strain


def _stress_volume(cell: torch.Tensor, pbc: torch.Tensor) -> torch.Tensor:
    """Cell volume, or +inf where the structure is not fully periodic (stress then 0)."""
    volume = torch.abs(torch.linalg.det(cell))
    periodic = torch.all(pbc, dim=-1) & (volume > 1e-6)
    return torch.where(periodic, volume, torch.full_like(volume, math.inf))


def build_model(spec: ModelSpec, e0s_eV: dict[str, float], avg_num_neighbors: float,
                scale: float = 1.0, shift: float = 0.0, seed: int = 0) -> Potential:
    """A float64 Potential; the global RNG and default dtype are left as they were."""
    e0s = _e0_array(spec, e0s_eV)
    statistics = {"avg_num_neighbors": avg_num_neighbors, "scale": scale, "shift": shift}
    with _default_dtype(torch.float64), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        mace_model = _build_mace(spec, e0s, avg_num_neighbors, scale, shift)
        long_range = None
        if spec.long_range:
            long_range = LongRangeEnergy(spec.num_channels, spec.lr_heads, spec.lr_head_dim,
                                         spec.lr_k_cutoff_inv_A, spec.lr_filter_basis, scale=scale,
                                         mesh=spec.mesh_settings())
    return Potential(spec, mace_model, long_range, e0s_eV, statistics)


# ----------------------------------------------------------------------------- graphs


@dataclass(frozen=True)
class Graph:
    """One structure's model input, independent of dtype and device."""

    positions: np.ndarray  # [n, 3]
    cell: np.ndarray  # [3, 3], as in the Atoms (zeros allowed for non-periodic structures)
    pbc: np.ndarray  # [3] bool
    species_index: np.ndarray  # [n] index into atomic_numbers(spec)
    edge_index: np.ndarray  # [2, E] sender, receiver
    unit_shifts: np.ndarray  # [E, 3] integer image offsets
    num_species: int  # one-hot width: the model's species count, not the batch's

    @property
    def num_atoms(self) -> int:
        return len(self.positions)


def _species_index(atoms: ase.Atoms, spec: ModelSpec) -> np.ndarray:
    zs = atomic_numbers(spec)
    unknown = sorted(set(atoms.get_chemical_symbols()) - set(spec.species))
    if unknown:
        raise ValueError(f"structure {atoms.get_chemical_formula()} has elements {unknown} "
                         f"that the model (species {list(spec.species)}) does not know")
    return np.array([zs.index(z) for z in atoms.numbers], dtype=np.int64)


def make_graph(atoms: ase.Atoms, spec: ModelSpec) -> Graph:
    pbc = np.array(atoms.get_pbc(), dtype=bool)
    cell = np.array(atoms.get_cell(), dtype=float)
    if pbc.any() and abs(np.linalg.det(cell)) < 1e-6:
        raise ValueError(f"structure {atoms.get_chemical_formula()} is periodic (pbc={pbc.tolist()}) "
                         f"but its cell has zero volume: {cell.tolist()}")
    edge_index, _, unit_shifts, _ = get_neighborhood(
        positions=atoms.get_positions(), cutoff=spec.r_max_A,
        pbc=tuple(bool(p) for p in pbc), cell=cell.copy())
    return Graph(positions=atoms.get_positions(), cell=cell, pbc=pbc,
                 species_index=_species_index(atoms, spec),
                 edge_index=np.asarray(edge_index, dtype=np.int64).reshape(2, -1),
                 unit_shifts=np.asarray(unit_shifts, dtype=float).reshape(-1, 3),
                 num_species=len(spec.species))


def make_graphs(atoms_list: list[ase.Atoms], spec: ModelSpec) -> list[Graph]:
    return [make_graph(atoms, spec) for atoms in atoms_list]


def collate(graphs: list[Graph], dtype: torch.dtype = torch.float64, device: str = "cpu") -> dict:
    """Concatenate graphs into the dict read by Potential.forward (atoms of a graph contiguous)."""
    if not graphs:
        raise ValueError("collate needs at least one graph")
    num_species = {g.num_species for g in graphs}
    if len(num_species) != 1:
        raise ValueError(f"graphs made for models with different species counts {sorted(num_species)}")
    num_species = num_species.pop()
    sizes = [g.num_atoms for g in graphs]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    edge_index = np.concatenate([g.edge_index + o for g, o in zip(graphs, offsets[:-1])], axis=1)
    species = np.concatenate([g.species_index for g in graphs])

    def t(x, dt=dtype):
        return torch.as_tensor(np.asarray(x), dtype=dt, device=device)

    cell = t(np.stack([g.cell for g in graphs]))
    batch_index = t(np.repeat(np.arange(len(graphs)), sizes), torch.int64)
    edges = t(edge_index, torch.int64)
    unit_shifts = t(np.concatenate([g.unit_shifts for g in graphs]))
    return {
        "positions": t(np.concatenate([g.positions for g in graphs])),
        "node_attrs": torch.nn.functional.one_hot(t(species, torch.int64), num_species).to(dtype),
        "batch": batch_index,
        "ptr": t(offsets, torch.int64),
        "edge_index": edges,
        "unit_shifts": unit_shifts,
        "shifts": torch.einsum("ei,eij->ej", unit_shifts, cell[batch_index[edges[0]]]),
        "cell": cell,
        "pbc": t(np.stack([g.pbc for g in graphs]), torch.bool),
    }


def make_batch(atoms_list: list[ase.Atoms], spec: ModelSpec, dtype: torch.dtype = torch.float64,
               device: str = "cpu") -> dict:
    return collate(make_graphs(atoms_list, spec), dtype=dtype, device=device)


# ----------------------------------------------------------------------------- statistics


def _reference_forces(atoms: ase.Atoms) -> np.ndarray | None:
    """Forces stored with the structure (arrays REF_forces/forces, or a finished calculation)."""
    for key in ("REF_forces", "forces"):
        if key in atoms.arrays:
            return np.asarray(atoms.arrays[key], dtype=float)
    results = getattr(atoms.calc, "results", None) or {}
    return None if results.get("forces") is None else np.asarray(results["forces"], dtype=float)


def dataset_statistics(atoms_list: list[ase.Atoms], energies_eV, spec: ModelSpec,
                       e0s_eV: dict[str, float], forces_eV_A: list | None = None) -> dict:
    """{"avg_num_neighbors", "scale", "shift"} as mace_run_train computes them (default
    ``--scaling rms_forces_scaling``), skipping IsolatedAtom structures:

    * avg_num_neighbors: mean number of neighbours within r_max over atoms that have any;
    * shift: mean over structures of (E - sum of E0s) / n_atoms;
    * scale: RMS of all reference force components. Forces come from ``forces_eV_A`` (one
      [n, 3] array per structure) or else from each Atoms (arrays "REF_forces"/"forces" or
      calc.results). Without forces: standard deviation of the per-atom interaction energy
      (mace's std_scaling); 1.0 if that is zero or undefined.
    """
    energies = np.asarray(energies_eV, dtype=float).reshape(-1)
    if len(energies) != len(atoms_list):
        raise ValueError(f"{len(atoms_list)} structures but {len(energies)} energies")
    forces_list = list(forces_eV_A) if forces_eV_A is not None else [_reference_forces(a) for a in atoms_list]
    keep = [i for i, a in enumerate(atoms_list) if not is_isolated_atom(a)]
    if not keep:
        raise ValueError("dataset_statistics needs at least one structure that is not an IsolatedAtom")
    e0 = _e0_array(spec, e0s_eV)
    graphs = make_graphs([atoms_list[i] for i in keep], spec)
    per_atom = np.array([(energies[i] - e0[g.species_index].sum()) / g.num_atoms for i, g in zip(keep, graphs)])
    return {"avg_num_neighbors": _avg_num_neighbors(graphs),
            "scale": _scale(per_atom, [forces_list[i] for i in keep]),
            "shift": float(per_atom.mean())}


def _avg_num_neighbors(graphs: list[Graph]) -> float:
    counts = np.concatenate([np.unique(g.edge_index[1], return_counts=True)[1] for g in graphs])
    return float(counts.mean()) if len(counts) else 1.0


def _scale(per_atom_energy: np.ndarray, forces: list) -> float:
    if forces and all(f is not None for f in forces):
        rms = float(np.sqrt(np.mean(np.concatenate([np.asarray(f).reshape(-1) for f in forces]) ** 2)))
    else:
        rms = float(np.std(per_atom_energy)) if len(per_atom_energy) > 1 else 0.0
    return rms if rms > 0 else 1.0
