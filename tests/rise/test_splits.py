"""Splits and mining sets of the RISE regression, and the similarity-cutoff conventions."""

import dataclasses

import pytest

from vitrify.rise.splits import (
    mining_ids,
    mining_seed_for,
    mining_subset,
    random_split,
    regression_split,
    stratified_split,
)
from vitrify.settings import EnvironmentStageSettings, cosine_threshold

# 3 cooling-rate sets of 10, 20 and 5 samples
RATES = [1000.0] * 10 + [100.0] * 20 + [10.0] * 5
IDS = [f"s{i}" for i in range(len(RATES))]


def _settings(**kw):
    base = dict(similarity_cutoff=0.9975, similarity_convention="cosine", unmatched_atoms="drop",
                mining_set="random_fraction", mining_fraction=0.4, mining_seed=0, split="stratified_by_rate",
                test_fraction=0.2, validation_fraction=0.2)
    return EnvironmentStageSettings(**{**base, **kw})


def test_stratified_split_keeps_every_rate_set_in_every_part():
    split = stratified_split(IDS, RATES, 0.2, 0.2, seed=3)
    rate_of = dict(zip(IDS, RATES))
    for part in (split.train, split.valid, split.test):
        assert {rate_of[s] for s in part} == {1000.0, 100.0, 10.0}
    assert sorted(split.train + split.valid + split.test) == sorted(IDS)
    assert not set(split.train) & set(split.test) and not set(split.valid) & set(split.test)
    # per set: round(0.2 n) (at least 1) to validation and to test
    assert sum(rate_of[s] == 100.0 for s in split.test) == 4
    assert sum(rate_of[s] == 10.0 for s in split.valid) == 1
    assert split == stratified_split(IDS, RATES, 0.2, 0.2, seed=3)
    assert split.test != stratified_split(IDS, RATES, 0.2, 0.2, seed=4).test
    # input order kept inside each part
    assert split.train == [s for s in IDS if s in set(split.train)]


def test_stratified_split_errors():
    with pytest.raises(ValueError, match="too few for one each"):
        stratified_split(["a", "b", "c", "d"], [1, 1, 2, 2], 0.2, 0.2, 0)
    with pytest.raises(ValueError, match="sum below 1"):
        stratified_split(IDS, RATES, 0.5, 0.5, 0)
    with pytest.raises(ValueError, match="group labels"):
        stratified_split(IDS, RATES[:-1], 0.2, 0.2, 0)


def test_random_split_has_no_validation_part():
    split = random_split(IDS, 0.2, 7)
    assert split.valid == [] and len(split.test) == 7 and split == random_split(IDS, 0.2, 7)


def test_mining_subset_draws_the_fraction_of_every_set_independently_of_the_split():
    mined = mining_subset(IDS, RATES, 0.4, seed=0)
    rate_of = dict(zip(IDS, RATES))
    assert [sum(rate_of[s] == r for s in mined) for r in (10.0, 100.0, 1000.0)] == [2, 8, 4]
    # order: sets ascending by rate, shuffled within
    assert [rate_of[s] for s in mined] == sorted(rate_of[s] for s in mined)
    assert mined == mining_subset(IDS, RATES, 0.4, seed=0)
    # the same seed number as a split gives no relation to that split's parts
    assert set(mined) != set(stratified_split(IDS, RATES, 0.2, 0.2, seed=0).train[:len(mined)])
    assert sorted(mining_subset(IDS, RATES, 1.0, seed=5)) == sorted(IDS)
    with pytest.raises(ValueError, match=r"mining fraction must be in \(0, 1\]"):
        mining_subset(IDS, RATES, 0.0, 0)


def test_mining_ids_follow_the_convention():
    s = _settings()
    assert mining_ids(IDS, RATES, s, 0) == mining_subset(IDS, RATES, 0.4, 0)
    assert mining_seed_for(s, 4) == 0  # one shared draw for every regression seed
    t = _settings(mining_set="training_samples")
    assert mining_ids(IDS, RATES, t, 4) == regression_split(IDS, RATES, t, 4).train
    assert mining_seed_for(t, 4) == 4
    r = _settings(split="random", mining_set="training_samples")
    assert mining_ids(IDS, RATES, r, 2) == random_split(IDS, 0.2, 2).train


def test_cosine_threshold_conventions():
    assert cosine_threshold(0.9975, "cosine") == 0.9975
    # the authors' code: cosine = 1 - (1 - t)^2; t = 0.95 is the paper's 0.9975
    assert cosine_threshold(0.95, "code_t") == pytest.approx(0.9975)
    assert cosine_threshold(0.83, "code_t") == pytest.approx(1 - 0.17**2)
    assert _settings(similarity_cutoff=0.95, similarity_convention="code_t").cosine_cutoff == pytest.approx(0.9975)
    for bad in (0.0, 1.0, 1.2):
        with pytest.raises(ValueError, match=r"in \(0, 1\)"):
            cosine_threshold(bad, "cosine")
    with pytest.raises(ValueError, match="unknown similarity convention"):
        cosine_threshold(0.9, "angle")
    assert dataclasses.replace(_settings(), similarity_cutoff=0.98).cosine_cutoff == 0.98


def test_per_set_subset_takes_the_same_number_from_every_set_and_nests():
    from vitrify.rise.splits import per_set_subset

    small, large = per_set_subset(IDS, RATES, 3, 1), per_set_subset(IDS, RATES, 5, 1)
    rate_of = dict(zip(IDS, RATES))
    assert sorted(rate_of[s] for s in small) == [10.0] * 3 + [100.0] * 3 + [1000.0] * 3
    assert set(small) <= set(large) and small == [s for s in IDS if s in set(small)]
    with pytest.raises(ValueError, match="6 samples per set asked"):
        per_set_subset(IDS, RATES, 6, 1)
