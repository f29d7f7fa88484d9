"""Measured diffraction data: loaders for two-column text files and comparison metrics.

Files: whitespace- or comma-separated numbers, any number of comment lines starting
with one of COMMENT_PREFIXES (anywhere), optionally `skip_rows` leading header lines,
blank lines ignored. Any other line that does not hold the expected numbers stops the
load with a one-line error naming the file, the line number and what was expected.

Options that change the numbers (state them with every comparison):

* q_unit: "1/A" or "1/nm" (divided by 10 to give 1/A); r_unit "A" or "nm".
* q_column: "centre" (the default), "left_edge" or "right_edge". Many reduced data
  sets list the LOWER bin edge; a 0.025 1/A bin then shifts a peak by 0.0125 1/A.
  Edges are converted to centres with the local bin width (last bin: previous width).
* kind: "S" normalised S(Q) (-> 1 at high Q), "F" Faber-Ziman F(Q) in barn/sr/atom
  (-> 0), or "i" for S(Q) - 1. Conversions need <b>^2 in barn: S = 1 + F / <b>^2.

Metric: Wright's R_chi (A. C. Wright, J. Non-Cryst. Solids 159, 264 (1993)),

    R_chi = sqrt( sum_i [y_exp(x_i) - y_sim(x_i)]^2 / sum_i y_exp(x_i)^2 )

over the experimental points x_i inside the chosen range, with the simulation linearly
interpolated onto x_i. Wright introduced it for real-space correlation functions; here
it is applied to whatever pair of curves is passed. It is not invariant to a constant
offset: compare F(Q) or S(Q) - 1 (which oscillate about 0), not S(Q) itself.
"""

from __future__ import annotations

import logging

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import write_text

COMMENT_PREFIXES = ("#", "!", "%", ";", "//")
Q_UNITS = {"1/A": 1.0, "1/nm": 0.1}
R_UNITS = {"A": 1.0, "nm": 10.0}
Q_COLUMNS = ("centre", "left_edge", "right_edge")
SQ_KINDS = ("S", "F", "i")
GR_KINDS = ("g", "G_keen", "D", "T", "G_pdf")
_SPLIT = re.compile(r"[\s,]+")

log = logging.getLogger("vitrify.structure")


@dataclass(frozen=True)
class DiffractionData:
    """Q (1/A, bin centres) and values of one kind, with where they came from."""

    Q_inv_A: np.ndarray
    values: np.ndarray
    kind: str
    source: str

    def as_S(self, mean_b_sq_barn: float | None = None) -> np.ndarray:
        if self.kind == "S":
            return self.values
        if self.kind == "i":
            return 1.0 + self.values
        if mean_b_sq_barn is None:
            raise ValueError(f"{self.source}: converting F(Q) to S(Q) needs <b>^2 in barn")
        return 1.0 + self.values / mean_b_sq_barn

    def as_F(self, mean_b_sq_barn: float) -> np.ndarray:
        return (self.as_S(mean_b_sq_barn) - 1.0) * mean_b_sq_barn


@dataclass(frozen=True)
class RealSpaceData:
    r_A: np.ndarray
    values: np.ndarray
    kind: str
    source: str


def read_columns(path: str | Path, n_columns: int = 2, columns: tuple[int, ...] = (0, 1),
                 skip_rows: int = 0, what: str = "x, y") -> np.ndarray:
    """Numeric columns of a text file, shape (n_rows, len(columns)); one-line errors."""
    path = Path(path)
    rows = []
    try:
        lines = path.read_text().splitlines()
    except OSError as err:
        raise ValueError(f"{path}: cannot read ({err.strerror})") from None
    need = max(max(columns) + 1, n_columns)
    for lineno, line in enumerate(lines, start=1):
        text = line.strip()
        if lineno <= skip_rows or not text or text.startswith(COMMENT_PREFIXES):
            continue
        fields = [f for f in _SPLIT.split(text) if f]
        try:
            if len(fields) < need:
                raise ValueError
            values = [float(fields[c]) for c in columns]
        except ValueError:
            raise ValueError(f"{path}:{lineno}: expected at least {need} numeric columns "
                             f"({what}), got {text[:60]!r}") from None
        if not all(np.isfinite(values)):
            raise ValueError(f"{path}:{lineno}: non-finite value in {text[:60]!r}")
        rows.append(values)
    if len(rows) < 2:
        raise ValueError(f"{path}: expected at least 2 data rows ({what}), found {len(rows)}")
    return np.array(rows)


def _to_centres(x: np.ndarray, q_column: str, path) -> np.ndarray:
    if q_column == "centre":
        return x
    width = np.diff(x)
    width = np.r_[width, width[-1]] if q_column == "left_edge" else np.r_[width[0], width]
    if np.any(width <= 0):
        raise ValueError(f"{path}: Q column must increase to convert bin edges to centres")
    return x + 0.5 * width if q_column == "left_edge" else x - 0.5 * width


def load_sq(path: str | Path, kind: str = "S", q_unit: str = "1/A", q_column: str = "centre",
            columns: tuple[int, int] = (0, 1), skip_rows: int = 0) -> DiffractionData:
    """Load Q vs S(Q) / F(Q) / i(Q) (module doc for the options)."""
    if kind not in SQ_KINDS:
        raise ValueError(f"kind must be one of {SQ_KINDS}, got {kind!r}")
    if q_unit not in Q_UNITS:
        raise ValueError(f"q_unit must be one of {tuple(Q_UNITS)}, got {q_unit!r}")
    if q_column not in Q_COLUMNS:
        raise ValueError(f"q_column must be one of {Q_COLUMNS}, got {q_column!r}")
    data = read_columns(path, columns=columns, skip_rows=skip_rows, what=f"Q [{q_unit}], {kind}(Q)")
    Q = _to_centres(data[:, 0], q_column, path) * Q_UNITS[q_unit]
    # Reduced data files often begin with a Q = 0 row of zeros, or carry negative Q: such
    # rows hold no measurement, and a zero at Q = 0 would bias R_chi and every fit.
    empty = (Q <= 0) | ((data[:, 0] == 0) & (data[:, 1] == 0))
    if empty.any():
        log.info("%s: %d row(s) without data skipped (Q <= 0 or a zero row): Q = %s", path, int(empty.sum()),
                 ", ".join(f"{q:g}" for q in Q[empty][:5]))
    return DiffractionData(Q[~empty], data[~empty, 1], kind, str(path))


def load_gr(path: str | Path, kind: str = "G_keen", r_unit: str = "A",
            columns: tuple[int, int] = (0, 1), skip_rows: int = 0) -> RealSpaceData:
    """Load r vs a real-space function: g, G_keen, D, T (Keen 2001) or G_pdf."""
    if kind not in GR_KINDS:
        raise ValueError(f"kind must be one of {GR_KINDS}, got {kind!r}")
    if r_unit not in R_UNITS:
        raise ValueError(f"r_unit must be one of {tuple(R_UNITS)}, got {r_unit!r}")
    data = read_columns(path, columns=columns, skip_rows=skip_rows, what=f"r [{r_unit}], {kind}(r)")
    return RealSpaceData(data[:, 0] * R_UNITS[r_unit], data[:, 1], kind, str(path))


def write_columns(path: str | Path, x: np.ndarray, y: np.ndarray, header: str) -> None:
    """Two-column text file with a '#' header (the format the loaders read)."""
    lines = ["# " + h for h in header.splitlines()]
    lines += [f"{a:.8g} {b:.8g}" for a, b in zip(x, y)]
    write_text(path, "\n".join(lines) + "\n")


def r_chi(x_exp: np.ndarray, y_exp: np.ndarray, x_sim: np.ndarray, y_sim: np.ndarray,
          x_range: tuple[float, float] | None = None) -> float:
    """Wright's R_chi of a simulated curve against an experimental one (module doc)."""
    x_exp, y_exp = np.asarray(x_exp, float), np.asarray(y_exp, float)
    sel = np.ones(len(x_exp), bool)
    if x_range is not None:
        sel = (x_exp >= x_range[0]) & (x_exp <= x_range[1])
    sel &= (x_exp >= np.min(x_sim)) & (x_exp <= np.max(x_sim))
    if sel.sum() < 2:
        raise ValueError(f"fewer than 2 experimental points in the range {x_range} covered by the simulation")
    ys = np.interp(x_exp[sel], x_sim, y_sim)
    ye = y_exp[sel]
    return float(np.sqrt(np.sum((ye - ys) ** 2) / np.sum(ye ** 2)))


def fsdp_deltas(sim, exp) -> dict[str, float]:
    """Simulation minus experiment for the fsdp.PeakFit fields (both fitted the same way)."""
    if sim.model != exp.model:
        raise ValueError(f"peak models differ ({sim.model} vs {exp.model}): fit both the same way")
    return {k: getattr(sim, k) - getattr(exp, k)
            for k in ("Q1_inv_A", "height", "amplitude", "fwhm_inv_A", "periodicity_A", "coherence_length_A")}
