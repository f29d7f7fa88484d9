"""SOAP vectors and the chunked store: normalisation, invariance, round trip, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms

from vitrify.md.random_start import random_packing, species_counts
from vitrify.rise.soap import (
    SoapChunkWriter,
    SoapSettings,
    iter_sample_features,
    iter_soap_chunks,
    n_soap_features,
    read_soap_index,
    soap_per_atom,
    write_soap_store,
    write_soap_sweep,
)

SPECIES = ("Cu", "Zr")
SETTINGS = SoapSettings(SPECIES, r_cut_A=4.0, n_max=4, l_max=3, sigma_A=0.5)


def cuzr(seed: int, n_atoms: int = 40) -> Atoms:
    return random_packing(species_counts({"Cu": 56, "Zr": 44}, n_atoms), 7.0, 2.2, seed)


def test_shape_dtype_and_unit_norm():
    atoms = cuzr(0)
    x = soap_per_atom(atoms, SETTINGS)
    # 2 species, n_max 4, l_max 3: (2*4)(2*4+1)/2 * (3+1) = 144 features
    assert n_soap_features(SETTINGS) == 144
    assert x.shape == (len(atoms), 144)
    assert x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x.astype(np.float64), axis=1), 1.0, atol=1e-6)


def test_translated_copy_gives_same_vectors():
    atoms = cuzr(1)
    moved = atoms.copy()
    moved.translate([1.3, -2.1, 0.7])
    moved.wrap()
    np.testing.assert_allclose(soap_per_atom(moved, SETTINGS), soap_per_atom(atoms, SETTINGS), atol=2e-5)


def test_environment_sensitivity():
    """Different structures give different vectors (the invariance test is not vacuous)."""
    assert not np.allclose(soap_per_atom(cuzr(1), SETTINGS), soap_per_atom(cuzr(2), SETTINGS), atol=1e-3)


def test_store_round_trip_in_chunks(tmp_path):
    samples = [(f"s{i}", cuzr(10 + i, 30 + 2 * i)) for i in range(5)]
    index_path = write_soap_store(iter(samples), tmp_path / "r4", SETTINGS, samples_per_chunk=2)
    index = read_soap_index(index_path.parent, expect=SETTINGS)
    assert index["n_samples"] == 5 and len(index["chunks"]) == 3
    assert index["n_atoms_total"] == sum(len(a) for _, a in samples)
    chunks = list(iter_soap_chunks(tmp_path / "r4"))
    assert [c.sample_ids for c in chunks] == [["s0", "s1"], ["s2", "s3"], ["s4"]]
    direct = {sid: soap_per_atom(a, SETTINGS) for sid, a in samples}
    got = dict(iter_sample_features(tmp_path / "r4"))
    assert list(got) == [sid for sid, _ in samples]
    for sid in direct:
        np.testing.assert_array_equal(got[sid], direct[sid])
    subset = list(iter_sample_features(tmp_path / "r4", ["s4", "s0"]))
    assert [s for s, _ in subset] == ["s4", "s0"]
    np.testing.assert_array_equal(subset[0][1], direct["s4"])


def test_sweep_writes_one_store_per_radius(tmp_path):
    samples = [(f"s{i}", cuzr(20 + i)) for i in range(3)]
    out = write_soap_sweep(samples, {3.0: tmp_path / "a", 5.0: tmp_path / "b"}, SPECIES, n_max=3, l_max=2)
    for r, path in out.items():
        index = read_soap_index(path.parent)
        assert index["settings"]["r_cut_A"] == r
        assert index["n_samples"] == 3
    a, b = (dict(iter_sample_features(tmp_path / d)) for d in "ab")
    assert not np.allclose(a["s0"], b["s0"])


def test_wrong_species_is_a_clear_error(tmp_path):
    atoms = cuzr(3)
    atoms.symbols[0] = "Ni"
    with pytest.raises(ValueError, match=r"species \['Ni'\]"):
        soap_per_atom(atoms, SETTINGS)
    with pytest.raises(ValueError, match="Ni"):
        write_soap_store([("bad", atoms)], tmp_path / "x", SETTINGS)


def test_non_periodic_structure_is_refused():
    atoms = cuzr(4)
    atoms.pbc = False
    with pytest.raises(ValueError, match="periodic"):
        soap_per_atom(atoms, SETTINGS)


def test_dimension_mismatches_are_clear_errors(tmp_path):
    writer = SoapChunkWriter(tmp_path / "s", SETTINGS, n_features=144)
    with pytest.raises(ValueError, match=r"expected \(n_atoms, 144\)"):
        writer.add("a", np.ones((10, 100), np.float32))
    writer.add("a", np.ones((10, 144), np.float32) / 12.0)
    writer.close()
    # The store's settings differ from what the reader expects.
    other = SoapSettings(SPECIES, r_cut_A=5.0, n_max=4, l_max=3, sigma_A=0.5)
    with pytest.raises(ValueError, match="r_cut_A"):
        read_soap_index(tmp_path / "s", expect=other)
    with pytest.raises(ValueError, match="species"):
        read_soap_index(tmp_path / "s", expect=SoapSettings(("Cu", "Ni"), 4.0, 4, 3, 0.5))
    # A chunk file that disagrees with the index.
    np.save(tmp_path / "s" / "chunk_00000.npy", np.ones((10, 100), np.float32))
    with pytest.raises(ValueError, match="dimension mismatch"):
        list(iter_sample_features(tmp_path / "s"))


def test_unfinished_store_and_unknown_sample(tmp_path):
    with pytest.raises(FileNotFoundError, match="never finished"):
        read_soap_index(tmp_path)
    write_soap_store([("a", cuzr(5))], tmp_path / "s", SETTINGS)
    with pytest.raises(KeyError, match="zz"):
        list(iter_sample_features(tmp_path / "s", ["a", "zz"]))


def test_duplicate_sample_id_refused(tmp_path):
    with pytest.raises(ValueError, match="twice"):
        write_soap_store([("a", cuzr(6)), ("a", cuzr(7))], tmp_path / "s", SETTINGS)
