# Adapter: structure of the last frames of one protocol segment of one MD run.
from pathlib import Path

from vitrify.logs import setup_logging
from vitrify.structure.analysis import analyse_silica, write_analysis
from vitrify.structure.frames import read_frames

setup_logging(snakemake.log[0])
an, wc = snakemake.params.analysis, snakemake.wildcards
segment = an.phases[wc.phase]
frames = read_frames(snakemake.input.trajectory, segment=segment, last=an.frames_per_phase)
result = analyse_silica(frames, an, species=snakemake.params.species)
provenance = {
    "system": wc.system, "model": wc.model, "cooling_rate_K_per_ps": float(wc.rate), "replica": int(wc.rep),
    "phase": wc.phase, "segment": segment, "frame_steps": [int(f.info["step"]) for f in frames],
    "trajectory": str(snakemake.input.trajectory),
    "energy_source": frames[0].info.get("potential", wc.model),
}
write_analysis(result, Path(snakemake.output.metrics).parent, provenance)
