"""One overview figure of a labelled dataset: what it covers and how hard its forces are."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase import Atoms

from ..plot_style import STYLE, plt, save_figure
from .labeler import LabelKeys

ORIGIN_COLOURS = {"crystal": "C0", "liquid": "C3", "quench": "C2"}


def dataset_overview(frames: list[Atoms], path: str | Path, keys: LabelKeys = LabelKeys(),
                     e0_eV: dict[str, float] | None = None, temperature_key: str = "T_target_K") -> None:
    """Three panels: energy per atom vs volume per atom coloured by origin; histogram of
    force-component magnitudes |F_i| per origin (log counts); MD target temperatures.

    Energies are cohesive (minus isolated-atom energies) when e0_eV is given, else total.
    Crystal frames have no MD temperature; the third panel says how many were left out.
    """
    origins = sorted({str(a.info.get("origin")) for a in frames})
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
        ax = axes[0]
        for o in origins:
            sub = [a for a in frames if str(a.info.get("origin")) == o]
            v = [a.get_volume() / len(a) for a in sub]
            e = [(a.info[keys.energy] - (sum(e0_eV[s] for s in a.get_chemical_symbols()) if e0_eV else 0.0))
                 / len(a) for a in sub]
            ax.scatter(v, e, s=12, alpha=0.8, color=ORIGIN_COLOURS.get(o), label=f"{o} ({len(sub)})")
        ax.set_xlabel("volume per atom (A$^3$)")
        ax.set_ylabel("cohesive energy (eV/atom)" if e0_eV else "energy (eV/atom)")
        ax.legend(fontsize=7)

        ax = axes[1]
        all_f = np.concatenate([np.linalg.norm(a.arrays[keys.forces], axis=1) for a in frames])
        bins = np.linspace(0.0, max(float(all_f.max()), 1e-6), 40)
        for o in origins:
            f = np.concatenate([np.linalg.norm(a.arrays[keys.forces], axis=1)
                                for a in frames if str(a.info.get("origin")) == o])
            ax.hist(f, bins=bins, histtype="step", color=ORIGIN_COLOURS.get(o), label=o)
        ax.set_yscale("log")
        ax.set_xlabel("|F| per atom (eV/A)")
        ax.set_ylabel("atoms")
        ax.legend(fontsize=7)

        ax = axes[2]
        temps = {o: [float(a.info[temperature_key]) for a in frames
                     if str(a.info.get("origin")) == o and temperature_key in a.info] for o in origins}
        no_T = sum(1 for a in frames if temperature_key not in a.info)
        stacked = [t for t in temps.values() if t]
        if stacked:
            t_max = max(max(t) for t in stacked)
            ax.hist(stacked, bins=np.linspace(0.0, 1.05 * t_max + 1.0, 22), stacked=True,
                    color=[ORIGIN_COLOURS.get(o) for o, t in temps.items() if t],
                    label=[o for o, t in temps.items() if t])
            ax.legend(fontsize=7)
        ax.set_xlabel("MD target temperature (K)")
        ax.set_ylabel("configurations")
        ax.set_title(f"{no_T} configurations without MD temperature (crystals)", fontsize=8)
        methods = sorted({str(a.info.get("label_method")) for a in frames})
        fig.suptitle("labels: " + "; ".join(methods), fontsize=8)
        save_figure(fig, path)
