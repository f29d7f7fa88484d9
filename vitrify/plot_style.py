"""The one figure style of the project, and a headless matplotlib.

Every figure module imports `plt` and `STYLE` from here, so the backend is chosen once
(Agg: jobs run on nodes without a display) and a change of style is one edit.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = {"figure.dpi": 150, "axes.grid": True, "grid.alpha": 0.3, "font.size": 9}


def save_figure(fig, path, tight: bool = True, **savefig_kwargs) -> None:
    """Write `fig` whole or not at all (the one atomic writer, vitrify.files), then close it.

    The format comes from the target's suffix (the temporary file's name has none).
    """
    from pathlib import Path  # noqa: PLC0415

    from .files import atomic_path  # noqa: PLC0415

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if tight:
        fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".") or "png", **savefig_kwargs)
    plt.close(fig)


__all__ = ["STYLE", "plt", "save_figure"]
