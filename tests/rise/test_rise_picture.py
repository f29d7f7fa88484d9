"""The inherent-structure picture colours atoms by their environment, as the fractions count them."""

import numpy as np
from ase.build import bulk

from vitrify.rise.environments import mine_leaders
from vitrify.rise.pictures import PALETTE, REST, UNMATCHED, environment_colours, environment_picture
from vitrify.rise.soap import SoapSettings, soap_per_atom


def test_colours_follow_frequency_and_matching():
    env_of_atom = np.array([2, 2, 2, 0, 0, 1, 5, 5])
    is_matched = np.array([True] * 7 + [False])
    colours, legend = environment_colours(env_of_atom, is_matched, top=2)
    assert [(t["environment"], t["atoms"]) for t in legend] == [(2, 3), (0, 2)]
    assert np.allclose(colours[:3], PALETTE[0]) and np.allclose(colours[3:5], PALETTE[1])
    assert np.allclose(colours[5:7], REST) and np.allclose(colours[7], UNMATCHED)


def test_picture_of_a_crystal_with_a_known_environment_count(tmp_path):
    # B2 CuZr (CsCl type): two environments (Cu site, Zr site), each half of the atoms.
    b2 = bulk("CuZr", "cesiumchloride", a=3.26).repeat((3, 3, 3))
    soap = SoapSettings(("Cu", "Zr"), 4.0, n_max=4, l_max=3, sigma_A=0.5)
    env = mine_leaders(soap_per_atom(b2, soap), 0.9975)
    assert env.n_environments == 2
    shown = environment_picture(b2, env, soap, tmp_path / "b2.png")
    assert shown["n_unmatched"] == 0 and shown["n_environments_in_structure"] == 2
    assert sorted(t["atoms"] for t in shown["top"]) == [27, 27]
    png = (tmp_path / "b2.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
