from ase import Atoms
from ase.io import read

from vitrify.md.trajectory import append_frame, append_row, frame_steps, trim_table, trim_trajectory


def _frame(step):
    atoms = Atoms("SiO2", positions=[[0, 0, 0], [1.6, 0, 0], [0, 1.6, 0]], cell=[5, 5, 5], pbc=True)
    atoms.info.update(step=step, segment="melt")
    return atoms


def test_trim_drops_half_written_and_future_frames(tmp_path):
    path = tmp_path / "t.extxyz"
    for step in (0, 100, 200, 300):
        append_frame(path, _frame(step))
    text = path.read_text()
    path.write_text(text[: len(text) - 20])  # a kill in the middle of the last frame
    assert frame_steps(path) == [0, 100, 200]
    assert trim_trajectory(path, max_step=100) == 2
    assert [a.info["step"] for a in read(path, ":")] == [0, 100]


def test_trim_deduplicates_repeated_steps(tmp_path):
    path = tmp_path / "t.extxyz"
    for step in (0, 100, 100, 200):
        append_frame(path, _frame(step))
    trim_trajectory(path, max_step=10**9)
    assert frame_steps(path) == [0, 100, 200]


def test_trim_table_keeps_complete_rows_up_to_step(tmp_path):
    path = tmp_path / "thermo.csv"
    for step in (0, 10, 20, 30):
        append_row(path, ["step", "T_K"], [step, 300.0])
    with open(path, "a") as fh:
        fh.write("40,3")  # half-written row
    assert trim_table(path, max_step=20) == 3
    assert path.read_text() == "step,T_K\n0,300\n10,300\n20,300\n"
