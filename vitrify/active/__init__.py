"""Active learning along the liquid-to-glass path.

Each iteration: the committee of every architecture (trained on the iteration's dataset)
runs the system's melt-quench protocol; every saved frame is scored by the committee's
force disagreement; frames between the lower and upper trust levels are candidates; a
diversity filter picks a few; the labeller labels them; they join the dataset, tagged
with their origin and iteration, and the next iteration trains on it. A decision per
iteration says whether to go on (the workflow's checkpoint reads it).

Layer: above `md` (it runs MD), `mlip` (committees) and `reference` (labels, selection);
below `rise` and the apps.
"""
