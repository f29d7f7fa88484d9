"""Leader clustering: blocked == per-atom reference, limiting cutoffs, fractions, entropy."""

from __future__ import annotations

import numpy as np
import pytest

from vitrify.rise.environments import (
    assign_environments,
    assign_environments_reference,
    environment_fractions,
    environment_statistics,
    exact_dots,
    load_counts,
    load_environments,
    mine_leaders,
    mine_leaders_reference,
    sample_environment_counts,
    save_counts,
    save_environments,
)


def clustered_unit_vectors(n: int, d: int, n_centres: int, noise: float, seed: int) -> np.ndarray:
    """Unit vectors scattered around a few centres: SOAP-like, with many near-threshold dots."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n_centres, d))
    x = centres[rng.integers(0, n_centres, n)] + noise * rng.standard_normal((n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


X = clustered_unit_vectors(1500, 24, 12, 0.35, seed=0)


@pytest.mark.parametrize("cutoff", [0.6, 0.9, 0.95, 0.98])
def test_blocked_equals_reference(cutoff):
    ref = mine_leaders_reference(X, cutoff)
    assert 1 < ref.n_environments < len(X)
    ref_assign = assign_environments_reference(X, ref)
    for block_size in (1, 5, 64, 333, 5000):
        # A tiny score budget forces the row-piece path too.
        for budget in (1 << 24, 97):
            got = mine_leaders(X, cutoff, block_size=block_size, score_budget=budget)
            np.testing.assert_array_equal(got.founders, ref.founders)
            np.testing.assert_array_equal(got.leaders, ref.leaders)
    np.testing.assert_array_equal(assign_environments(X, ref), ref_assign)
    np.testing.assert_array_equal(assign_environments(X, ref, score_budget=50), ref_assign)


def test_cutoffs_on_the_data_itself_still_agree(monkeypatch):
    """Cutoff = the exact dot of an atom with leader 0: a pair sits exactly on the threshold."""
    import vitrify.rise.environments as envmod

    calls = []
    real = envmod.exact_dots
    monkeypatch.setattr(envmod, "exact_dots", lambda p, q: calls.append(len(p)) or real(p, q))
    for j in (5, 77, 150, 333, 598):
        cutoff = float(real(X[0:1], X[j:j + 1])[0])
        ref = mine_leaders_reference(X[:600], cutoff)
        got = mine_leaders(X[:600], cutoff, block_size=50)
        np.testing.assert_array_equal(got.founders, ref.founders)
        np.testing.assert_array_equal(assign_environments(X[:600], ref), assign_environments_reference(X[:600], ref))
    assert calls, "no pair reached the exact comparison"


def test_near_ties_in_assignment_match_reference(monkeypatch):
    """Atoms midway between two leaders: the argmax goes to the exact float64 comparison."""
    import vitrify.rise.environments as envmod

    rng = np.random.default_rng(2)
    a = rng.standard_normal(24)
    a /= np.linalg.norm(a)
    ortho = rng.standard_normal(24)
    ortho -= (ortho @ a) * a
    ortho /= np.linalg.norm(ortho)
    b = 0.99 * a + np.sqrt(1 - 0.99**2) * ortho  # a.b = 0.99: two leaders at cutoff 0.995
    mids = []
    for t in np.linspace(0.499, 0.501, 300):
        v = (1 - t) * a + t * b + 1e-7 * rng.standard_normal(24)
        mids.append(v / np.linalg.norm(v))  # dot with a and b ~0.9975: covered, nearly tied
    x = np.vstack([a, b, *mids]).astype(np.float32)
    calls = []
    real = envmod.exact_dots
    monkeypatch.setattr(envmod, "exact_dots", lambda p, q: calls.append(len(p)) or real(p, q))
    env = mine_leaders(x, 0.995)
    assert env.n_environments == 2
    got = assign_environments(x, env)
    assert calls, "near ties never reached the exact comparison"
    np.testing.assert_array_equal(got, assign_environments_reference(x, env))
    assert set(got[2:].tolist()) == {0, 1}


def test_streamed_samples_equal_one_array():
    samples = np.array_split(X, 7)
    whole = mine_leaders(X, 0.95, block_size=100)
    streamed = mine_leaders(iter(samples), 0.95, block_size=100)
    np.testing.assert_array_equal(streamed.founders, whole.founders)
    np.testing.assert_array_equal(mine_leaders_reference(samples, 0.95).founders, whole.founders)


def test_cutoff_one_makes_every_distinct_vector_its_own_environment():
    x = clustered_unit_vectors(300, 16, 3, 0.05, seed=3)
    env = mine_leaders(x, 1.0, block_size=64)
    assert env.n_environments == len(x)
    np.testing.assert_array_equal(env.founders, np.arange(len(x)))
    np.testing.assert_array_equal(assign_environments(x, env), np.arange(len(x)))


def test_cutoff_minus_one_gives_one_environment():
    env = mine_leaders(X, -1.0, block_size=64)
    assert env.n_environments == 1 and env.founders.tolist() == [0]
    assert set(assign_environments(X, env).tolist()) == {0}


def test_first_atom_always_founds_and_leaders_are_separated():
    env = mine_leaders(X, 0.9, block_size=128)
    assert env.founders[0] == 0
    gram = env.leaders.astype(np.float64) @ env.leaders.T.astype(np.float64)
    np.fill_diagonal(gram, -np.inf)
    assert gram.max() <= 0.9 + 1e-12  # no leader covers another
    # every atom is covered by some leader (dot > cutoff) or is one
    best = (X.astype(np.float64) @ env.leaders.T.astype(np.float64)).max(axis=1)
    assert np.all(best > 0.9 - 1e-12)


def test_deterministic():
    a = mine_leaders(X, 0.95, block_size=100)
    b = mine_leaders(X.copy(), 0.95, block_size=100)
    np.testing.assert_array_equal(a.leaders, b.leaders)
    np.testing.assert_array_equal(assign_environments(X, a), assign_environments(X, b))


def test_fractions_and_entropy_known_answer():
    # Two orthogonal environments; sample 0: 3 of A + 1 of B, sample 1: 2 of B.
    e = np.eye(4, dtype=np.float32)
    samples = [e[[0, 0, 0, 1]], e[[1, 1]]]
    env = mine_leaders(samples, 0.5)
    assert env.n_environments == 2
    counts, unmatched = sample_environment_counts(samples, env)
    np.testing.assert_array_equal(counts.toarray(), [[3, 1], [0, 2]])
    np.testing.assert_array_equal(unmatched, [0, 0])
    frac = environment_fractions(counts).toarray()
    np.testing.assert_allclose(frac, [[0.75, 0.25], [0.0, 1.0]])
    np.testing.assert_allclose(frac.sum(axis=1), 1.0)
    stats = environment_statistics(counts)
    assert stats["n_environments"] == 2 and stats["n_atoms"] == 6
    assert stats["entropy_nats"] == pytest.approx(np.log(2))  # 3 of 6 atoms each


def test_fractions_rows_sum_to_one_on_clustered_data():
    env = mine_leaders(X[:500], 0.95)
    counts, _ = sample_environment_counts(np.array_split(X, 10), env, unmatched="nearest")
    assert counts.shape == (10, env.n_environments)
    assert counts.sum() == len(X)
    np.testing.assert_allclose(np.asarray(environment_fractions(counts).sum(axis=1)).ravel(), 1.0)


def test_errors():
    env = mine_leaders(X, 0.9)
    with pytest.raises(ValueError, match="dimension mismatch"):
        assign_environments(np.eye(3, 30, dtype=np.float32), env)
    with pytest.raises(ValueError, match="dimension mismatch"):
        mine_leaders([X[:10], np.eye(3, 30, dtype=np.float32)], 0.9)
    with pytest.raises(ValueError, match="L2-normalised"):
        mine_leaders(X * 2.0, 0.9)
    with pytest.raises(ValueError, match="no atoms"):
        mine_leaders([], 0.9)


def test_exact_dots_do_not_depend_on_batching():
    full = exact_dots(X[:-1], X[1:])
    for i in range(0, len(X) - 1, 97):
        np.testing.assert_array_equal(exact_dots(X[i:i + 3], X[i + 1:i + 4]), full[i:i + 3])


def test_save_and_load(tmp_path):
    env = mine_leaders(X, 0.95)
    save_environments(tmp_path / "env.npz", env)
    back = load_environments(tmp_path / "env.npz")
    np.testing.assert_array_equal(back.leaders, env.leaders)
    np.testing.assert_array_equal(back.founders, env.founders)
    assert back.cosine_cutoff == 0.95
    counts, _ = sample_environment_counts(np.array_split(X, 4), env)
    save_counts(tmp_path / "c.npz", ["a", "b", "c", "d"], counts)
    ids, back_counts = load_counts(tmp_path / "c.npz")
    assert ids == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(back_counts.toarray(), counts.toarray())


def _unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def test_unmatched_atoms_dropped_or_given_to_nearest():
    # Environments A=e0, B=e1 mined at cosine 0.9; a third sample holds 2 x A, 1 x B and one
    # atom at 45 degrees between A and B (cosine 0.707 with both: below the cutoff).
    e = np.eye(3, dtype=np.float32)
    env = mine_leaders([e[[0, 1]]], 0.9)
    odd = _unit([1.0, 1.0, 0.0])
    sample = np.vstack([e[[0, 0, 1]], odd[None, :]])
    drop, n_drop = sample_environment_counts([sample], env, unmatched="drop")
    np.testing.assert_array_equal(drop.toarray(), [[2, 1]])
    np.testing.assert_array_equal(n_drop, [1])
    # denominator: matched atoms only -> 2/3, 1/3 (not 2/4, 1/4)
    np.testing.assert_allclose(environment_fractions(drop).toarray(), [[2 / 3, 1 / 3]])
    near, n_near = sample_environment_counts([sample], env, unmatched="nearest")
    # exact tie between A and B: the lowest environment index takes it
    np.testing.assert_array_equal(near.toarray(), [[3, 1]])
    np.testing.assert_array_equal(n_near, [1])
    stats = environment_statistics(drop, n_drop)
    assert stats["n_atoms"] == 4 and stats["n_atoms_counted"] == 3 and stats["unmatched_fraction"] == 0.25


def test_a_sample_with_no_matched_atom_has_a_zero_row():
    e = np.eye(3, dtype=np.float32)
    env = mine_leaders([e[[0]]], 0.9)
    counts, n = sample_environment_counts([e[[0]], e[[1, 2]]], env)
    np.testing.assert_array_equal(n, [0, 2])
    np.testing.assert_array_equal(environment_fractions(counts).toarray(), [[1.0], [0.0]])
    assert environment_statistics(counts, n)["n_samples_without_match"] == 1


def test_per_sample_entropy_spread():
    e = np.eye(4, dtype=np.float32)
    samples = [e[[0, 1]], e[[0, 0]], e[[0, 1, 2, 3]]]  # entropies ln2, 0, ln4
    env = mine_leaders(samples, 0.5)
    counts, _ = sample_environment_counts(samples, env)
    from vitrify.rise.environments import sample_entropies
    np.testing.assert_allclose(sample_entropies(counts), [np.log(2), 0.0, np.log(4)], atol=1e-12)
    stats = environment_statistics(counts)
    assert stats["sample_entropy_sd_nats"] == pytest.approx(np.std([np.log(2), 0.0, np.log(4)], ddof=1))


def test_bad_unmatched_rule():
    env = mine_leaders(X[:10], 0.9)
    with pytest.raises(ValueError, match="unmatched must be one of"):
        sample_environment_counts([X[:5]], env, unmatched="ignore")
