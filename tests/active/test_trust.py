"""Trust levels and the decision that ends or continues the loop."""

import numpy as np
import pandas as pd
import pytest

from vitrify.active.trust import BROKEN, CANDIDATE, KNOWN, classify, decide


def test_classes_follow_the_trust_levels():
    got = classify([0.05, 0.2, 0.5, 2.0, 2.5, np.nan], 0.2, 2.0)
    assert got.tolist() == [KNOWN, CANDIDATE, CANDIDATE, CANDIDATE, BROKEN, BROKEN]
    with pytest.raises(ValueError, match="0 < lower < upper"):
        classify([0.1], 2.0, 0.2)


def _scores(classes_by_arch):
    rows = [{"arch": arch, "class": c} for arch, classes in classes_by_arch.items() for c in classes]
    return pd.DataFrame(rows)


def test_nothing_uncertain_ends_the_loop_as_converged():
    d = decide(0, _scores({"sr": [KNOWN] * 10, "lr": [KNOWN] * 10}), {"sr": None, "lr": None}, 0, 3, 0.05)
    assert d["stop"] and d["converged"] and d["reason"].startswith("converged")


def test_candidates_continue_the_loop_until_the_maximum():
    scores = _scores({"sr": [KNOWN] * 5 + [CANDIDATE] * 5})
    going = decide(0, scores, {"sr": None}, 4, 2, 0.05)
    assert not going["stop"] and going["n_selected"] == 4 and going["candidate_fraction"] == 0.5
    last = decide(2, scores, {"sr": None}, 4, 2, 0.05)
    assert last["stop"] and not last["converged"] and "maximum of 2" in last["reason"] and last["n_selected"] == 0


def test_a_guard_stop_is_never_convergence():
    d = decide(0, _scores({"sr": [KNOWN] * 20}), {"sr": "atoms 3 and 7 are 0.8 A apart"}, 0, 3, 0.05)
    assert not d["converged"] and d["guard_stops"] == {"sr": "atoms 3 and 7 are 0.8 A apart"}
    assert d["stop"] and d["reason"].startswith("stalled")


def test_only_broken_frames_stall_instead_of_converging():
    d = decide(1, _scores({"lr": [BROKEN] * 8 + [KNOWN] * 2}), {"lr": None}, 0, 3, 0.05)
    assert d["stop"] and not d["converged"] and "80.0% above the upper level" in d["reason"]
