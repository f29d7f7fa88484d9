"""A network picture renders headless with OVITO and colours Si by its coordination."""

import numpy as np

from vitrify.reference.structures import build_polymorph
from vitrify.structure.pictures import SI_COLOURS, coordination_colours, render_network


def test_quartz_is_all_four_fold_and_renders(tmp_path):
    quartz = build_polymorph("alpha-quartz").repeat((2, 2, 2))
    colours, counts = coordination_colours(quartz, "Si", "O", 2.0)
    assert counts == {4: 24}
    si = np.array(quartz.get_chemical_symbols()) == "Si"
    assert np.allclose(colours[si], SI_COLOURS[4])
    assert render_network(quartz, tmp_path / "quartz.png") == {4: 24}
    png = (tmp_path / "quartz.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    assert [p.name for p in tmp_path.iterdir()] == ["quartz.png"]  # no temporary file left
    assert (tmp_path / "quartz.png").stat().st_mode & 0o044  # readable by others, like every output


def test_a_broken_bond_shows_as_three_fold(tmp_path):
    quartz = build_polymorph("alpha-quartz")
    o = int(np.flatnonzero(np.array(quartz.get_chemical_symbols()) == "O")[0])
    del quartz[o]
    _, counts = coordination_colours(quartz, "Si", "O", 2.0)
    assert counts == {3: 2, 4: 1}
