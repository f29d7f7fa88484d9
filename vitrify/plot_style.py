"""The one figure style of the project, and a headless matplotlib.

Every figure module imports `plt` and `STYLE` from here, so the backend is chosen once
(Agg: jobs run on nodes without a display) and a change of style is one edit.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = {"figure.dpi": 150, "axes.grid": True, "grid.alpha": 0.3, "font.size": 9}

__all__ = ["STYLE", "plt"]
