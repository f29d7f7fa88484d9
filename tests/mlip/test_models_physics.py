"""Physics of the SR and LR potentials: symmetries, derivatives, extensivity, locality."""

from __future__ import annotations

import ase
import numpy as np
import pytest
import torch
from tests.support.mlip_samples import random_sio2

from vitrify.mlip.models import (
    ModelSpec,
    build_model,
    collate,
    dataset_statistics,
    make_batch,
    make_graphs,
)

torch.set_num_threads(1)
E0S = {"Si": -3.2, "O": -1.9}
ARCHS = ["sr", "lr"]
# The LR model once more with its k sum on the smooth-PME mesh instead of the direct sum.
VARIANTS = {"sr": dict(arch="sr"), "lr": dict(arch="lr", lr_method="direct"),
            "lr_mesh": dict(arch="lr", lr_method="mesh")}


CUBIC = random_sio2(8, np.eye(3) * 7.2, seed=0)  # 24 atoms, 2.14 g/cm3
TRICLINIC = random_sio2(8, [[7.3, 0.0, 0.0], [1.5, 7.0, 0.0], [-0.8, 1.1, 7.4]], seed=1)


def spec_for(arch: str, **kw) -> ModelSpec:
    return ModelSpec(arch=arch, species=("Si", "O"), r_max_A=kw.pop("r_max_A", 4.0), num_channels=8,
                     max_L=1, correlation=2, radial_mlp=(16, 16), lr_k_cutoff_inv_A=2.0, **kw)


def make_lr_nontrivial(model, seed=1):
    """W_o starts at zero (LR == SR at init); randomise it so the LR term matters."""
    if model.long_range is not None:
        gen = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            weight = model.long_range.out.weight
            weight.copy_(torch.randn(weight.shape, generator=gen, dtype=weight.dtype))
    return model


@pytest.fixture(scope="module", params=list(VARIANTS))
def model(request):
    kw = dict(VARIANTS[request.param])
    return make_lr_nontrivial(build_model(spec_for(kw.pop("arch"), **kw), E0S, avg_num_neighbors=8.0,
                                          scale=1.3, shift=-0.2, seed=3))


def mesh_tolerance(model, reference_lr: torch.Tensor) -> float:
    """Absolute slack for properties the mesh keeps only up to its interpolation error
    (a grid fixed to the cell breaks continuous translation symmetry, as in PME)."""
    return 3e-4 * float(reference_lr.abs().max()) if model.spec.lr_method == "mesh" else 0.0


def evaluate(model, atoms_list, **kw):
    out = model(make_batch(atoms_list, model.spec), **kw)
    return {k: v.detach() for k, v in out.items()}


def energy(model, atoms) -> float:
    return float(evaluate(model, [atoms], compute_forces=False, compute_stress=False)["energy"][0])


def random_rotation(seed: int) -> np.ndarray:
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    return q if np.linalg.det(q) > 0 else -q


# ----------------------------------------------------------------------------- symmetries


def test_lr_term_is_active_in_these_tests(model):
    out = evaluate(model, [TRICLINIC])
    if model.spec.arch == "lr":
        assert abs(float(out["energy_lr"][0])) > 1e-3
    else:
        assert float(out["energy_lr"][0]) == 0.0


def test_translation_invariance(model):
    moved = TRICLINIC.copy()
    moved.positions += [0.37, -1.21, 2.9]
    ref, out = evaluate(model, [TRICLINIC]), evaluate(model, [moved])
    slack = mesh_tolerance(model, ref["energy_lr"])
    torch.testing.assert_close(out["energy"], ref["energy"], rtol=1e-12, atol=1e-10 + slack)
    if not slack:
        torch.testing.assert_close(out["forces"], ref["forces"], rtol=1e-9, atol=1e-10)
        torch.testing.assert_close(out["stress"], ref["stress"], rtol=1e-9, atol=1e-11)


def test_rotation_invariance_and_covariance(model):
    rot = random_rotation(4)
    rotated = TRICLINIC.copy()
    rotated.set_cell(TRICLINIC.cell.array @ rot.T, scale_atoms=False)
    rotated.positions = TRICLINIC.positions @ rot.T
    ref, out = evaluate(model, [TRICLINIC]), evaluate(model, [rotated])
    r = torch.tensor(rot)
    torch.testing.assert_close(out["energy"], ref["energy"], rtol=1e-12, atol=1e-10)
    torch.testing.assert_close(out["forces"], ref["forces"] @ r.T, rtol=1e-8, atol=1e-10)
    torch.testing.assert_close(out["stress"][0], r @ ref["stress"][0] @ r.T, rtol=1e-8, atol=1e-11)


def test_permutation_invariance(model):
    order = np.random.default_rng(5).permutation(len(TRICLINIC))
    ref, out = evaluate(model, [TRICLINIC]), evaluate(model, [TRICLINIC[order]])
    torch.testing.assert_close(out["energy"], ref["energy"], rtol=1e-12, atol=1e-10)
    torch.testing.assert_close(out["forces"], ref["forces"][order], rtol=1e-9, atol=1e-10)


# ----------------------------------------------------------------------------- derivatives


def test_forces_are_minus_the_finite_difference_gradient(model):
    h = 1e-4
    forces = evaluate(model, [TRICLINIC])["forces"].numpy()
    rng = np.random.default_rng(6)
    for atom, axis in zip(rng.choice(len(TRICLINIC), 5, replace=False), rng.integers(0, 3, 5)):
        plus, minus = TRICLINIC.copy(), TRICLINIC.copy()
        plus.positions[atom, axis] += h
        minus.positions[atom, axis] -= h
        numeric = -(energy(model, plus) - energy(model, minus)) / (2 * h)
        assert abs(forces[atom, axis] - numeric) <= 1e-6 * np.abs(forces).max() + 1e-9


def strained(atoms: ase.Atoms, eps: np.ndarray) -> ase.Atoms:
    out = atoms.copy()
    out.set_cell(atoms.cell.array @ (np.eye(3) + eps), scale_atoms=True)
    return out


def test_stress_is_the_finite_strain_derivative_triclinic(model):
    h = 1e-5
    stress = evaluate(model, [TRICLINIC])["stress"][0].numpy()
    volume = TRICLINIC.get_volume()
    for i, j in [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)]:
        eps = np.zeros((3, 3))
        eps[i, j] = eps[j, i] = h / 2 if i != j else h  # dE = V (s_ij + s_ji) h / 2 = V s_ij h
        numeric = (energy(model, strained(TRICLINIC, eps)) - energy(model, strained(TRICLINIC, -eps))) / (2 * h) / volume
        assert abs(stress[i, j] - numeric) <= 1e-6 * np.abs(stress).max() + 1e-10, (i, j, stress[i, j], numeric)


def test_stress_is_symmetric(model):
    s = evaluate(model, [TRICLINIC])["stress"][0]
    torch.testing.assert_close(s, s.T, rtol=0, atol=1e-14)


def test_training_mode_keeps_the_graph_for_force_and_stress_losses(model):
    out = model(make_batch([CUBIC], model.spec), training=True)
    loss = (out["forces"] ** 2).sum() + (out["stress"] ** 2).sum()
    params = [p for p in model.parameters() if p.requires_grad]
    grads = torch.autograd.grad(loss, params, allow_unused=True)
    assert sum(float(g.abs().sum()) for g in grads if g is not None) > 0
    if model.long_range is not None:
        (g_filter,) = torch.autograd.grad(
            (model(make_batch([CUBIC], model.spec), training=True)["forces"] ** 2).sum(),
            [model.long_range.attention.filter.mix.weight])
        assert float(g_filter.abs().sum()) > 0


# ----------------------------------------------------------------------------- extensivity, batching


def test_energy_is_extensive_for_a_supercell(model):
    out = evaluate(model, [TRICLINIC], compute_forces=False, compute_stress=False)
    e1 = float(out["energy"][0])
    e8 = energy(model, TRICLINIC.repeat((2, 2, 2)))
    assert e8 == pytest.approx(8 * e1, rel=1e-8, abs=8 * mesh_tolerance(model, out["energy_lr"]))


def test_batch_of_different_cells_equals_separate_evaluation(model):
    both = evaluate(model, [CUBIC, TRICLINIC])
    alone = [evaluate(model, [a]) for a in (CUBIC, TRICLINIC)]
    torch.testing.assert_close(both["energy"], torch.cat([a["energy"] for a in alone]), rtol=1e-12, atol=1e-10)
    torch.testing.assert_close(both["forces"], torch.cat([a["forces"] for a in alone]), rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(both["stress"], torch.cat([a["stress"] for a in alone]), rtol=1e-10, atol=1e-13)


def test_graphs_are_reusable_across_calls(model):
    graphs = make_graphs([CUBIC, TRICLINIC], model.spec)
    first = model(collate(graphs))["energy"].detach()
    second = model(collate(graphs))["energy"].detach()
    torch.testing.assert_close(first, second, rtol=0, atol=0)


# ----------------------------------------------------------------------------- locality


def two_clusters(offset) -> ase.Atoms:
    """Two SiO2 units in a 20 A periodic box, further apart than r_max (no edge between them)."""
    unit = np.array([[0.0, 0.0, 0.0], [1.6, 0.0, 0.0], [-0.5, 1.5, 0.0]])
    positions = np.concatenate([unit + [4.0, 4.0, 4.0], unit + [11.0, 11.0, 10.0] + np.asarray(offset)])
    return ase.Atoms("SiO2SiO2", positions=positions, cell=np.eye(3) * 20.0, pbc=True)


def test_rigid_move_of_a_far_cluster_changes_only_the_long_range_energy(model):
    before, after = two_clusters([0, 0, 0]), two_clusters([-2.0, -2.0, -1.5])
    for atoms in (before, after):
        d = atoms.get_all_distances(mic=True)[:3, 3:]
        assert d.min() > model.spec.r_max_A + 1.0  # disconnected MACE graphs: local energies rigid
    out_before, out_after = evaluate(model, [before]), evaluate(model, [after])
    e_local_before = out_before["energy"] - out_before["energy_lr"]
    e_local_after = out_after["energy"] - out_after["energy_lr"]
    assert float(abs(e_local_after - e_local_before)) < 1e-10
    change_lr = float(abs(out_after["energy_lr"] - out_before["energy_lr"]))
    if model.spec.arch == "lr":
        assert change_lr > 1e-6
    else:
        assert change_lr == 0.0


def test_lr_model_starts_equal_to_sr_model():
    sr = build_model(spec_for("sr"), E0S, avg_num_neighbors=8.0, seed=11)
    lr = build_model(spec_for("lr"), E0S, avg_num_neighbors=8.0, seed=11)
    out_sr, out_lr = evaluate(sr, [TRICLINIC]), evaluate(lr, [TRICLINIC])
    assert float(out_lr["energy_lr"][0]) == 0.0
    for key in ("energy", "forces", "stress"):
        torch.testing.assert_close(out_lr[key], out_sr[key], rtol=0, atol=0)


# ----------------------------------------------------------------------------- inputs and errors


def isolated(symbol: str) -> ase.Atoms:
    atoms = ase.Atoms(symbol, positions=[[5.0, 5.0, 5.0]], cell=np.eye(3) * 10.0, pbc=False)
    atoms.info["config_type"] = "IsolatedAtom"
    return atoms


def test_isolated_atoms_make_graphs_and_sr_energies():
    model = build_model(spec_for("sr"), E0S, avg_num_neighbors=8.0)
    atoms = [isolated("Si"), isolated("O"), ase.Atoms("O")]
    graphs = make_graphs(atoms, model.spec)
    assert [g.edge_index.shape[1] for g in graphs] == [0, 0, 0]
    out = model(collate(graphs))
    assert torch.isfinite(out["energy"]).all() and torch.all(out["stress"] == 0)
    assert torch.all(out["forces"] == 0)


def test_lr_refuses_non_periodic_structures_clearly():
    model = build_model(spec_for("lr"), E0S, avg_num_neighbors=8.0)
    with pytest.raises(ValueError, match="periodic in x, y and z.*IsolatedAtom"):
        model(make_batch([isolated("Si")], model.spec))


def test_lr_refuses_a_cell_too_small_for_the_k_cutoff():
    model = build_model(spec_for("lr", r_max_A=2.5), E0S, avg_num_neighbors=8.0)
    small = ase.Atoms("SiO2", positions=[[0, 0, 0], [1.6, 0, 0], [0, 1.6, 0]], cell=np.eye(3) * 2.9, pbc=True)
    with pytest.raises(ValueError, match=r"no reciprocal lattice vector.*lr_k_cutoff_inv_A = 2\.0"):
        model(make_batch([small], model.spec))


def test_unknown_element_is_a_clear_error():
    with pytest.raises(ValueError, match=r"elements \['Al'\]"):
        make_graphs([ase.Atoms("AlO", positions=[[0, 0, 0], [1.7, 0, 0]])], spec_for("sr"))


def test_spec_round_trip_and_validation():
    spec = spec_for("lr")
    assert ModelSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(ValueError, match="unknown ModelSpec keys.*'r_cut'"):
        ModelSpec.from_dict({**spec.to_dict(), "r_cut": 5.0})
    with pytest.raises(ValueError, match="arch must be one of"):
        ModelSpec.from_dict({**spec.to_dict(), "arch": "mace"})
    with pytest.raises(ValueError, match="lacks reference energies for \\['O'\\]"):
        build_model(spec, {"Si": -1.0}, avg_num_neighbors=8.0)
    with pytest.raises(ValueError, match="lr_mesh_order must be an even integer"):
        ModelSpec.from_dict({**spec.to_dict(), "lr_mesh_order": 5})
    # Model files written before the mesh existed carry no lr_method: they load as 'auto'.
    old = {k: v for k, v in spec.to_dict().items() if not k.startswith(("lr_method", "lr_mesh"))}
    assert ModelSpec.from_dict(old).lr_method == "auto"


def test_dataset_statistics_known_answers():
    spec = spec_for("sr")
    atoms = [CUBIC.copy(), TRICLINIC.copy(), isolated("Si")]
    e0_sum = [sum(E0S[s] for s in a.get_chemical_symbols()) for a in atoms]
    energies = [e0_sum[0] + 0.5 * 24, e0_sum[1] + 0.7 * 24, 123.0]  # isolated atom ignored
    forces = [np.full((24, 3), 2.0), np.full((24, 3), -2.0), np.zeros((1, 3))]
    stats = dataset_statistics(atoms, energies, spec, E0S, forces_eV_A=forces)
    assert set(stats) == {"avg_num_neighbors", "scale", "shift"}
    assert stats["shift"] == pytest.approx(0.6)
    assert stats["scale"] == pytest.approx(2.0)
    graphs = make_graphs(atoms[:2], spec)
    counts = np.concatenate([np.bincount(g.edge_index[1]) for g in graphs])
    assert stats["avg_num_neighbors"] == pytest.approx(counts[counts > 0].mean())
    atoms[0].arrays["REF_forces"] = np.full((24, 3), 3.0)
    atoms[1].arrays["REF_forces"] = np.full((24, 3), 3.0)
    assert dataset_statistics(atoms, energies, spec, E0S)["scale"] == pytest.approx(3.0)
