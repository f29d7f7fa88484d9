"""The project's own kernels against freud on the same glass: partial g(r), coordination
numbers and direct-sum partial S(Q) on the same k set agree within the stated tolerances."""

import numpy as np
import pytest

from vitrify.structure.coordination import bonds_of, coordination_numbers
from vitrify.structure.frames import read_frames
from vitrify.structure.kspace import direct_partial_sq
from vitrify.structure.rdf import partial_rdf

freud = pytest.importorskip("freud")
SPECIES = ("Si", "O")
PAIRS = [("Si", "Si"), ("Si", "O"), ("O", "O")]


@pytest.fixture(scope="module")
def glass(repo, tmp_path_factory, venv_bin):
    """The last glass frame of a test-config silica melt-quench, made here."""
    import subprocess

    out = tmp_path_factory.mktemp("glass")
    subprocess.run([venv_bin / "vitrify-md", "--config", repo / "config" / "test.yaml", "--system", "silica",
                    "--rate", "2000", "--outdir", out], check=True, capture_output=True, timeout=300)
    atoms = read_frames(out / "trajectory.extxyz", segment="glass")[-1]
    freud.parallel.set_num_threads(1)
    return atoms, freud.box.Box.from_matrix(np.asarray(atoms.cell).T)


def _positions(atoms, box, species):
    sym = np.asarray(atoms.get_chemical_symbols())
    return box.wrap(atoms.get_positions()[sym == species])


def test_partial_rdfs_agree_with_freud(glass):
    atoms, box = glass
    r_max, dr = 5.0, 0.05
    ours = partial_rdf(atoms, r_max, dr, species=SPECIES)
    for a, b in PAIRS:
        rdf = freud.density.RDF(bins=int(round(r_max / dr)), r_max=r_max)
        # freud counts b neighbours of each a atom; like pairs exclude the atom itself.
        rdf.compute((box, _positions(atoms, box, b)), query_points=_positions(atoms, box, a),
                    neighbors={"mode": "ball", "r_max": r_max, "exclude_ii": a == b})
        np.testing.assert_allclose(rdf.bin_centers, ours.r_A, atol=1e-9)
        theirs = np.asarray(rdf.rdf)
        if a == b:
            # freud divides by N_b, the project by N_b - 1 (module doc of vitrify.structure.rdf).
            n = int((np.asarray(atoms.get_chemical_symbols()) == a).sum())
            theirs = theirs * n / (n - 1)
        # freud works in single precision: 1e-4 relative (8e-6 measured on this glass).
        np.testing.assert_allclose(ours.pair(a, b), theirs, rtol=1e-4, atol=1e-9, err_msg=f"{a}-{b}")


def test_coordination_numbers_agree_with_freud(glass):
    atoms, box = glass
    cutoff = 2.0
    ours = coordination_numbers(bonds_of(atoms, {("Si", "O"): cutoff}), atoms.get_chemical_symbols(), "Si", "O")
    query = freud.locality.AABBQuery(box, _positions(atoms, box, "O"))
    nlist = query.query(_positions(atoms, box, "Si"), {"r_max": cutoff}).toNeighborList()
    theirs = np.bincount(nlist.query_point_indices, minlength=len(ours))
    np.testing.assert_array_equal(ours, theirs)
    assert 3.5 < ours.mean() < 4.5


def test_direct_partial_sq_agrees_with_freud_on_the_same_k_set(glass):
    atoms, box = glass
    q_max, bins = 6.0, 60
    edges = np.linspace(0.0, q_max, bins + 1)
    # freud enumerates the octant n1, n2, n3 >= 0 of the reciprocal lattice; so does k_set="octant".
    _, ours, n_k = direct_partial_sq(atoms, edges, species=SPECIES, k_set="octant")
    x = {s: float((np.asarray(atoms.get_chemical_symbols()) == s).mean()) for s in SPECIES}
    has_k = (n_k > 0) & (edges[:-1] >= edges[1] - 1e-12)  # freud puts k = 0 (S = N) in the first bin
    for a, b in PAIRS:
        sf = freud.diffraction.StaticStructureFactorDirect(bins=bins, k_max=q_max, k_min=0.0)
        sf.compute((box, _positions(atoms, box, a)), query_points=_positions(atoms, box, b), N_total=len(atoms))
        # freud's partials are concentration-weighted (they sum to the total); its documented
        # conversion to Faber-Ziman: S_FZ = S / (x_a x_b) + 1 - delta_ab / x_b.
        theirs = np.asarray(sf.S_k, float) / (x[a] * x[b]) + 1.0 - (a == b) / x[b]
        # freud sums in single precision: 2e-5 absolute on S values of order 1 (4e-6 measured).
        np.testing.assert_allclose(ours[(a, b)][has_k], theirs[has_k], rtol=0, atol=2e-5, err_msg=f"{a}-{b}")


def test_bonds_from_freud_are_exactly_those_of_the_ghost_route(glass):
    from vitrify.structure.neighbours import find_bonds

    atoms, _ = glass
    atoms = atoms.repeat(2)
    atoms.rattle(0.3, seed=2)  # some distances near each cutoff
    cut = {("Si", "O"): 2.0, ("O", "O"): 2.9, ("Si", "Si"): 3.3}
    args = (atoms.get_positions(), np.asarray(atoms.cell), atoms.get_chemical_symbols(), cut)
    fast, general = find_bonds(*args), find_bonds(*args, force_ghosts=True)
    for name in ("i", "j", "shift"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(general, name), err_msg=name)
    np.testing.assert_allclose(fast.vector_A, general.vector_A, atol=1e-12)
    np.testing.assert_allclose(fast.distance_A, general.distance_A, atol=1e-12)
