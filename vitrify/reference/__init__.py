"""Reference data for machine-learned potentials: candidate configurations, labels, datasets.

Modules, one job each:

* `structures`   published SiO2 polymorphs, near-cubic supercells, strained/rattled variants
* `descriptors`  a structural fingerprint (partial g(r), bond angles, Si coordination, density)
* `sampling`     candidate pool (crystals + classical MD frames) and farthest-point selection
* `identity`     stable configuration ids
* `labeler`      the `Labeler` interface and the conventions of its labels
* `labelers`     GFN1-xTB (tblite) and PBE (CP2K) backends and the registry of backends
* `user_dataset` a user-supplied labelled extxyz as a validated backend
* `persist`      resumable, crash-safe batch labelling
* `dataset`      unit checks, outlier filter, stratified split, isolated-atom E0s, summary
* `figures`      dataset overview figure
"""

from .identity import config_id, ensure_config_id
from .labelers import CP2KLabeler, LabelFailed, Labeler, LabelKeys, XTBLabeler, make_labeler
from .persist import label_batch

__all__ = ["CP2KLabeler", "LabelFailed", "LabelKeys", "Labeler", "XTBLabeler", "config_id",
           "ensure_config_id", "label_batch", "make_labeler"]
