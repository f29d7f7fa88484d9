"""Melt-quench protocols: config segments turned into LAMMPS step ranges."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

from ..settings import SegmentSettings

GPA_TO_BAR = 1.0e4


@dataclass(frozen=True)
class Segment:
    """One stretch of MD with a single ensemble and a linear temperature ramp."""

    name: str
    ensemble: str  # nvt | npt | nve
    T_start_K: float
    T_end_K: float
    first_step: int
    n_steps: int
    pressure_GPa: float | None = None
    save_frames: bool = True
    quench: bool = False

    @property
    def last_step(self) -> int:
        return self.first_step + self.n_steps

    def T_at(self, step: int) -> float:
        """Thermostat target at a global step (LAMMPS ramps linearly over start..stop)."""
        frac = 0.0 if self.n_steps == 0 else (step - self.first_step) / self.n_steps
        return self.T_start_K + frac * (self.T_end_K - self.T_start_K)

    def as_dict(self) -> dict:
        return asdict(self)


def build_segments(protocol: Sequence[SegmentSettings | dict], cooling_rate_K_per_ps: float,
                   timestep_fs: float) -> list[Segment]:
    """Segments with global step ranges for one cooling rate.

    A segment either holds (`T_K`) or ramps (`T_start_K` to `T_end_K`); it lasts
    `duration_ps`, or, if it is the quench (`quench: true`), |dT| / rate. Segments are
    settings objects or mappings with the config's keys.
    """
    if cooling_rate_K_per_ps <= 0:
        raise ValueError(f"cooling rate must be positive, got {cooling_rate_K_per_ps} K/ps")
    segments: list[Segment] = []
    step = 0
    for spec in protocol:
        if isinstance(spec, dict):
            spec = SegmentSettings.from_dict(spec)
        t_start, t_end = spec.temperatures_K
        duration_ps = abs(t_start - t_end) / cooling_rate_K_per_ps if spec.quench else spec.duration_ps
        n_steps = int(round(duration_ps * 1000.0 / timestep_fs))
        segments.append(
            Segment(
                name=spec.name,
                ensemble=spec.ensemble,
                T_start_K=t_start,
                T_end_K=t_end,
                first_step=step,
                n_steps=n_steps,
                pressure_GPa=spec.pressure_GPa,
                save_frames=spec.save_frames,
                quench=spec.quench,
            )
        )
        step += n_steps
    return segments


def fix_command(segment: Segment, damping: dict[str, float], fix_id: str = "md") -> str:
    """The LAMMPS `fix` for a segment; damping times are in ps (metal units)."""
    if segment.ensemble == "nve":
        return f"fix {fix_id} all nve"
    temp = f"temp {segment.T_start_K} {segment.T_end_K} {damping['thermostat_ps']}"
    if segment.ensemble == "nvt":
        return f"fix {fix_id} all nvt {temp}"
    if segment.ensemble == "npt":
        p_bar = (segment.pressure_GPa or 0.0) * GPA_TO_BAR
        return f"fix {fix_id} all npt {temp} iso {p_bar} {p_bar} {damping['barostat_ps']}"
    raise ValueError(f"unknown ensemble {segment.ensemble!r}; expected nvt, npt or nve")


def segment_at(segments: list[Segment], step: int) -> int:
    """Index of the segment that the run continues in at `step` (len(segments) when done)."""
    for i, seg in enumerate(segments):
        if step < seg.last_step:
            return i
    return len(segments)
